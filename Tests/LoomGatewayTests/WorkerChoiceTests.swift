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
