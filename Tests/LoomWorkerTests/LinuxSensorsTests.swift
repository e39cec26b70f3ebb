import Foundation
import Testing

@testable import LoomWorker

/// `LinuxSensors` against fake sysfs and proc trees in temporary
/// directories, `loginctl` answered by a stub; and once against this
/// machine's real /proc and /sys.
@Suite struct LinuxSensorsTests {
    /// A fake root: `files` maps relative paths to contents.
    static func tree(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loom-sensors-\(UUID().uuidString.prefix(8))")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    static let noLogind: LinuxSensors.Command = { _ in nil }

    static func laptop(acOnline: String, status: String, capacity: String) -> [String: String] {
        [
            "class/power_supply/AC/type": "Mains\n", "class/power_supply/AC/online": acOnline,
            "class/power_supply/BAT0/type": "Battery", "class/power_supply/BAT0/status": status,
            "class/power_supply/BAT0/capacity": capacity,
            "class/power_supply/hidpp_battery_0/type": "Battery", "class/power_supply/hidpp_battery_0/scope": "Device",
            "class/power_supply/hidpp_battery_0/capacity": "3",
        ]
    }

    @Test func laptopOnMainsAndOnBattery() async throws {
        let plugged = try Self.tree(Self.laptop(acOnline: "1", status: "Charging", capacity: "64"))
        var r = await LinuxSensors(sys: plugged, proc: plugged, loginctl: Self.noLogind).read()
        #expect(r.onACPower == true)
        #expect(r.batteryPercent == 64, "the mouse's battery (scope Device) is not the machine's")
        let unplugged = try Self.tree(Self.laptop(acOnline: "0", status: "Discharging", capacity: "31"))
        r = await LinuxSensors(sys: unplugged, proc: unplugged, loginctl: Self.noLogind).read()
        #expect(r.onACPower == false)
        #expect(r.batteryPercent == 31)
    }

    @Test func batteryWithoutMainsEntry() async throws {
        let root = try Self.tree([
            "class/power_supply/BAT1/type": "Battery", "class/power_supply/BAT1/status": "Discharging",
            "class/power_supply/BAT1/capacity": "12",
        ])
        let r = await LinuxSensors(sys: root, proc: root, loginctl: Self.noLogind).read()
        #expect(r.onACPower == false)
        #expect(r.batteryPercent == 12)
    }

    @Test func nothingThereIsUnknownWithNotes() async throws {
        let root = try Self.tree([:])
        let r = await LinuxSensors(sys: root, proc: root, loginctl: Self.noLogind).read()
        #expect(r.onACPower == nil && r.batteryPercent == nil && r.otherLoad == nil && r.thermal == nil && r.idleSeconds == nil)
        #expect(r.notes.contains { $0.contains("no power supply") })
        #expect(r.notes.contains { $0.contains("no load average") })
        #expect(r.notes.contains { $0.contains("no thermal zone") })
        #expect(r.notes.contains { $0.contains("idle unknown: loginctl") })
    }

    @Test func loadMinusTheWorkersOwnShare() async throws {
        let root = try Self.tree([
            "loadavg": "2.50 1.00 0.50 3/200 12345\n",
            // comm with a space and a parenthesis; utime 100, stime 50 ticks.
            "self/stat": "4242 (loom (worker)) S 1 4242 4242 0 -1 4194304 100 0 0 0 100 50 0 0 20 0 7 0 1000 0 0",
        ])
        let sensors = LinuxSensors(sys: root, proc: root, loginctl: Self.noLogind)
        #expect(await sensors.read().otherLoad == 2.5, "the first read has no interval: nothing subtracted")
        #expect(LinuxReadings.cpuTicks(root.appendingPathComponent("self/stat")) == 150)
        // The worker then burns a lot of CPU: its share comes off, never below zero.
        try "4242 (loom (worker)) S 1 4242 4242 0 -1 4194304 100 0 0 0 100000000 50 0 0 20 0 7 0 1000 0 0"
            .write(to: root.appendingPathComponent("self/stat"), atomically: true, encoding: .utf8)
        let second = try #require(await sensors.read().otherLoad)
        #expect(second >= 0 && second < 2.5)
    }

    @Test func thermalTripPoints() async throws {
        func zone(_ n: Int, temp: Int, trips: [(Int, String)]) -> [String: String] {
            var files = ["class/thermal/thermal_zone\(n)/temp": "\(temp)"]
            for (i, trip) in trips.enumerated() {
                files["class/thermal/thermal_zone\(n)/trip_point_\(i)_temp"] = "\(trip.0)"
                files["class/thermal/thermal_zone\(n)/trip_point_\(i)_type"] = trip.1
            }
            return files
        }
        let trips = [(60000, "active"), (85000, "passive"), (95000, "hot"), (105000, "critical")]
        for (temp, expected) in [(40000, ThermalPressure.nominal), (65000, .fair), (90000, .serious), (96000, .critical)] {
            let root = try Self.tree(zone(0, temp: temp, trips: trips).merging(zone(1, temp: 30000, trips: trips)) { $1 })
            #expect(LinuxReadings.thermal(zones: root.appendingPathComponent("class/thermal")) == expected, "\(temp)")
        }
        // Unused trips written as 0 are ignored; a zone without trips is nominal.
        let odd = try Self.tree(zone(0, temp: 50000, trips: [(0, "critical")]).merging(zone(1, temp: 70000, trips: [])) { $1 })
        #expect(LinuxReadings.thermal(zones: odd.appendingPathComponent("class/thermal")) == .nominal)
    }

    @Test func idleFromLogind() async throws {
        let now = Date()
        let since = Int64((now.timeIntervalSince1970 - 300) * 1_000_000)
        let root = try Self.tree([:])
        let answers: [String: String] = [
            "list-sessions --no-legend": "  3 1000 alice seat0 tty2\n  7 1000 alice        \n",
            "show-session 3 -p Seat -p IdleHint -p IdleSinceHint": "Seat=seat0\nIdleHint=yes\nIdleSinceHint=\(since)\n",
            "show-session 7 -p Seat -p IdleHint -p IdleSinceHint": "Seat=\nIdleHint=no\nIdleSinceHint=0\n",
        ]
        let stub: LinuxSensors.Command = { answers[$0.joined(separator: " ")] }
        let idle = try #require(await LinuxSensors(sys: root, proc: root, loginctl: stub).read().idleSeconds)
        #expect(idle >= 299 && idle < 400, "the ssh session (no seat) does not count: \(idle)")
        let active: LinuxSensors.Command = {
            $0.first == "list-sessions" ? "3 1000 alice seat0\n" : "Seat=seat0\nIdleHint=no\nIdleSinceHint=\(since)\n"
        }
        #expect(await LinuxSensors(sys: root, proc: root, loginctl: active).read().idleSeconds == 0)
        let headless: LinuxSensors.Command = { $0.first == "list-sessions" ? "" : nil }
        let r = await LinuxSensors(sys: root, proc: root, loginctl: headless).read()
        #expect(r.idleSeconds == nil)
        #expect(r.notes.contains { $0.contains("idle unknown: no logind session with a seat") })
    }

    /// This machine's real files (loginctl left out: starting a process is
    /// the live tier's, `PolicyLiveTests`): a well-formed reading or a
    /// clear note, never a crash.
    @Test func realProcAndSys() async {
        let r = await LinuxSensors(loginctl: Self.noLogind).read()
        if let load = r.otherLoad {
            #expect(load >= 0 && load.isFinite)
        } else {
            #expect(r.notes.contains { $0.contains("load") })
        }
        if let charge = r.batteryPercent { #expect((0...100).contains(charge)) }
        if r.onACPower == nil { #expect(r.notes.contains { $0.contains("power supply") }) }
        if r.thermal == nil { #expect(r.notes.contains { $0.contains("thermal") }) }
        #if os(Linux)
            #expect(r.otherLoad != nil, "/proc/loadavg exists on every Linux")
        #endif
    }
}
