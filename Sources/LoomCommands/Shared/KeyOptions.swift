import ArgumentParser
import Foundation
import Nostr
import Secp256k1

/// Where a command gets the secret key it signs with. Never a flag value:
/// command lines are visible to every user of the machine (`ps`).
struct KeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: "File holding the nsec (or 64-hex) secret key. Defaults to $NOSTR_PRIVATE_KEY.")
    var keyFile: String?

    init() {}
    init(keyFile: String?) { self.keyFile = keyFile }

    func secretKey() throws -> SecretKey {
        let raw: String
        let source: String
        if let keyFile {
            let url = URL(fileURLWithPath: keyFile)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ValidationError("cannot read key file \(keyFile)")
            }
            raw = text
            source = "key file \(keyFile)"
            FilePermissions.warnIfReadableByOthers(keyFile)
        } else if let env = ProcessInfo.processInfo.environment["NOSTR_PRIVATE_KEY"], !env.isEmpty {
            raw = env
            source = "NOSTR_PRIVATE_KEY"
        } else {
            throw ValidationError("no secret key: pass --key-file FILE or set NOSTR_PRIVATE_KEY (create one with `loom keygen --output FILE`)")
        }
        return try parseSecretKey(raw.trimmingCharacters(in: .whitespacesAndNewlines), source: source)
    }
}

func parseSecretKey(_ text: String, source: String) throws -> SecretKey {
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

enum FilePermissions {
    /// Secrets on disk must not be readable by group or others.
    static func warnIfReadableByOthers(_ path: String) {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = attrs[.posixPermissions] as? NSNumber else { return }
        if mode.intValue & 0o077 != 0 {
            Console.warn("warning: \(path) is readable by other users (mode \(String(mode.intValue, radix: 8))); run: chmod 600 \(path)")
        }
    }
}

enum Console {
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func readStdin() -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
}
