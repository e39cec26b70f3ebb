import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a host name into the addresses a connection to it could reach.
/// A seam so tests can map names to any address without DNS.
public protocol HostResolver: Sendable {
    /// Every address the name resolves to; throws when it resolves to none.
    func addresses(of host: String) async throws -> [IPAddress]
}

public struct ResolutionFailed: Error, CustomStringConvertible {
    public let host: String
    public let reason: String
    public var description: String { "\(host) does not resolve: \(reason)" }

    public init(host: String, reason: String) {
        self.host = host
        self.reason = reason
    }
}

/// The operating system's resolver (`getaddrinfo`), the one the WebSocket
/// client will use to connect. It blocks, so it runs on a dispatch thread,
/// never on one of Swift's cooperative threads.
public struct SystemResolver: HostResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.lookUp(host) })
            }
        }
    }

    static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { throw ResolutionFailed(host: host, reason: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var out: [IPAddress] = []
        var next = list
        while let info = next?.pointee {
            next = info.ai_next
            guard let address = info.ai_addr else { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    out.append(.v4(UInt32(bigEndian: $0.pointee.sin_addr.s_addr)))
                }
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    out.append(.v6(withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }))
                }
            default: continue
            }
        }
        guard !out.isEmpty else { throw ResolutionFailed(host: host, reason: "no IPv4 or IPv6 address") }
        return out
    }
}
