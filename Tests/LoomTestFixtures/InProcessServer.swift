import Blossom
import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird app serving in-process for a test, stopped gracefully.
///
/// Never stop one by cancelling its task: a NIO server cancelled while an
/// accepted connection still waits in its accept buffer drops that
/// connection's writer unfinished, and swift-nio traps ("Deinited
/// NIOAsyncWriter without calling finish()", apple/swift-nio#3481). That was
/// the CI flake of docs/TESTING.md, "The teardown crash". A graceful shutdown
/// closes every connection the server accepted, and `stop()` returns only once
/// the server's task has ended, so the next test never shares a dying server.
public final class InProcessServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts the app `make` builds (handing it the bound-port sink) and
    /// returns once it listens; throws what the app threw if it never did.
    public static func start<App: ApplicationProtocol>(
        _ make: (@escaping @Sendable (Int) async -> Void) -> App
    ) async throws -> InProcessServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = make { port in
            continuation.yield(port); continuation.finish()
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: quietLogger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw BlossomError.noServers
        }
        return InProcessServer(port: port, group: group, task: task)
    }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Stops accepting, closes the open connections, and waits for the end.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// A server nobody stopped (a test that threw early) still stops
    /// gracefully, though nobody waits for it.
    deinit {
        let group = group
        Task { await group.triggerGracefulShutdown() }
    }
}

/// Starts any Hummingbird app built with `portSink`, hands its port to `body`,
/// and stops it gracefully afterwards, whether `body` returned or threw.
public func withApplication<App: ApplicationProtocol, T: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> T
) async throws -> T {
    let server = try await InProcessServer.start(make)
    do {
        let result = try await body(server.port)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Hummingbird logs a stopping server's connection errors at error level;
/// tests only care about what clients see.
public let quietLogger: Logger = {
    var logger = Logger(label: "blossom-test")
    logger.logLevel = .critical
    return logger
}()
