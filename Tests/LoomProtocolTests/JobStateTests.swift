import Testing

@testable import LoomProtocol

@Suite struct JobStateTests {
    /// The whole table, written out independently of the implementation.
    static let allowed: [(JobState, JobState)] = [
        (.received, .paymentVerified), (.received, .rejected), (.received, .cancelled),
        (.paymentVerified, .queued), (.paymentVerified, .running), (.paymentVerified, .failed), (.paymentVerified, .cancelled),
        (.queued, .running), (.queued, .failed), (.queued, .cancelled),
        (.running, .uploading), (.running, .completed), (.running, .failed), (.running, .cancelled),
        (.uploading, .completed), (.uploading, .failed),
    ]

    @Test(arguments: allowed)
    func allowedTransition(_ from: JobState, _ to: JobState) throws {
        #expect(from.canMove(to: to))
        #expect(try from.moving(to: to) == to)
    }

    @Test(arguments: [
        (JobState.received, JobState.running),  // not before the payment is verified
        (.received, .completed),
        (.received, .failed),  // nothing held yet: that is a rejection
        (.paymentVerified, .rejected),  // money taken: only failure with refund
        (.queued, .rejected),
        (.queued, .uploading),
        (.running, .queued),  // no going back
        (.running, .paymentVerified),
        (.uploading, .cancelled),  // the work is done
        (.uploading, .running),
        (.completed, .failed),  // terminal states stay put
        (.failed, .completed),
        (.cancelled, .running),
        (.rejected, .received),
        (.running, .running),  // progress is an update, not a transition
        (.queued, .queued),
    ])
    func forbiddenTransition(_ from: JobState, _ to: JobState) {
        #expect(!from.canMove(to: to))
        #expect(throws: JobStateError(from: from, to: to)) { try from.moving(to: to) }
    }

    @Test func theTableIsExactlyTheMachine() {
        var table: Set<String> = []
        for (a, b) in Self.allowed { table.insert("\(a)>\(b)") }
        for a in JobState.allCases {
            for b in JobState.allCases {
                #expect(a.canMove(to: b) == table.contains("\(a)>\(b)"), "\(a) → \(b)")
            }
        }
    }

    @Test func terminalStatesAndMoney() {
        #expect(JobState.allCases.filter(\.isTerminal) == [.completed, .failed, .cancelled, .rejected])
        #expect(JobState.allCases.filter(\.holdsPayment) == [.paymentVerified, .queued, .running, .uploading])
        #expect(!JobState.rejected.hasBill && JobState.cancelled.hasBill)
        // Whatever goes wrong while money is held, the job can fail, which refunds.
        for s in JobState.allCases where s.holdsPayment { #expect(s.canMove(to: .failed)) }
    }

    @Test func wireNames() {
        #expect(
            JobState.allCases.map(\.rawValue) == [
                "received", "payment-verified", "queued", "running", "uploading", "completed", "failed", "cancelled", "rejected",
            ])
    }
}
