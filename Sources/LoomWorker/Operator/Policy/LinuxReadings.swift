import Foundation

/// The Linux files and commands behind `LinuxSensors`, read as plain text
/// so tests can feed them from fake trees. Nothing here throws: a file
/// missing or malformed is an unknown reading with a note.
enum LinuxReadings {
    /// `/sys/class/power_supply/*`: any `Mains` or `USB` supply with
    /// `online` 1 means mains power; a battery `Discharging` without one
    /// online means battery. Nothing listed (a desktop, a VM) is unknown.
    static func power(supplies: URL) -> (onAC: Bool?, battery: Int?, note: String?) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: supplies.path).sorted()) ?? []
        var mains: [Bool] = []
        var batteries: [(capacity: Int?, discharging: Bool)] = []
        for name in names {
            let dir = supplies.appendingPathComponent(name)
            switch text(dir.appendingPathComponent("type")) ?? "" {
            case "Mains", "USB":
                if let online = text(dir.appendingPathComponent("online")) { mains.append(online == "1") }
            case "Battery":
                // A battery of a mouse or a phone reports `scope` Device; only the system's counts.
                guard text(dir.appendingPathComponent("scope")) != "Device" else { continue }
                batteries.append(
                    (
                        Int(text(dir.appendingPathComponent("capacity")) ?? ""),
                        text(dir.appendingPathComponent("status")) == "Discharging"
                    ))
            default: continue
            }
        }
        let battery = batteries.compactMap(\.capacity).min()
        if mains.contains(true) { return (true, battery, nil) }
        if !mains.isEmpty { return (false, battery, nil) }
        if !batteries.isEmpty { return (!batteries.contains { $0.discharging }, battery, nil) }
        return (nil, nil, "no power supply listed in \(supplies.path) (a desktop or a VM: counted as mains)")
    }

    /// The one-minute load average, the first field of `/proc/loadavg`.
    static func loadAverage(_ file: URL) -> Double? {
        text(file)?.split(separator: " ").first.flatMap { Double($0) }
    }

    /// The process's CPU time in clock ticks: `utime` + `stime`, fields 14
    /// and 15 of `/proc/self/stat`, counted after the `)` that ends the
    /// command name (which may itself hold spaces or parentheses).
    static func cpuTicks(_ file: URL) -> UInt64? {
        guard let stat = text(file), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": field 3 (state) is fields[0], so field n is fields[n - 3].
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return user + system
    }

    /// `/sys/class/thermal/thermal_zone*`: the worst zone wins. A zone at or
    /// above its `critical` or `hot` trip point is critical, above a
    /// `passive` one (the kernel throttles there) serious, above an `active`
    /// one (fans on) fair. No zone with a temperature: unknown.
    static func thermal(zones: URL) -> ThermalPressure? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: zones.path)) ?? []
        var worst: ThermalPressure?
        for name in names where name.hasPrefix("thermal_zone") {
            let dir = zones.appendingPathComponent(name)
            guard let temp = text(dir.appendingPathComponent("temp")).flatMap({ Int($0) }) else { continue }
            var level = ThermalPressure.nominal
            for trip in 0..<32 {
                guard let at = text(dir.appendingPathComponent("trip_point_\(trip)_temp")).flatMap({ Int($0) }),
                    let type = text(dir.appendingPathComponent("trip_point_\(trip)_type"))
                else { break }
                // Some drivers fill unused trips with 0 or negative values.
                guard at > 0, temp >= at else { continue }
                let reached: ThermalPressure =
                    switch type {
                    case "critical", "hot": .critical
                    case "passive": .serious
                    default: .fair
                    }
                level = max(level, reached)
            }
            worst = max(worst ?? .nominal, level)
        }
        return worst
    }

    /// `loginctl list-sessions --no-legend`: the session ids, first column.
    static func sessionIDs(_ listing: String) -> [String] {
        listing.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// Idle seconds of one session from `loginctl show-session ID -p Seat
    /// -p IdleHint -p IdleSinceHint`: nil for a session without a seat (ssh,
    /// a service), 0 when `IdleHint=no`, else now minus `IdleSinceHint`
    /// (microseconds since the epoch).
    static func sessionIdle(_ properties: String, now: Date) -> Double? {
        var values: [String: String] = [:]
        for line in properties.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let seat = values["Seat"], !seat.isEmpty, let hint = values["IdleHint"] else { return nil }
        guard hint == "yes" else { return 0 }
        guard let since = values["IdleSinceHint"].flatMap({ Double($0) }), since > 0 else { return 0 }
        return max(0, now.timeIntervalSince1970 - since / 1_000_000)
    }

    static func text(_ file: URL) -> String? {
        (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
