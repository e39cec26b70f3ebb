import LoomWorker

/// Only the benchmark's client may use the worker: everyone else is a stranger.
struct KeysAccess: AccessPolicy {
    let keys: Set<String>
    func allows(_ pubkey: String) -> Bool { keys.contains(pubkey) }
}
