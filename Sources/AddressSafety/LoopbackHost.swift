/// Whether an HTTP `Host` names this machine by its loopback name:
/// `127.0.0.1[:port]`, `localhost[:port]` or `[::1][:port]`. A local server
/// that spends money or shows the operator's data (the gateway, the worker's
/// dashboard and /metrics) answers only to these, so a web page cannot
/// reach it through a name it rebinds to 127.0.0.1 (DNS rebinding).
public enum LoopbackHost {
    public static func matches(_ authority: String?) -> Bool {
        guard let authority else { return false }
        var host = authority.lowercased()
        if host.hasPrefix("[") {
            host = String(host.prefix { $0 != "]" }) + "]"
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        return ["127.0.0.1", "localhost", "[::1]"].contains(host)
    }
}
