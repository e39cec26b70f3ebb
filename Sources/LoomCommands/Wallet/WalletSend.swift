import ArgumentParser
import Cashu
import Secp256k1

extension WalletCommand {
    struct Send: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "send", abstract: "Make a token of an exact amount; the token goes to stdout.")
        @OptionGroup var options: Options
        @Argument(help: "Amount in sat.") var amount: UInt64
        @Option(help: "Lock the token to this key (npub, hex or 02… compressed): only its holder can redeem it.")
        var lock: String?
        @Option(help: "A memo carried in the token.") var memo: String?

        func run(_ console: Console) async throws {
            let w = try await options.open()
            let lockKey = try lock.map { try parseLockKey($0) }
            let s = try await w.send(Amount(amount), lockTo: lockKey, memo: memo)
            try options.emit(s, text: s.token, to: console)
            if !options.json && s.fee > .zero { console.warn("mint fee: \(s.fee) sat") }
        }

        func parseLockKey(_ s: String) throws -> PublicKey {
            if s.count == 66, let pk = try? PublicKey(hex: s) { return pk }
            return try KeyText.publicKey(s, option: "--lock").evenPublicKey
        }
    }
}
