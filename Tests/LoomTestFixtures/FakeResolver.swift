import AddressSafety
import Foundation

/// Names mapped to addresses by the test, never by DNS; records what it was
/// asked (the address-safety seam: no test resolves a real name).
public final class FakeResolver: HostResolver, @unchecked Sendable {
    public let table: [String: [String]]
    private let lock = NSLock()
    private var _asked: [String] = []
    public init(_ table: [String: [String]]) { self.table = table }
    public var asked: [String] { lock.withLock { _asked } }

    public func addresses(of host: String) async throws -> [IPAddress] {
        lock.withLock { _asked.append(host) }
        guard let texts = table[host] else { throw ResolutionFailed(host: host, reason: "not in the test's table") }
        return texts.map { IPAddress(numeric: $0)! }
    }
}
