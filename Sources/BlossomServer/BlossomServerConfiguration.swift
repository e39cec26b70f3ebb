import Foundation

/// Everything `loom blossom serve` can set. Defaults are safe for a worker:
/// loopback only, 100 MiB uploads, anyone with a valid token may upload.
public struct BlossomServerConfiguration: Sendable {
    /// Address to bind. Loopback unless the operator opts in to more.
    public var host: String
    /// TCP port; 0 asks the system for a free one (see `BlossomServer.onRunning`).
    public var port: Int
    /// Holds `blobs/`, `tmp/` and `index.sqlite`. Created if missing.
    public var dataDirectory: String
    /// Largest blob accepted, checked against Content-Length and while streaming.
    public var maxUploadBytes: Int64
    /// Hex pubkeys allowed to upload; nil lets any valid token upload.
    public var allowedPubkeys: Set<String>?
    /// Base of the `url` in descriptors, e.g. `https://blobs.example.com`.
    /// When nil the request's Host header is used (fine on loopback).
    public var publicBaseURL: URL?
    /// Extra domain names a token's `server` tag may name (BUD-11); the host
    /// of `publicBaseURL` and of the request are always accepted.
    public var serverDomains: Set<String>
    /// Seconds a token's created_at may be ahead of our clock.
    public var clockSkew: Int64

    public init(
        host: String = "127.0.0.1", port: Int = 24242, dataDirectory: String,
        maxUploadBytes: Int64 = 100 << 20, allowedPubkeys: Set<String>? = nil,
        publicBaseURL: URL? = nil, serverDomains: Set<String> = [], clockSkew: Int64 = 60
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.maxUploadBytes = maxUploadBytes
        self.allowedPubkeys = allowedPubkeys
        self.publicBaseURL = publicBaseURL
        self.serverDomains = serverDomains
        self.clockSkew = clockSkew
    }
}
