import AsyncHTTPClient
import Logging
import LoomHTTP

extension HTTPClient {
    /// The client backends use unless given another: like `HTTPClient.shared`
    /// it is an immutable constant that lives as long as the process and is
    /// never shut down, but its settings suit a backend on the same machine
    /// (`LoomHTTP` has what all of loom's clients share):
    /// - a refused connection fails at once rather than being retried for
    ///   90 s, so a stopped backend turns into a prompt refund;
    /// - connect 5 s: the backend is on this machine or next to it;
    /// - the read timeout is 10 minutes, not 90 s: Ollama says nothing while
    ///   it loads a model, and a generation is bounded by its caller
    ///   cancelling it; the timeout only catches a dead socket;
    /// - redirects are not followed: the operator configured the address,
    ///   and a backend has no business sending us elsewhere;
    /// - no decompression: streams are read line by line as they arrive.
    public static let inference: HTTPClient = LoomHTTP.makeClient(
        connectTimeout: .seconds(5), readTimeout: .seconds(600), redirects: .disallow,
        logger: Logger(label: "loom.inference.http"))
}
