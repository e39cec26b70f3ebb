// macOS sensors. This file cannot be built on the Linux CI machine: it is
// kept small, uses only documented IOKit and Foundation calls, and is
// compiled only on macOS (docs/ARCHITECTURE.md, "Serving policy").
#if os(macOS)
    import Darwin
    import Foundation
    import IOKit
    import IOKit.ps

    /// Idle time from the HID system (`HIDIdleTime`, nanoseconds since the
    /// last input), power from `IOPSCopyPowerSourcesInfo`, heat from
    /// `ProcessInfo.thermalState`, load from `getloadavg` minus the worker's
    /// own CPU time since the last read.
    public actor MacSensors: MachineSensors {
        private var lastSample: (cpu: Double, at: ContinuousClock.Instant)?

        public init() {}

        public func read() async -> MachineReadings {
            var r = MachineReadings()
            r.idleSeconds = Self.idleSeconds()
            if r.idleSeconds == nil { r.notes.append("idle unknown: IOHIDSystem has no HIDIdleTime") }
            (r.onACPower, r.batteryPercent) = Self.power()
            r.thermal =
                switch ProcessInfo.processInfo.thermalState {
                case .nominal: .nominal
                case .fair: .fair
                case .serious: .serious
                case .critical: .critical
                @unknown default: nil
                }
            r.otherLoad = otherLoad()
            return r
        }

        static func idleSeconds() -> Double? {
            let service = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("IOHIDSystem"))
            guard service != 0 else { return nil }
            defer { IOObjectRelease(service) }
            let property = IORegistryEntryCreateCFProperty(service, "HIDIdleTime" as CFString, kCFAllocatorDefault, 0)
            guard let nanoseconds = property?.takeRetainedValue() as? NSNumber else { return nil }
            return nanoseconds.doubleValue / 1_000_000_000
        }

        static func power() -> (onAC: Bool?, battery: Int?) {
            guard let info = IOPSCopyPowerSourcesInfo()?.takeRetainedValue() else { return (nil, nil) }
            let providing = IOPSGetProvidingPowerSourceType(info).map { $0.takeUnretainedValue() as String }
            var battery: Int?
            let sources = IOPSCopyPowerSourcesList(info)?.takeRetainedValue() as? [CFTypeRef] ?? []
            for source in sources {
                guard let description = IOPSGetPowerSourceDescription(info, source)?.takeUnretainedValue() as? [String: Any],
                    let current = description[kIOPSCurrentCapacityKey] as? Int,
                    let maximum = description[kIOPSMaxCapacityKey] as? Int, maximum > 0
                else { continue }
                battery = current * 100 / maximum
            }
            return (providing.map { $0 == kIOPSACPowerValue }, battery)
        }

        func otherLoad() -> Double? {
            var loads = [Double](repeating: 0, count: 1)
            guard getloadavg(&loads, 1) == 1 else { return nil }
            let cpu = Double(clock_gettime_nsec_np(CLOCK_PROCESS_CPUTIME_ID)) / 1e9
            let now = ContinuousClock.now
            defer { lastSample = (cpu, now) }
            guard let last = lastSample else { return loads[0] }
            let wall = Double((now - last.at).components.seconds) + Double((now - last.at).components.attoseconds) / 1e18
            return max(0, loads[0] - (wall > 0 ? (cpu - last.cpu) / wall : 0))
        }
    }
#endif
