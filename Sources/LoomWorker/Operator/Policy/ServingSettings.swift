import Foundation

/// When the worker serves: `SERVE_WHEN` and the conditions that go with it
/// (docs: .env.example, "serving policy"). The default, `always`, serves
/// whenever the worker runs, as before the policy existed; only a manual
/// pause (`loom worker pause`) stops it.
public struct ServingSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Serve whenever the worker runs (unless paused).
        case always
        /// Serve once nobody has touched keyboard or mouse for `idleAfter`.
        case idle
        /// Serve inside the `schedule` windows.
        case schedule
    }

    public var mode: Mode
    /// No input for this long counts as idle (`IDLE_AFTER`, default 10 minutes).
    public var idleAfter: Duration
    /// On battery, do not serve (`REQUIRE_AC_POWER`, default true).
    public var requireACPower: Bool
    /// On battery, do not serve below this charge in percent (`MIN_BATTERY`, default 50).
    public var minBattery: Int
    /// The load average of other processes, in CPUs, above which the worker
    /// stops (`MAX_OTHER_LOAD`); nil = not checked.
    public var maxOtherLoad: Double?
    /// Local-time windows for `schedule` (`SCHEDULE=22:00-07:00,12:00-13:00`).
    public var schedule: [ScheduleWindow]
    /// Thermal pressure at which the worker stops (`THERMAL_LIMIT`, default serious).
    public var thermalLimit: ThermalPressure

    public init(
        mode: Mode = .always, idleAfter: Duration = .seconds(600), requireACPower: Bool = true, minBattery: Int = 50,
        maxOtherLoad: Double? = nil, schedule: [ScheduleWindow] = [], thermalLimit: ThermalPressure = .serious
    ) {
        self.mode = mode
        self.idleAfter = idleAfter
        self.requireACPower = requireACPower
        self.minBattery = minBattery
        self.maxOtherLoad = maxOtherLoad
        self.schedule = schedule
        self.thermalLimit = thermalLimit
    }
}
