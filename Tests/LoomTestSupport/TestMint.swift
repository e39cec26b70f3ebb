import Foundation

/// A Nutshell mint (`cashu` from PyPI) with the FakeWallet Lightning backend,
/// which pays its own invoices. `inputFeePpk` defaults to Nutshell's 100.
public enum TestMint {
    public static func start(inputFeePpk: Int = 100) async throws -> TestServer {
        let server = try await TestServer(
            name: "mint",
            executable: TestServer.packageRoot.appendingPathComponent("scripts/mint.sh").path,
            arguments: ["{port}", "{dir}", String(inputFeePpk)],
            environment: ["LOOM_VENV": TestServer.venv.path])
        return server
    }
}

extension TestServer {
    public var httpURL: String { "http://127.0.0.1:\(port)" }
}
