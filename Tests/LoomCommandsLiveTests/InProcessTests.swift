import Cashu
import CashuWallet
import Foundation
import LoomCommands
import LoomTestFixtures
import LoomTestSupport
import Testing

/// Commands parsed and run in this process through `Loom.run`, against real
/// servers (LoomCommandsTests has those that need none, with the same helpers).
@Suite(.serialized)
struct InProcessTests {
    /// `wallet balance` against a real Nutshell mint, in text and as JSON.
    @Test func walletBalanceAgainstARealMint() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let dir = temporaryDirectory("commands")
        // Funded through the library; the command opens the same wallet.sqlite.
        let wallet = try Wallet(
            store: try WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path), mintURL: mint.httpURL)
        let quote = try await wallet.requestMint(Amount(21))
        _ = try await wallet.mint(quote: quote.quote, amount: Amount(21))
        wallet.close()

        let common = ["--data-dir", dir.path, "--mint", mint.httpURL]
        let text = await runInProcess(["wallet", "balance"] + common)
        #expect(text.code == 0, "\(text.stderr)")
        #expect(text.stdout == "21 sat\n")
        #expect(text.stderr.isEmpty)

        let json = await runInProcess(["wallet", "balance", "--json"] + common)
        #expect(json.code == 0, "\(json.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(object["balance"] as? Int == 21 && object["pending"] as? Int == 0 && object["unit"] as? String == "sat")

        // A token the mint never signed: the wallet's error, one line, exit 1.
        let garbage = await runInProcess(["wallet", "receive", "cashuBnotatoken"] + common)
        #expect(garbage.code == 1)
        #expect(garbage.stderr.hasPrefix("error: ") && garbage.stderr.split(separator: "\n").count == 1, "\(garbage.stderr)")
        #expect(garbage.stdout.isEmpty)
        #expect(await runInProcess(["wallet", "balance"] + common).stdout == "21 sat\n")
    }
}
