import ArgumentParser
import Nostr
import Secp256k1

/// `loom keygen`: a key pair for a worker, a client or a curator.
struct Keygen: LoomCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a Nostr key pair.",
        discussion: """
            Without --output the nsec is printed: keep it secret. With --output the nsec \
            is written to FILE with mode 0600 and only the npub is printed.
            """
    )

    @Option(name: .shortAndLong, help: "Write the nsec to this file (mode 0600) instead of printing it.")
    var output: String?

    @Flag(help: "Overwrite --output if it exists.")
    var force = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func run(_ console: Console) throws {
        let key = SecretKey.generate()
        let npub = NIP19Entity.npub(key.xOnlyPublicKey).encoded
        let nsec = NIP19Entity.nsec(key).encoded
        var out: [String: String] = ["npub": npub, "pubkey": key.xOnlyPublicKey.hex]
        if let output {
            try SecretFile.write(nsec + "\n", to: output, overwrite: force)
            out["file"] = output
        } else {
            out["nsec"] = nsec
        }
        if json {
            try console.printJSON(out)
        } else {
            if let n = out["nsec"] { console.print(n) }
            console.print(npub)
        }
    }
}
