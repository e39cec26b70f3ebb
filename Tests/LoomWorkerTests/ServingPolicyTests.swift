import Foundation
import LoomWorker
import Testing

/// The serving policy's decisions as a table: settings, readings, the time
/// and a pause in; serve or not and the reason out.
@Suite struct ServingPolicyTests {
    /// 2026-01-01 12:00 UTC; the policy reads the schedule in UTC here.
    static let noon = Date(timeIntervalSince1970: 1_767_268_800)
    static let idle = ServingSettings(mode: .idle, idleAfter: .seconds(600))
    static let night = ServingSettings(mode: .schedule, schedule: [ScheduleWindow("22:00-07:00")!])
    static let desk = MachineReadings(idleSeconds: 900, onACPower: true, batteryPercent: nil, otherLoad: 0.2, thermal: .nominal)

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let settings: ServingSettings
        var readings = ServingPolicyTests.desk
        var at = ServingPolicyTests.noon
        var pause: Pause? = nil
        let serve: Bool
        let reason: ServingReason
        var testDescription: String { name }
    }

    static func with(_ change: (inout MachineReadings) -> Void) -> MachineReadings {
        var r = desk
        change(&r)
        return r
    }

    static func settings(_ change: (inout ServingSettings) -> Void) -> ServingSettings {
        var s = idle
        change(&s)
        return s
    }

    static func hours(_ h: Double) -> Date { noon.addingTimeInterval(h * 3600) }
    static let nowSeconds = Int64(noon.timeIntervalSince1970)

    static let cases: [Case] = [
        // always: nothing but a pause stops it, whatever the machine says.
        Case(name: "always serves", settings: .init(), serve: true, reason: .always),
        Case(
            name: "always ignores battery and heat", settings: .init(),
            readings: with {
                $0.onACPower = false; $0.batteryPercent = 5; $0.thermal = .critical; $0.idleSeconds = 0
            },
            serve: true, reason: .always),
        Case(
            name: "always stops for a pause", settings: .init(), pause: Pause(since: nowSeconds, until: nil), serve: false,
            reason: .paused),
        Case(
            name: "a pause that ended no longer counts", settings: .init(),
            pause: Pause(since: nowSeconds - 7200, until: nowSeconds - 1), serve: true, reason: .always),
        Case(
            name: "a pause still running", settings: idle, pause: Pause(since: nowSeconds, until: nowSeconds + 60), serve: false,
            reason: .paused),
        // idle
        Case(name: "idle long enough", settings: idle, serve: true, reason: .idle),
        Case(
            name: "idle exactly at the limit", settings: idle, readings: with { $0.idleSeconds = 600 }, serve: true, reason: .idle
        ),
        Case(
            name: "user at the keyboard", settings: idle, readings: with { $0.idleSeconds = 42 }, serve: false,
            reason: .userActive),
        Case(
            name: "idle unknown does not serve", settings: idle, readings: with { $0.idleSeconds = nil }, serve: false,
            reason: .idleUnknown),
        Case(name: "on battery", settings: idle, readings: with { $0.onACPower = false }, serve: false, reason: .onBattery),
        Case(
            name: "on battery allowed, charge fine", settings: settings { $0.requireACPower = false },
            readings: with {
                $0.onACPower = false; $0.batteryPercent = 80
            }, serve: true, reason: .idle),
        Case(
            name: "on battery allowed, charge low", settings: settings { $0.requireACPower = false },
            readings: with {
                $0.onACPower = false; $0.batteryPercent = 49
            }, serve: false, reason: .batteryLow),
        Case(
            name: "low battery while charging serves", settings: settings { $0.requireACPower = false },
            readings: with {
                $0.onACPower = true; $0.batteryPercent = 10
            }, serve: true, reason: .idle),
        Case(
            name: "unknown power counts as mains", settings: idle, readings: with { $0.onACPower = nil }, serve: true,
            reason: .idle),
        Case(
            name: "busy machine", settings: settings { $0.maxOtherLoad = 1 }, readings: with { $0.otherLoad = 1.5 },
            serve: false, reason: .busyMachine),
        Case(
            name: "load at the limit serves", settings: settings { $0.maxOtherLoad = 1 }, readings: with { $0.otherLoad = 1 },
            serve: true, reason: .idle),
        Case(
            name: "load not checked without MAX_OTHER_LOAD", settings: idle, readings: with { $0.otherLoad = 50 }, serve: true,
            reason: .idle),
        Case(name: "fair heat serves", settings: idle, readings: with { $0.thermal = .fair }, serve: true, reason: .idle),
        Case(
            name: "serious heat stops", settings: idle, readings: with { $0.thermal = .serious }, serve: false,
            reason: .thermalSerious),
        Case(
            name: "critical heat stops", settings: idle, readings: with { $0.thermal = .critical }, serve: false,
            reason: .thermalCritical),
        Case(
            name: "serious heat allowed by THERMAL_LIMIT=critical", settings: settings { $0.thermalLimit = .critical },
            readings: with { $0.thermal = .serious }, serve: true, reason: .idle),
        Case(
            name: "user activity wins over battery", settings: idle,
            readings: with {
                $0.idleSeconds = 1; $0.onACPower = false
            }, serve: false, reason: .userActive),
        // schedule (UTC)
        Case(name: "noon is outside the night", settings: night, serve: false, reason: .outsideSchedule),
        Case(name: "23:00 is inside", settings: night, at: hours(11), serve: true, reason: .inSchedule),
        Case(name: "03:00 is inside", settings: night, at: hours(15), serve: true, reason: .inSchedule),
        Case(name: "07:00 is outside", settings: night, at: hours(19), serve: false, reason: .outsideSchedule),
        Case(
            name: "schedule ignores the keyboard", settings: night, readings: with { $0.idleSeconds = 0 }, at: hours(11),
            serve: true, reason: .inSchedule),
        Case(
            name: "schedule still stops on battery", settings: night, readings: with { $0.onACPower = false }, at: hours(11),
            serve: false, reason: .onBattery),
    ]

    @Test(arguments: cases)
    func decides(_ c: Case) {
        let policy = ServingPolicy(settings: c.settings, timeZone: TimeZone(identifier: "UTC")!)
        let d = policy.decide(c.readings, now: c.at, pausedUntil: c.pause)
        #expect(d.serve == c.serve, "\(c.name): \(d)")
        #expect(d.reason == c.reason, "\(c.name): \(d)")
        #expect(!d.detail.isEmpty)
    }

    @Test func idleUnknownSaysWhy() {
        let r = MachineReadings(notes: ["idle unknown: no logind session with a seat"])
        let d = ServingPolicy(settings: Self.idle).decide(r, now: Self.noon)
        #expect(d.detail.contains("no logind session with a seat"))
    }
}
