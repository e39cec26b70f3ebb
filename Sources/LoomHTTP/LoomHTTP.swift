import AsyncHTTPClient
import Logging
import NIOCore

/// The one place loom configures an `HTTPClient`. Each user keeps its own
/// long-lived instance, made here with what it needs:
///
/// | user | connect | read | redirects | decompression |
/// |---|---|---|---|---|
/// | `MintClient.sharedHTTPClient` | 5 s | 90 s | none | as `HTTPClient.shared` |
/// | `BlossomClient.sharedHTTPClient` | 10 s | 90 s | up to 5 | off |
/// | `HTTPClient.inference` | 5 s | 10 min | none | off |
///
/// The callers say why theirs differ. What they share is the reason loom
/// has clients of its own (docs/ARCHITECTURE.md): `HTTPClient.shared`
/// re-dials a refused connection until the request's deadline, so a server
/// that is down costs 20–90 s per attempt; here a refused connection fails
/// the request at once and the caller's own retry, fallback or refund decides.
public enum LoomHTTP {
    /// A client on the shared event loop group, never shut down (like
    /// `HTTPClient.shared`): make one per use and keep it for the process.
    /// The rest of the settings are AsyncHTTPClient's browser-like defaults
    /// (`singletonConfiguration`: TLS verification on, idle connections kept 10 min).
    public static func makeClient(
        connectTimeout: Duration,
        readTimeout: Duration = .seconds(90),
        redirects: HTTPClient.Configuration.RedirectConfiguration,
        decompression: HTTPClient.Decompression = .disabled,
        logger: Logger? = nil
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = timeAmount(connectTimeout)
        configuration.timeout.read = timeAmount(readTimeout)
        configuration.redirectConfiguration = redirects
        configuration.decompression = decompression
        guard let logger else {
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }
        return HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
            backgroundActivityLogger: logger)
    }

    /// `Duration` (what loom's settings use) as NIO's `TimeAmount`, to the nanosecond.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
