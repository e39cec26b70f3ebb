import ArgumentParser
import Nostr

extension NostrCommand {
    struct Verify: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Read an event (JSON) from stdin; print `valid` or the reason it is not.",
            discussion: "Exit code 0 when valid, 1 when invalid or unreadable."
        )

        @Flag(help: "Print one JSON object: {\"valid\": bool, \"reason\": …, \"id\": …}.")
        var json = false

        func run(_ console: Console) throws {
            let input = console.readInput().trimmingCharacters(in: .whitespacesAndNewlines)
            let result: (valid: Bool, reason: String?, id: String?)
            do {
                let event = try Event(json: input)
                do {
                    try event.verify()
                    result = (true, nil, event.id)
                } catch {
                    result = (false, error.description, event.id)
                }
            } catch {
                result = (false, error.description, nil)
            }
            if json {
                struct Out: Encodable { let valid: Bool; let reason: String?; let id: String? }
                try console.printJSON(Out(valid: result.valid, reason: result.reason, id: result.id))
            } else {
                console.print(result.valid ? "valid" : "invalid: \(result.reason ?? "")")
            }
            if !result.valid { throw CLIError.exit(.failure) }
        }
    }
}
