import LoomClient
import LoomProtocol
import Testing

@testable import LoomGateway

/// Which worker a call goes to, and the next one after a refusal.
struct WorkerChoiceTests {
    @Test func cheapestWithRoomThenTheRest() throws {
        let cheapBusy = try offer("cheap", price: 1000, running: 1)
        let dear = try offer("dear", price: 3000)
        let mid = try offer("mid", price: 2000)
        let offers = [cheapBusy, dear, mid]
        #expect(WorkerChoice.next(offers, model: "m", pinned: nil, tried: [], inFlight: [:])?.worker == mid.worker)
        #expect(WorkerChoice.next(offers, model: "m", pinned: nil, tried: [mid.worker], inFlight: [:])?.worker == dear.worker)
        // With every free one tried, a busy worker is still better than none.
        #expect(
            WorkerChoice.next(offers, model: "m", pinned: nil, tried: [mid.worker, dear.worker], inFlight: [:])?.worker
                == cheapBusy.worker)
        #expect(WorkerChoice.next(offers, model: "m", pinned: nil, tried: Set(offers.map(\.worker)), inFlight: [:]) == nil)
    }

    @Test func ourOwnCallsInFlightCountAsLoad() throws {
        let a = try offer("a", price: 1000), b = try offer("b", price: 1000)
        let first = try #require(WorkerChoice.next([a, b], model: "m", pinned: nil, tried: [], inFlight: [:]))
        let second = WorkerChoice.next([a, b], model: "m", pinned: nil, tried: [], inFlight: [first.worker: 1])
        #expect(second != nil && second?.worker != first.worker)
    }

    @Test func amongEqualPricesWithRoomTheWarmWorkerFirst() throws {
        let cold = try offer("a-cold", price: 1000, warm: []), warm = try offer("b-warm", price: 1000, warm: ["m"])
        let cheaperCold = try offer("c-cheap", price: 500, warm: [])
        #expect(WorkerChoice.next([cold, warm], model: "m", pinned: nil, tried: [], inFlight: [:])?.worker == warm.worker)
        #expect(
            WorkerChoice.next([cold, warm, cheaperCold], model: "m", pinned: nil, tried: [], inFlight: [:])?.worker
                == cheaperCold.worker, "price first")
        #expect(
            WorkerChoice.next([cold, warm], model: "m", pinned: nil, tried: [], inFlight: [warm.worker: 1])?.worker
                == cold.worker, "room first: our own call fills the warm one")
    }

    @Test func pinnedWorkersInTheirOrderOnly() throws {
        let a = try offer("a", price: 1000), b = try offer("b", price: 3000), c = try offer("c", price: 2000)
        let pinned = [b.worker, a.worker]
        #expect(WorkerChoice.next([a, b, c], model: "m", pinned: pinned, tried: [], inFlight: [:])?.worker == b.worker)
        #expect(WorkerChoice.next([a, b, c], model: "m", pinned: pinned, tried: [b.worker], inFlight: [:])?.worker == a.worker)
        #expect(WorkerChoice.next([a, b, c], model: "m", pinned: pinned, tried: [a.worker, b.worker], inFlight: [:]) == nil)
    }

    @Test func onlyWorkersServingTheModel() throws {
        let other = try offer("other", price: 1, models: ["x"])
        #expect(WorkerChoice.next([other], model: "m", pinned: nil, tried: [], inFlight: [:]) == nil)
    }

    /// 222228d ranked by msat/s alone and bought the minimum whatever it was:
    /// a 1 msat/s offer with `min_seconds: 99000` won every call.
    @Test func aMinimumSecondsTrapIsSkippedAndOthersAreTried() throws {
        let trap = try offer("trap", price: 1, minSeconds: 99_000, maxSeconds: 100_000)
        let honest = try offer("honest", price: 2000)
        let terms = CallTerms(maxSeconds: 60, capSat: 1000)
        let (usable, refused) = WorkerChoice.candidates([trap, honest], model: "m", terms: terms)
        #expect(usable.map(\.worker) == [honest.worker])
        #expect(refused.count == 1 && refused[0].contains("trap") && refused[0].contains("min_seconds"))
        #expect(
            WorkerChoice.next([trap, honest], model: "m", pinned: nil, tried: [], inFlight: [:], terms: terms)?.worker
                == honest.worker)
        // A long minimum under the caps is ranked by what the call costs, not by msat/s.
        let longMinimum = try offer("long-min", price: 100, minSeconds: 50)
        let plain = try offer("plain", price: 400)
        #expect(
            WorkerChoice.next([longMinimum, plain], model: "m", pinned: nil, tried: [], inFlight: [:], terms: terms)?.worker
                == plain.worker, "100 msat/s × 50 s is dearer than 400 msat/s × 10 s")
    }

    @Test func anAvoidedWorkerIsNeverChosenAndSaysWhy() throws {
        let cheat = try offer("cheat", price: 1), honest = try offer("honest", price: 5000)
        let standings: [String: WorkerStanding] = [cheat.worker: .avoided(.fakeChange)]
        let (usable, refused) = WorkerChoice.candidates(
            [cheat, honest], model: "m", terms: CallTerms(), standings: standings)
        #expect(usable.map(\.worker) == [honest.worker])
        #expect(refused.first?.contains("returned change the mint does not honour") == true)
        #expect(refused.first?.contains("--forgive") == true)
        #expect(
            WorkerChoice.next([cheat], model: "m", pinned: [cheat.worker], tried: [], inFlight: [:], standings: standings)
                == nil, "pinning does not override avoidance")
    }

    @Test func aNewWorkerGetsOneCallAtATimeAndProvenOnesWinTies() throws {
        let fresh = try offer("a-new", price: 1000, maxConcurrent: 4), proven = try offer("b-good", price: 1000, maxConcurrent: 4)
        let standings: [String: WorkerStanding] = [proven.worker: .good]
        let usable = WorkerChoice.candidates([fresh, proven], model: "m", terms: CallTerms(), standings: standings).usable
        #expect(WorkerChoice.next(usable, model: "m", pinned: nil, tried: [], inFlight: [:])?.worker == proven.worker)
        let newOne = try #require(usable.first { $0.worker == fresh.worker })
        #expect(WorkerChoice.hasRoom(newOne, inFlight: 0))
        #expect(!WorkerChoice.hasRoom(newOne, inFlight: 1), "its trial is one call at a time")
        let provenOne = try #require(usable.first { $0.worker == proven.worker })
        #expect(WorkerChoice.hasRoom(provenOne, inFlight: 3))
    }

    /// 222228d trapped on `running: Int.max` (running + inFlight overflowed).
    @Test func absurdLoadNumbersDoNotTrap() throws {
        let a = try offer("a", price: 1000, maxConcurrent: 1_000_000, running: 1_000_000)
        #expect(!WorkerChoice.hasRoom(a, inFlight: Int.max))
    }

    @Test func dispatchReservesAtomicallyAndBoundsCalls() async throws {
        let a = try offer("a", price: 1000), b = try offer("b", price: 1000)
        let dispatch = Dispatch(maxConcurrent: 2)
        let one = await dispatch.reserve([a, b], model: "m", pinned: nil, tried: [])
        let two = await dispatch.reserve([a, b], model: "m", pinned: nil, tried: [])
        #expect(one != nil && two != nil && one?.worker != two?.worker)
        await dispatch.release(one!.worker)
        #expect(await dispatch.reserve([a, b], model: "m", pinned: nil, tried: [])?.worker == one?.worker)
    }
}
