import ArgumentParser
import Secp256k1

/// A secret key that is optional (only needed to open P2PK-locked tokens).
struct OptionalKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("key-file"),
        help: "nsec file, to redeem tokens locked to that key. Defaults to $NOSTR_PRIVATE_KEY when set.")
    var keyFile: String?

    func secretKeyIfGiven(_ console: Console) throws -> SecretKey? {
        let key = KeyOptions(keyFile: keyFile)
        return key.isGiven ? try key.secretKey(console) : nil
    }
}
