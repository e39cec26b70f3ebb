import Foundation

/// The serving policy's keys, read with the rest of the configuration
/// (`WorkerConfiguration.load`). Each bad value names its key and the fix.
extension ServingSettings {
    public enum Key {
        public static let serveWhen = "SERVE_WHEN"
        public static let idleAfter = "IDLE_AFTER"
        public static let requireACPower = "REQUIRE_AC_POWER"
        public static let minBattery = "MIN_BATTERY"
        public static let maxOtherLoad = "MAX_OTHER_LOAD"
        public static let schedule = "SCHEDULE"
        public static let thermalLimit = "THERMAL_LIMIT"

        public static let all: Set<String> = [
            serveWhen, idleAfter, requireACPower, minBattery, maxOtherLoad, schedule, thermalLimit,
        ]
    }

    static func load(_ r: ConfigurationReader) throws(ConfigurationError) -> ServingSettings {
        var s = ServingSettings()
        if let text = r.string(Key.serveWhen) {
            guard let mode = Mode(rawValue: text.lowercased()) else {
                throw ConfigurationError(
                    key: Key.serveWhen, problem: "\"\(text)\" is not a serving mode",
                    fix: "write always (serve whenever running), idle (when nobody uses the machine) or schedule (see SCHEDULE)")
            }
            s.mode = mode
        }
        if let text = r.string(Key.idleAfter) {
            guard let seconds = DurationText.seconds(text), (1...86_400).contains(seconds) else {
                throw ConfigurationError(
                    key: Key.idleAfter, problem: "\"\(text)\" is not a duration from 1 s to 24 h",
                    fix: "write seconds or a whole number with s, m or h, e.g. IDLE_AFTER=10m")
            }
            s.idleAfter = .seconds(seconds)
        }
        s.requireACPower = try r.bool(Key.requireACPower, default: true)
        s.minBattery = Int(try r.number(Key.minBattery, default: 50, range: 0...100))
        if let text = r.string(Key.maxOtherLoad) {
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let load = Double(text), load >= 0,
                load <= 4096
            else {
                throw ConfigurationError(
                    key: Key.maxOtherLoad, problem: "\"\(text)\" is not a load (CPUs busy with other processes)",
                    fix: "write a number of CPUs such as 1.5, or leave it empty to ignore the load")
            }
            s.maxOtherLoad = load
        }
        s.schedule = try r.list(Key.schedule).map { text throws(ConfigurationError) in
            guard let window = ScheduleWindow(text) else {
                throw ConfigurationError(
                    key: Key.schedule, problem: "\"\(text)\" is not a time window",
                    fix: "write HH:MM-HH:MM in local 24-hour time, comma-separated, e.g. SCHEDULE=22:00-07:00,12:00-13:30")
            }
            return window
        }
        if s.mode == .schedule, s.schedule.isEmpty {
            throw ConfigurationError(
                key: Key.schedule, problem: "not set, and SERVE_WHEN=schedule needs it",
                fix: "list windows such as SCHEDULE=22:00-07:00, or set SERVE_WHEN=always")
        }
        if let text = r.string(Key.thermalLimit) {
            guard let limit = ThermalPressure(name: text), limit >= .fair else {
                throw ConfigurationError(
                    key: Key.thermalLimit, problem: "\"\(text)\" is not a thermal pressure to stop at",
                    fix: "write serious (the default: stop when the machine throttles) or critical (or fair, to stop early)")
            }
            s.thermalLimit = limit
        }
        return s
    }
}
