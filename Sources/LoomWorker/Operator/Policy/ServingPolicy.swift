import Foundation

/// Why the worker serves or not: the code in logs, `loom worker status` and
/// its `--json` (`serving_reason`).
public enum ServingReason: String, Sendable, Codable, CaseIterable {
    // Serving.
    case always
    case idle
    case inSchedule = "in-schedule"
    // Not serving.
    case paused
    case userActive = "user-active"
    case idleUnknown = "idle-unknown"
    case outsideSchedule = "outside-schedule"
    case onBattery = "on-battery"
    case batteryLow = "battery-low"
    case busyMachine = "busy-machine"
    case thermalSerious = "thermal-serious"
    case thermalCritical = "thermal-critical"
}

public struct ServingDecision: Sendable, Equatable {
    public var serve: Bool
    public var reason: ServingReason
    /// The numbers behind the reason, for people: "idle 42 s of 600 s".
    public var detail: String

    public init(serve: Bool, reason: ServingReason, detail: String) {
        self.serve = serve
        self.reason = reason
        self.detail = detail
    }
}

/// The serving policy as a pure function: settings, readings, the time and
/// a manual pause in; serve or not, with the reason, out. No I/O, no clock
/// of its own, so every case is a line in a table test.
public struct ServingPolicy: Sendable {
    public let settings: ServingSettings
    /// The schedule's time zone (the machine's own in production).
    public let timeZone: TimeZone

    public init(settings: ServingSettings, timeZone: TimeZone = .current) {
        self.settings = settings
        self.timeZone = timeZone
    }

    /// The first reason not to serve wins, in this order: the operator's
    /// pause, then the mode (user present, outside the schedule), then the
    /// machine (power, battery, load, heat). `always` checks only the
    /// pause: existing operators see no change.
    public func decide(_ r: MachineReadings, now: Date, pausedUntil: Pause? = nil) -> ServingDecision {
        if let pause = pausedUntil, pause.isActive(at: now) {
            return .init(serve: false, reason: .paused, detail: pause.description)
        }
        let serving: ServingDecision
        switch settings.mode {
        case .always:
            return .init(serve: true, reason: .always, detail: "SERVE_WHEN=always")
        case .idle:
            let limit = Double(settings.idleAfter.components.seconds)
            guard let idle = r.idleSeconds else {
                return .init(
                    serve: false, reason: .idleUnknown,
                    detail: "no idle time from this machine (\(idleNotes(r)))")
            }
            guard idle >= limit else {
                return .init(serve: false, reason: .userActive, detail: "idle \(Int(idle)) s of \(Int(limit)) s")
            }
            serving = .init(serve: true, reason: .idle, detail: "idle \(Int(idle)) s")
        case .schedule:
            let minute = minuteOfDay(now)
            guard let window = settings.schedule.first(where: { $0.contains(minuteOfDay: minute) }) else {
                let windows = settings.schedule.map(\.description).joined(separator: ",")
                return .init(serve: false, reason: .outsideSchedule, detail: "now \(clock(minute)), schedule \(windows)")
            }
            serving = .init(serve: true, reason: .inSchedule, detail: "in \(window)")
        }
        return machineRefusal(r) ?? serving
    }

    /// Power, battery, other load and heat. An unknown reading never stops
    /// the worker: a desktop has no battery, a VM no thermal zone.
    func machineRefusal(_ r: MachineReadings) -> ServingDecision? {
        let onBattery = r.onACPower == false
        if settings.requireACPower, onBattery {
            return .init(serve: false, reason: .onBattery, detail: "on battery and REQUIRE_AC_POWER=true")
        }
        if onBattery, let charge = r.batteryPercent, charge < settings.minBattery {
            return .init(serve: false, reason: .batteryLow, detail: "battery \(charge) % < MIN_BATTERY \(settings.minBattery) %")
        }
        if let limit = settings.maxOtherLoad, let load = r.otherLoad, load > limit {
            let shown = (load * 100).rounded() / 100
            return .init(serve: false, reason: .busyMachine, detail: "other load \(shown) > MAX_OTHER_LOAD \(limit)")
        }
        if let heat = r.thermal, heat >= settings.thermalLimit {
            return .init(
                serve: false, reason: heat >= .critical ? .thermalCritical : .thermalSerious,
                detail: "thermal pressure \(heat), THERMAL_LIMIT \(settings.thermalLimit)")
        }
        return nil
    }

    /// What the sensors said about the idle time (the other notes are about power or heat).
    private func idleNotes(_ r: MachineReadings) -> String {
        let notes = r.notes.filter { $0.hasPrefix("idle unknown") }
        return (notes.isEmpty ? r.notes : notes).joined(separator: "; ")
    }

    func minuteOfDay(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }

    private func clock(_ minute: Int) -> String { ScheduleWindow.clock(minute) }
}
