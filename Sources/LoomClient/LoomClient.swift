/// Client side of the Loom protocol: find workers, submit paid jobs, follow
/// and cancel them, redeem change. See docs/PROTOCOL.md.
public enum LoomClientVersion {
    public static let protocolVersion = 1
}
