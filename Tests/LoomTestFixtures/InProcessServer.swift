import Blossom
import Hummingbird
import Logging

/// Starts any Hummingbird app built with `portSink`, hands its port to `body`,
/// and cancels it afterwards.
public func withApplication<App: ApplicationProtocol, T: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = make { port in
        continuation.yield(port); continuation.finish()
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BlossomError.noServers }
        do {
            let result = try await body(port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Stopping a server by cancelling its task makes Hummingbird log at error
/// level; tests only care about what clients see.
public let quietLogger: Logger = {
    var logger = Logger(label: "blossom-test")
    logger.logLevel = .critical
    return logger
}()
