import ArgumentParser
import Foundation
import Secp256k1

/// Where a command gets the secret key it signs with. Never a flag value:
/// command lines are visible to every user of the machine (`ps`).
struct KeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: "File holding the nsec (or 64-hex) secret key. Defaults to $NOSTR_PRIVATE_KEY.")
    var keyFile: String?

    init() {}
    init(keyFile: String?) { self.keyFile = keyFile }

    /// A key was given, by file or by `$NOSTR_PRIVATE_KEY`.
    var isGiven: Bool { keyFile != nil || Defaults.environment("NOSTR_PRIVATE_KEY") != nil }

    func secretKey(_ console: Console) throws -> SecretKey {
        let raw: String
        let source: String
        if let keyFile {
            let url = URL(fileURLWithPath: keyFile)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ValidationError("cannot read key file \(keyFile)")
            }
            raw = text
            source = "key file \(keyFile)"
            FilePermissions.warnIfReadableByOthers(keyFile, console)
        } else if let env = Defaults.environment("NOSTR_PRIVATE_KEY") {
            raw = env
            source = "NOSTR_PRIVATE_KEY"
        } else {
            throw ValidationError(
                "no secret key: pass --key-file FILE or set NOSTR_PRIVATE_KEY (create one with `loom keygen --output FILE`)")
        }
        return try KeyText.secretKey(raw.trimmingCharacters(in: .whitespacesAndNewlines), source: source)
    }
}
