import AsyncHTTPClient
import Logging
import NIOCore

extension HTTPClient {
    /// The client backends use unless given another: like `HTTPClient.shared`
    /// it is an immutable constant that lives as long as the process and is
    /// never shut down, but its settings suit a backend on the same machine:
    /// - a refused connection fails at once rather than being retried for
    ///   90 s, so a stopped backend turns into a prompt refund;
    /// - the read timeout is 10 minutes, not 90 s: Ollama says nothing while
    ///   it loads a model, and a generation is bounded by its caller
    ///   cancelling it; the timeout only catches a dead socket;
    /// - redirects are not followed: the operator configured the address,
    ///   and a backend has no business sending us elsewhere.
    public static let inference: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .minutes(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
                          backgroundActivityLogger: Logger(label: "loom.inference.http"))
    }()
}
