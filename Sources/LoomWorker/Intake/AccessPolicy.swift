import Foundation
import NIOConcurrencyHelpers
import Nostr

/// Who may use the worker. Asked for every incoming request before its
/// signature is checked, so it must be cheap and must not suspend: 2,000
/// requests a second from strangers should cost a running job almost nothing.
public protocol AccessPolicy: Sendable {
    /// `pubkey` is the request's author as 64 lowercase hex characters.
    func allows(_ pubkey: String) -> Bool
}

/// `WHITELIST_ENABLED=false`: everyone may pay for a job.
public struct OpenAccess: AccessPolicy {
    public init() {}
    public func allows(_ pubkey: String) -> Bool { true }
}

/// The access policy as the relay subscription's gate (`EventGate`):
/// requests and cancels from keys it refuses are dropped by the relay
/// connection before their signature is checked, and counted here, since
/// they never reach the worker actor. A client taken off the whitelist
/// cannot cancel a running job either: its cancel is a stranger's event.
final class AccessGate: Sendable {
    private let policy: any AccessPolicy
    private let refused = NIOLockedValueBox(0)

    init(_ policy: any AccessPolicy) { self.policy = policy }

    var refusedCount: Int { refused.withLockedValue { $0 } }

    func admits(_ event: Event) -> Bool {
        if policy.allows(event.pubkey) { return true }
        refused.withLockedValue { $0 += 1 }
        return false
    }
}
