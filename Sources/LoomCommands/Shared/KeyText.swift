import ArgumentParser
import Nostr
import Secp256k1

/// Keys as users type them, with a message that names where the text came from.
enum KeyText {
    /// An nsec1… or 64 hex characters.
    static func secretKey(_ text: String, source: String) throws -> SecretKey {
        if text.hasPrefix("nsec1") {
            do {
                guard case .nsec(let key) = try NIP19Entity.decode(text) else { throw ValidationError("\(source): not an nsec") }
                return key
            } catch let e as NIP19Error {
                throw ValidationError("\(source): \(e)")
            }
        }
        do { return try SecretKey(hex: text) } catch {
            throw ValidationError("\(source): expected an nsec1… or 64 hex characters (\(error))")
        }
    }

    /// npub, nprofile or hex → key, with a message that names the option.
    static func publicKey(_ text: String, option: String) throws -> XOnlyPublicKey {
        do { return try NIP19.publicKey(from: text) } catch {
            throw ValidationError("\(option): \(error)")
        }
    }
}
