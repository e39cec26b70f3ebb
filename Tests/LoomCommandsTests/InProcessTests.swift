import Foundation
import LoomCommands
import Testing

/// Commands parsed and run in this process through `Loom.run`, the path the
/// `loom` executable takes, with their output captured by a `Console`
/// instead of spawning the binary (the binary-driven tests stay in
/// LoomClientLiveTests and LoomWorkerLiveTests). Those that need a server are
/// in LoomCommandsLiveTests, with the same helpers.
@Suite(.serialized)
struct InProcessTests {
    struct Run {
        let code: Int32
        let stdout: String
        let stderr: String
    }

    static func loom(_ arguments: [String], stdin: String = "") async -> Run {
        let (console, capture) = Console.capturing(stdin: stdin)
        let code = await Loom.run(arguments, console: console)
        return Run(code: code, stdout: capture.stdout, stderr: capture.stderr)
    }

    static func temporaryDirectory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-commands-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The exit-code table, one row per kind of ending, without a server.
    @Test func exitCodesFollowTheTable() async throws {
        // The parser's own usage error: ArgumentParser's text and the command's usage, 64.
        let usage = await Self.loom(["job", "list", "--limit", "0"])
        #expect(usage.code == ExitStatus.usage.rawValue)
        #expect(usage.stderr.hasPrefix("Error: --limit must be at least 1\nUsage: loom job list"), "\(usage.stderr)")

        // A question answered "no": the answer on stdout, nothing on stderr, 1.
        let invalid = await Self.loom(["nostr", "verify"], stdin: "{not json")
        #expect(invalid.code == ExitStatus.failure.rawValue)
        #expect(invalid.stdout.hasPrefix("invalid: ") && invalid.stderr.isEmpty, "\(invalid.stdout)\(invalid.stderr)")

        // A whitelist command that cannot do what was asked: 2, before any relay is asked.
        let whitelist = await Self.loom(["whitelist", "check", "naddr1nope", "npub1nope", "--relay", "ws://127.0.0.1:1"])
        #expect(whitelist.code == ExitStatus.refused.rawValue)
        #expect(
            whitelist.stderr
                == "error: \"naddr1nope\" is not a list address: bech32 string is too short to hold a 6-character checksum\n")

        // A group without its subcommand prints its help on stdout: 0.
        let help = await Self.loom(["wallet"])
        #expect(help.code == 0 && help.stdout.contains("USAGE: loom wallet <subcommand>") && help.stderr.isEmpty)

        // An empty journal as JSON: an empty array, not an error.
        let empty = await Self.loom(["job", "list", "--json", "--data-dir", Self.temporaryDirectory().path])
        #expect(empty.code == 0 && empty.stdout == "[]\n", "\(empty.stderr)")
    }
}
