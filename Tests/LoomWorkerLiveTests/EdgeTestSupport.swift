import Foundation
import LoomTestFixtures
import NostrRelay

// The other helpers of the edge tests (`edgeEventually`, `edgeLogger`,
// `edgeTemporaryFile`) are in LoomTestFixtures: LoomWorkerTests use them too.

/// A pool that reconnects quickly, connected to `urls`.
func edgePool(_ urls: [String]) async throws -> RelayPool {
    let configuration = RelayConfiguration(
        publishTimeout: .seconds(30), backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1)))
    let pool = try RelayPool(urls: urls, configuration: configuration, logger: edgeLogger("test.pool"))
    await pool.connect()
    return pool
}
