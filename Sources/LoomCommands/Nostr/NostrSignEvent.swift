import ArgumentParser
import Foundation
import Nostr
import NostrRelay

extension NostrCommand {
    /// `loom nostr event` (named for what it does: `Event` is the Nostr type).
    struct SignEvent: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "event",
            abstract: "Build and sign an event; print it as JSON, and publish it when --relay is given.",
            discussion: """
                Tags: --tag '["e","<id>","wss://relay","root"]' (a JSON array) or --tag name=value.
                Exit code 1 when no relay accepted the event (each relay's reason goes to stderr).
                """
        )
        @OptionGroup var key: KeyOptions
        @Option(help: "Event kind (0…65535).") var kind: Int
        @Option(help: "Content; `-` reads it from stdin.") var content: String = ""
        @Option(name: .customLong("tag"), help: "A tag (repeatable).") var tags: [String] = []
        @Option(help: "created_at (Unix seconds); default now.") var createdAt: Int64?
        @Option(name: .customLong("relay"), help: "Publish to this relay (repeatable).") var relays: [String] = []
        @Option(help: "Seconds to wait for a relay's OK.") var timeout: Double = 10

        func validate() throws {
            guard (0...65535).contains(kind) else { throw ValidationError("--kind must be in 0…65535") }
        }

        func run(_ console: Console) async throws {
            let sk = try key.secretKey(console)
            let parsedTags = try tags.map(Self.parseTag)
            let text = content == "-" ? console.readInput() : content
            let event = try Event.sign(kind: kind, content: text, tags: parsedTags, createdAt: createdAt ?? Event.now(), with: sk)
            console.print(event.json)
            guard !relays.isEmpty else { return }
            let pool = try RelayPool(urls: relays)
            await pool.connect()
            defer { Task { await pool.close() } }
            do {
                let result = try await pool.publish(event, timeout: .milliseconds(Int64(timeout * 1000)))
                console.warn(
                    "accepted by \(result.accepted.relay)"
                        + (result.accepted.message.isEmpty ? "" : ": \(result.accepted.message)"))
                await pool.close()
            } catch {
                console.warn("not published: \(error)")
                await pool.close()
                throw CLIError.exit(.failure)
            }
        }

        /// `["a","b",…]` or `name=value`.
        static func parseTag(_ s: String) throws -> [String] {
            if s.hasPrefix("[") {
                guard let tag = try? JSONDecoder().decode([String].self, from: Data(s.utf8)), !tag.isEmpty else {
                    throw ValidationError("--tag \(s): expected a non-empty JSON array of strings")
                }
                return tag
            }
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ValidationError("--tag \(s): expected name=value or a JSON array like [\"p\",\"<hex>\"]")
            }
            return [String(s[..<eq]), String(s[s.index(after: eq)...])]
        }
    }
}
