/// How hot the machine runs, in the four steps macOS names
/// (`ProcessInfo.ThermalState`); Linux maps its trip points onto them
/// (`LinuxThermal`).
public enum ThermalPressure: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case nominal, fair, serious, critical

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String { ["nominal", "fair", "serious", "critical"][rawValue] }

    public init?(name: String) {
        guard let value = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = value
    }
}

/// One look at the machine. Every field may be unknown (nil): a sensor the
/// platform lacks, a file not there. `notes` says why, for the log and
/// `loom worker status`; the policy decides what unknown means for each.
public struct MachineReadings: Sendable, Equatable {
    /// Seconds since the last keyboard or mouse input.
    public var idleSeconds: Double?
    /// Running on mains power.
    public var onACPower: Bool?
    /// Charge of the battery in percent; nil when there is none.
    public var batteryPercent: Int?
    /// One-minute load average minus the worker's own share, in CPUs.
    public var otherLoad: Double?
    public var thermal: ThermalPressure?
    public var notes: [String]

    public init(
        idleSeconds: Double? = nil, onACPower: Bool? = nil, batteryPercent: Int? = nil, otherLoad: Double? = nil,
        thermal: ThermalPressure? = nil, notes: [String] = []
    ) {
        self.idleSeconds = idleSeconds
        self.onACPower = onACPower
        self.batteryPercent = batteryPercent
        self.otherLoad = otherLoad
        self.thermal = thermal
        self.notes = notes
    }
}

/// Where the readings come from: `LinuxSensors`, `MacSensors`, or a fake in tests.
public protocol MachineSensors: Sendable {
    func read() async -> MachineReadings
}
