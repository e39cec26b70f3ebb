import LoomProtocol

/// The gateway's shared state: how many calls run (at most `maxConcurrent`;
/// the rest wait their turn in arrival order) and how many of ours each
/// worker is serving, which `WorkerChoice` counts as load.
actor Dispatch {
    let maxConcurrent: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var inFlight: [String: Int] = [:]

    init(maxConcurrent: Int) { self.maxConcurrent = max(maxConcurrent, 1) }

    /// Waits for a free call slot.
    func enter() async {
        if running < maxConcurrent {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Frees a slot, handing it straight to the oldest waiting call.
    func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Chooses the next worker for a call and counts the call on it, in one
    /// step so that two calls choosing at once see each other.
    func reserve(_ candidates: [Candidate], model: String, pinned: [String]?, tried: Set<String>) -> Candidate? {
        guard let chosen = WorkerChoice.next(candidates, model: model, pinned: pinned, tried: tried, inFlight: inFlight)
        else { return nil }
        inFlight[chosen.worker, default: 0] += 1
        return chosen
    }

    /// `reserve` over bare offers with default terms (tests).
    func reserve(_ offers: [WorkerOffer], model: String, pinned: [String]?, tried: Set<String>) -> WorkerOffer? {
        let usable = WorkerChoice.candidates(offers, model: model, terms: CallTerms()).usable
        return reserve(usable, model: model, pinned: pinned, tried: tried)?.offer
    }

    /// Calls running or waiting for a slot: what a shutdown waits for.
    var calls: Int { running + waiting.count }

    func release(_ worker: String) {
        inFlight[worker, default: 1] -= 1
        if inFlight[worker] == 0 { inFlight[worker] = nil }
    }
}
