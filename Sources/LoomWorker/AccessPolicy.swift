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
