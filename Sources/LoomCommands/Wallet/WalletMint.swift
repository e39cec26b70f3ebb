import ArgumentParser
import Cashu

extension WalletCommand {
    struct Mint: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "mint", abstract: "Fund the wallet: get a Lightning invoice, wait for payment, mint the ecash.")
        @OptionGroup var options: Options
        @Argument(help: "Amount in sat.") var amount: UInt64
        @Option(help: "Seconds to wait for the invoice to be paid.") var timeout: Int = 600

        func run(_ console: Console) async throws {
            let w = try await options.open()
            let q = try await w.requestMint(Amount(amount))
            if !options.json { console.warn("pay this invoice:\n\(q.request)") }
            let minted = try await w.mint(quote: q.quote, amount: Amount(amount), timeout: .seconds(timeout))
            struct Out: Encodable { let minted: UInt64; let quote: String; let invoice: String; let balance: UInt64 }
            let out = Out(minted: minted.value, quote: q.quote, invoice: q.request, balance: try await w.balance().value)
            try options.emit(out, text: "minted \(out.minted) sat; balance \(out.balance) sat", to: console)
        }
    }
}
