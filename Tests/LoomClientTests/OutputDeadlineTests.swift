import Foundation
import Testing

@testable import LoomClient

/// `JobClient.within`, the one deadline over a result's downloads.
@Suite(.serialized)
struct OutputDeadlineTests {
    /// Each call of a gateway downloads its outputs under a two-minute
    /// deadline; a download that answers first must take its timer with it,
    /// or every call leaves a sleeping task behind for two minutes.
    @Test func aDownloadThatAnswersFirstLeavesNoTimerBehind() async throws {
        let before = liveDeadlineTimers.value
        for _ in 0..<20 {
            let data = try await JobClient.within(.now + .seconds(600)) { () async throws(OutputError) -> Data in
                Data("ok".utf8)
            }
            #expect(data == Data("ok".utf8))
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while liveDeadlineTimers.value > before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(liveDeadlineTimers.value == before, "timers still sleeping: \(liveDeadlineTimers.value - before)")
    }

    @Test func aDownloadPastTheDeadlineIsCutOff() async throws {
        let result = await Result { () async throws(OutputError) -> Data in
            try await JobClient.within(.now + .milliseconds(100)) { () async throws(OutputError) -> Data in
                try? await Task.sleep(for: .seconds(600))
                return Data()
            }
        }
        #expect(result.failure == .overLimit("the outputs' deadline passed"))
    }
}

extension Result {
    init(_ body: () async throws(Failure) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
    var failure: Failure? { if case .failure(let e) = self { e } else { nil } }
}
