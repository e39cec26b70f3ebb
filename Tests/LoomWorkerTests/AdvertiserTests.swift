import LoomProtocol
import Testing

@testable import LoomWorker

/// What the advertisement says about the machine. (The advertiser itself
/// publishes to a real relay: AdvertiserTests in LoomWorkerLiveTests.)
@Suite struct AdvertiserTests {
    @Test func hardwareIsCoarse() {
        let hardware = Hardware.current()
        #expect(["x86_64", "arm64"].contains(hardware.chipFamily) || hardware.chipFamily.hasPrefix("apple-m"))
        #expect(MemoryTier.allCases.contains(hardware.memoryTier))
        // The generation only: a variant (Pro, Max) would narrow the crowd a worker hides in.
        #expect(Hardware.appleFamily("Apple M2 Pro") == "apple-m2")
        #expect(Hardware.appleFamily("Apple M4") == "apple-m4")
        #expect(Hardware.appleFamily("Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz") == nil)
        #expect(Hardware.architectureFamily("aarch64") == "arm64")
        #expect(Hardware.architectureFamily("amd64") == "x86_64")
        #expect(Hardware.architectureFamily("weird arch!") == "unknown")
    }
}
