// macOS sensors. This file cannot be built on the Linux CI machine: it is
// kept small, uses only documented IOKit and Foundation calls, and is
// compiled only on macOS (docs/ARCHITECTURE.md, "Serving policy"; docs/MAC.md
// says what was and was not checked). Ownership follows CoreFoundation's
// rule: what a `Copy`/`Create` function returns is ours to release
// (`takeRetainedValue`), what a `Get` function returns is borrowed
// (`takeUnretainedValue`); an `io_object_t` is released with `IOObjectRelease`.
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
            // Field by field rather than a tuple assignment from the labelled
            // (onAC:battery:) result: nothing for the compiler to reshuffle.
            let power = Self.power()
            r.onACPower = power.onAC
            r.batteryPercent = power.battery
            r.thermal = Self.thermal(ProcessInfo.processInfo.thermalState)
            r.otherLoad = otherLoad()
            return r
        }

        static func thermal(_ state: ProcessInfo.ThermalState) -> ThermalPressure? {
            switch state {
            case .nominal: return .nominal
            case .fair: return .fair
            case .serious: return .serious
            case .critical: return .critical
            @unknown default: return nil
            }
        }

        static func idleSeconds() -> Double? {
            // kIOMainPortDefault (macOS 12+; the package requires 14) replaces the
            // deprecated kIOMasterPortDefault. IOServiceMatching's dictionary is
            // consumed by IOServiceGetMatchingService (CF_RELEASES_ARGUMENT), which
            // Swift honours: no release of it here.
            let service = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("IOHIDSystem"))
            guard service != IO_OBJECT_NULL else { return nil }
            defer { IOObjectRelease(service) }
            // A Create function: the value is +1, so takeRetainedValue (ARC releases it).
            guard
                let value = IORegistryEntryCreateCFProperty(service, "HIDIdleTime" as CFString, kCFAllocatorDefault, 0)?
                    .takeRetainedValue()
            else { return nil }
            return nanoseconds(value).map { Double($0) / 1_000_000_000 }
        }

        /// `HIDIdleTime` is a CFNumber on current systems but has been a CFData
        /// holding a native-endian UInt64 on others; both are read, anything
        /// else is unknown rather than a crash.
        static func nanoseconds(_ value: CFTypeRef) -> UInt64? {
            // A cast to a CF type cannot fail at run time (Swift does not check
            // it), so the type id is checked first and the downcast is unchecked.
            if CFGetTypeID(value) == CFNumberGetTypeID() {
                var n: Int64 = 0
                guard CFNumberGetValue(unsafeDowncast(value, to: CFNumber.self), .sInt64Type, &n), n >= 0 else { return nil }
                return UInt64(n)
            }
            if CFGetTypeID(value) == CFDataGetTypeID() {
                let data = unsafeDowncast(value, to: CFData.self)
                guard CFDataGetLength(data) == MemoryLayout<UInt64>.size, let bytes = CFDataGetBytePtr(data) else { return nil }
                return UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self)
            }
            return nil
        }

        /// On mains when the providing source is `AC Power` (a UPS or the
        /// battery is not mains); the charge of the internal battery only, so
        /// a UPS's charge does not count as the Mac's.
        static func power() -> (onAC: Bool?, battery: Int?) {
            // Copy: ours (+1). Get: borrowed from `info`, which outlives its use here.
            guard let info = IOPSCopyPowerSourcesInfo()?.takeRetainedValue() else { return (nil, nil) }
            let providing = IOPSGetProvidingPowerSourceType(info).map { $0.takeUnretainedValue() as String }
            var battery: Int?
            let sources = IOPSCopyPowerSourcesList(info)?.takeRetainedValue() as? [CFTypeRef] ?? []
            for source in sources {
                guard let description = IOPSGetPowerSourceDescription(info, source)?.takeUnretainedValue() as? [String: Any],
                    description[kIOPSTypeKey] as? String == kIOPSInternalBatteryType,
                    let current = description[kIOPSCurrentCapacityKey] as? Int,
                    let maximum = description[kIOPSMaxCapacityKey] as? Int, maximum > 0
                else { continue }
                battery = min(battery ?? 100, current * 100 / maximum)
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
