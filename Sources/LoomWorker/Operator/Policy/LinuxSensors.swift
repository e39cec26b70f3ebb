import Foundation

// Compiled on every platform (its tests read fake trees anywhere); PolicyService
// uses it only off macOS. The Darwin branch keeps the imports symmetric
// (scripts/check_portability.py asks every Glibc import for one).
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The machine as Linux shows it: idle time from logind, power from
/// `/sys/class/power_supply`, load from `/proc/loadavg` minus the worker's
/// own share, heat from `/sys/class/thermal` (`LinuxReadings` parses them).
/// The roots and the `loginctl` runner are parameters so tests read fake trees.
public actor LinuxSensors: MachineSensors {
    public typealias Command = @Sendable (_ arguments: [String]) -> String?

    let sys: URL
    let proc: URL
    let loginctl: Command
    let ticksPerSecond: Double
    /// The worker's CPU time at the last read, to measure its share since.
    private var lastSample: (ticks: UInt64, at: ContinuousClock.Instant)?

    public init(
        sys: URL = URL(fileURLWithPath: "/sys"), proc: URL = URL(fileURLWithPath: "/proc"),
        loginctl: @escaping Command = LinuxSensors.runLoginctl
    ) {
        self.sys = sys
        self.proc = proc
        self.loginctl = loginctl
        #if canImport(Glibc)
            ticksPerSecond = Double(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        #else
            ticksPerSecond = 100
        #endif
    }

    public func read() async -> MachineReadings {
        var r = MachineReadings()
        let power = LinuxReadings.power(supplies: sys.appendingPathComponent("class/power_supply"))
        (r.onACPower, r.batteryPercent) = (power.onAC, power.battery)
        if let note = power.note { r.notes.append(note) }
        r.otherLoad = otherLoad()
        if r.otherLoad == nil { r.notes.append("no load average in \(proc.path)/loadavg") }
        r.thermal = LinuxReadings.thermal(zones: sys.appendingPathComponent("class/thermal"))
        if r.thermal == nil { r.notes.append("no thermal zone in \(sys.path)/class/thermal") }
        switch idleSeconds() {
        case .success(let idle): r.idleSeconds = idle
        case .failure(let why): r.notes.append(why.description)
        }
        return r
    }

    /// The load average counts runnable threads over about a minute; the
    /// worker's own part is its CPU time since the last read divided by the
    /// wall time between (a thread busy all along counts about 1 in both).
    /// The first read has no interval and subtracts nothing. The backend
    /// (Ollama) is another process: its load counts as other load.
    func otherLoad() -> Double? {
        guard let load = LinuxReadings.loadAverage(proc.appendingPathComponent("loadavg")) else { return nil }
        let now = ContinuousClock.now
        var own = 0.0
        if let ticks = LinuxReadings.cpuTicks(proc.appendingPathComponent("self/stat")) {
            if let last = lastSample, ticks >= last.ticks {
                let seconds = Double((now - last.at).components.seconds) + Double((now - last.at).components.attoseconds) / 1e18
                if seconds > 0 { own = Double(ticks - last.ticks) / ticksPerSecond / seconds }
            }
            lastSample = (ticks, now)
        }
        return max(0, load - own)
    }

    struct IdleUnknown: Error, CustomStringConvertible { let description: String }

    /// The shortest idle time of the sessions with a seat (someone at the
    /// keyboard of any of them is someone at the machine). logind knows it
    /// only when the desktop reports it (GNOME and KDE do: `IdleHint`).
    func idleSeconds() -> Result<Double, IdleUnknown> {
        guard let listing = loginctl(["list-sessions", "--no-legend"]) else {
            return .failure(IdleUnknown(description: "idle unknown: loginctl (systemd-logind) is not available"))
        }
        let idles = LinuxReadings.sessionIDs(listing).compactMap { id in
            loginctl(["show-session", id, "-p", "Seat", "-p", "IdleHint", "-p", "IdleSinceHint"])
                .flatMap { LinuxReadings.sessionIdle($0, now: Date()) }
        }
        guard let idle = idles.min() else {
            return .failure(
                IdleUnknown(
                    description:
                        "idle unknown: no logind session with a seat (nobody logged in at a screen, or a headless machine)"))
        }
        return .success(idle)
    }

    /// Runs `loginctl` from the PATH; nil when it is missing or fails. At
    /// most 5 s (coreutils `timeout`): a D-Bus that hangs must not hold the
    /// policy, which then counts the idle time as unknown.
    public static let runLoginctl: Command = { arguments in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "5", "loginctl"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
