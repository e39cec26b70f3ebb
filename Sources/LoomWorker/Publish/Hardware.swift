import Foundation
import LoomProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The coarse facts a worker advertises about its machine: the chip family and
/// a memory tier. Deliberately nothing else (no model numbers, core counts,
/// exact memory, host names): enough to choose a worker, too little to tell
/// one operator's machine from another's.
public enum Hardware {
    public static func current() -> Advertisement.Hardware {
        Advertisement.Hardware(chipFamily: chipFamily(), memoryTier: MemoryTier(bytes: ProcessInfo.processInfo.physicalMemory))
    }

    /// `apple-m1`…`apple-m4` on Apple silicon, else the architecture:
    /// `x86_64` or `arm64` (Linux says `aarch64` for the latter).
    static func chipFamily() -> String {
        #if os(macOS)
            if let brand = sysctlString("machdep.cpu.brand_string"), let family = appleFamily(brand) { return family }
        #endif
        return architectureFamily(machine())
    }

    /// "Apple M2 Pro" → `apple-m2`: the generation only, never the variant.
    static func appleFamily(_ brand: String) -> String? {
        let words = brand.lowercased().split(separator: " ")
        guard words.first == "apple", words.count >= 2, words[1].first == "m",
            words[1].dropFirst().allSatisfy(\.isNumber), words[1].count >= 2
        else { return nil }
        return "apple-\(words[1])"
    }

    static func architectureFamily(_ machine: String) -> String {
        switch machine.lowercased() {
        case "x86_64", "amd64": "x86_64"
        case "arm64", "aarch64": "arm64"
        case let other
        where !other.isEmpty && other.count <= 32 && other.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }):
            other
        default: "unknown"
        }
    }

    private static func machine() -> String {
        var info = utsname()
        guard uname(&info) == 0 else { return "" }
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    #if os(macOS)
        private static func sysctlString(_ name: String) -> String? {
            var size = 0
            guard sysctlbyname(name, nil, &size, nil, 0) == 0, size > 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: size)
            guard sysctlbyname(name, &bytes, &size, nil, 0) == 0 else { return nil }
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    #endif
}
