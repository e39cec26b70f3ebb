import Foundation
import LoomWorker
import Testing

/// `SERVE_WHEN` and its conditions: the defaults change nothing, every
/// key reads its forms, and every bad value names its key and the fix.
@Suite struct ServingSettingsTests {
    static func load(_ changes: [String: String]) throws -> ServingSettings {
        try WorkerConfiguration.load(ConfigurationTests.full.merging(changes) { $1 }).0.serving
    }

    @Test func defaultsServeAlways() throws {
        let s = try Self.load([:])
        #expect(s == ServingSettings())
        #expect(s.mode == .always)
        #expect(s.idleAfter == .seconds(600))
        #expect(s.requireACPower)
        #expect(s.minBattery == 50)
        #expect(s.maxOtherLoad == nil)
        #expect(s.thermalLimit == .serious)
    }

    @Test func everyKeyRead() throws {
        let s = try Self.load([
            "SERVE_WHEN": "Schedule", "IDLE_AFTER": "90s", "REQUIRE_AC_POWER": "false", "MIN_BATTERY": "20",
            "MAX_OTHER_LOAD": "1.5", "SCHEDULE": "22:00-07:00, 12:00-13:30", "THERMAL_LIMIT": "critical",
        ])
        #expect(s.mode == .schedule)
        #expect(s.idleAfter == .seconds(90))
        #expect(!s.requireACPower)
        #expect(s.minBattery == 20)
        #expect(s.maxOtherLoad == 1.5)
        #expect(s.schedule == [ScheduleWindow(start: 1320, end: 420), ScheduleWindow(start: 720, end: 810)])
        #expect(s.thermalLimit == .critical)
        #expect(try Self.load(["IDLE_AFTER": "10m"]).idleAfter == .seconds(600))
        #expect(try Self.load(["IDLE_AFTER": "300"]).idleAfter == .seconds(300))
        #expect(try Self.load(["IDLE_AFTER": "1h"]).idleAfter == .seconds(3600))
        #expect(try Self.load(["SCHEDULE": "09:00-24:00"]).schedule == [ScheduleWindow(start: 540, end: 0)])
    }

    @Test(arguments: [
        ("SERVE_WHEN", "sometimes", "is not a serving mode"),
        ("SERVE_WHEN", "schedule", "SERVE_WHEN=schedule needs it"),
        ("IDLE_AFTER", "10 minutes", "is not a duration"),
        ("IDLE_AFTER", "0", "is not a duration"),
        ("IDLE_AFTER", "-5m", "is not a duration"),
        ("IDLE_AFTER", "1.5m", "is not a duration"),
        ("IDLE_AFTER", "2d", "is not a duration"),
        ("REQUIRE_AC_POWER", "maybe", "is not true or false"),
        ("MIN_BATTERY", "101", "is out of range"),
        ("MIN_BATTERY", "half", "is not a whole number"),
        ("MIN_BATTERY", "-1", "is not a whole number"),
        ("MAX_OTHER_LOAD", "high", "is not a load"),
        ("MAX_OTHER_LOAD", "-1", "is not a load"),
        ("MAX_OTHER_LOAD", "1.2.3", "is not a load"),
        ("SCHEDULE", "22:00", "is not a time window"),
        ("SCHEDULE", "25:00-07:00", "is not a time window"),
        ("SCHEDULE", "22:60-07:00", "is not a time window"),
        ("SCHEDULE", "7:00-9:00", "is not a time window"),
        ("SCHEDULE", "08:00-08:00", "is not a time window"),
        ("SCHEDULE", "22:00-07:00,nights", "is not a time window"),
        ("THERMAL_LIMIT", "hot", "is not a thermal pressure"),
        ("THERMAL_LIMIT", "nominal", "is not a thermal pressure"),
    ])
    func badValueNamesKeyAndFix(key: String, value: String, problem: String) {
        let error = ConfigurationTests.rejection([key: value])
        #expect(error?.key == (value == "schedule" ? "SCHEDULE" : key))
        #expect(error?.problem.contains(problem) == true, "\(String(describing: error))")
        #expect(error?.fix.isEmpty == false)
    }

    @Test func durationText() {
        #expect(DurationText.seconds("2h") == 7200)
        #expect(DurationText.seconds("1d") == 86_400)
        #expect(DurationText.seconds("45") == 45)
        #expect(DurationText.seconds(" 30M ") == 1800)
        for bad in ["", "h", "2x", "-2h", "1.5h", "2 h", "9999999999"] { #expect(DurationText.seconds(bad) == nil, "\(bad)") }
    }

    @Test func windowsOverMidnight() throws {
        let night = try #require(ScheduleWindow("22:00-07:00"))
        #expect(night.contains(minuteOfDay: 22 * 60))
        #expect(night.contains(minuteOfDay: 3 * 60))
        #expect(!night.contains(minuteOfDay: 7 * 60))
        #expect(!night.contains(minuteOfDay: 12 * 60))
        let lunch = try #require(ScheduleWindow("12:00-13:30"))
        #expect(lunch.contains(minuteOfDay: 12 * 60 + 29))
        #expect(!lunch.contains(minuteOfDay: 13 * 60 + 30))
        #expect(night.description == "22:00-07:00")
    }
}
