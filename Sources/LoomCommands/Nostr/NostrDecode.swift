import ArgumentParser
import Nostr

extension NostrCommand {
    struct Decode: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "decode",
            abstract: "Decode a NIP-19 string (npub, nsec, note, nprofile, nevent, naddr) to JSON."
        )
        @Argument(help: "The bech32 string, with or without a nostr: prefix.") var value: String

        func run(_ console: Console) throws {
            do {
                try console.printJSON(NIP19JSON(try NIP19Entity.decode(value)))
            } catch let e as NIP19Error {
                console.warn("cannot decode: \(e)")
                throw CLIError.exit(.failure)
            }
        }
    }
}
