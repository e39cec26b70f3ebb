import Foundation
import LoomCommands
import LoomTestFixtures
import Testing

/// Commands parsed and run in this process through `Loom.run`, the path the
/// `loom` executable takes, with their output captured by a `Console`
/// instead of spawning the binary (the binary-driven tests stay in
/// LoomClientLiveTests and LoomWorkerLiveTests). Those that need a server are
/// in LoomCommandsLiveTests, with the same helpers.
@Suite(.serialized)
struct InProcessTests {
    /// The exit-code table, one row per kind of ending, without a server.
    @Test func exitCodesFollowTheTable() async throws {
        // The parser's own usage error: ArgumentParser's text and the command's usage, 64.
        let usage = await runInProcess(["job", "list", "--limit", "0"])
        #expect(usage.code == ExitStatus.usage.rawValue)
        #expect(usage.stderr.hasPrefix("Error: --limit must be at least 1\nUsage: loom job list"), "\(usage.stderr)")

        // A question answered "no": the answer on stdout, nothing on stderr, 1.
        let invalid = await runInProcess(["nostr", "verify"], stdin: "{not json")
        #expect(invalid.code == ExitStatus.failure.rawValue)
        #expect(invalid.stdout.hasPrefix("invalid: ") && invalid.stderr.isEmpty, "\(invalid.stdout)\(invalid.stderr)")

        // A whitelist command that cannot do what was asked: 2, before any relay is asked.
        let whitelist = await runInProcess(["whitelist", "check", "naddr1nope", "npub1nope", "--relay", "ws://127.0.0.1:1"])
        #expect(whitelist.code == ExitStatus.refused.rawValue)
        #expect(
            whitelist.stderr
                == "error: \"naddr1nope\" is not a list address: bech32 string is too short to hold a 6-character checksum\n")

        // A group without its subcommand prints its help on stdout: 0.
        let help = await runInProcess(["wallet"])
        #expect(help.code == 0 && help.stdout.contains("USAGE: loom wallet <subcommand>") && help.stderr.isEmpty)

        // An empty journal as JSON: an empty array, not an error.
        let empty = await runInProcess(["job", "list", "--json", "--data-dir", temporaryDirectory("commands").path])
        #expect(empty.code == 0 && empty.stdout == "[]\n", "\(empty.stderr)")
    }
}
