import ArgumentParser
import Foundation
import Nostr
import Secp256k1

struct Keygen: ParsableCommand {
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

    func run() throws {
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
            print(try JSONOutput.string(out))
        } else {
            if let n = out["nsec"] { print(n) }
            print(npub)
        }
    }
}

enum SecretFile {
    /// Creates the file with mode 0600 from the start, so the secret is
    /// never readable by others, not even for a moment.
    static func write(_ text: String, to path: String, overwrite: Bool) throws {
        if FileManager.default.fileExists(atPath: path) && !overwrite {
            throw ValidationError("\(path) already exists; pass --force to overwrite it")
        }
        let flags = O_WRONLY | O_CREAT | O_TRUNC
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // An existing file keeps its old mode through O_CREAT; force 0600.
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        guard Foundation.write(fd, bytes, bytes.count) == bytes.count else {
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

enum JSONOutput {
    static func string(_ value: some Encodable) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }
}
