import LoomProtocol

/// The serving policy's hold on the worker (`PolicyService` decides): off
/// works as shutdown does, without stopping: new requests refused
/// `not-accepting`, the queue refunded, running jobs given `SHUTDOWN_GRACE`
/// and then stopped and billed for what ran. On takes requests again.
extension Worker {
    /// Off, at once: requests refused from now on, the queue refunded.
    /// Returns the transition's epoch for `letRunningFinish`, nil if already off.
    func holdOff(because reason: String) -> Int? {
        guard servingOpen else { return nil }
        servingOpen = false
        servingReason = reason
        servingEpoch += 1
        logger.info(
            "worker not serving",
            metadata: ["reason": "\(reason)", "running": "\(scheduler.running.count)", "queued": "\(scheduler.queue.count)"])
        refundQueue(failure: Self.notServing)
        return servingEpoch
    }

    /// The running jobs get `SHUTDOWN_GRACE`, then are stopped and billed
    /// for what ran, unless the policy turned on again meanwhile. Shutdown
    /// (accepting false) takes them over with its own grace.
    func letRunningFinish(epoch: Int) async {
        let stopped = await stopRunning(after: configuration.shutdownGrace) {
            servingOpen || servingEpoch != epoch || !accepting || Task.isCancelled
        }
        if stopped { logger.info("running jobs stopped after the grace; the worker is not serving") }
    }

    public func resumeServing() {
        guard !servingOpen else { return }
        servingOpen = true
        servingReason = nil
        servingEpoch += 1
        logger.info("worker serving again")
    }

    /// Taking requests: not shutting down and the policy on. The advertiser's `accepting`.
    public func isAccepting() -> Bool { accepting && servingOpen }

    /// A failure code of the worker's own: the serving policy (or the
    /// operator's pause) stopped serving before a queued job started.
    static let notServing = Reason(
        code: "not-serving",
        message: "the worker stopped serving (its operator's policy or pause) before the job started; refunded in full")
}
