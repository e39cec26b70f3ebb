import ArgumentParser
import Foundation
import LoomClient
import LoomProtocol
import Nostr
import NostrRelay

extension WorkerCommand {
    /// `loom worker watch <npub>`: every job of one worker as it happens, from
    /// the public status events alone (no key needed, nothing secret in them).
    struct Watch: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Follow all jobs of a worker live: state changes, throughput, earnings.",
            discussion: """
                Reads the worker's public status events (kind 30100) from the relays. \
                One line per state change; with --json, one JSON object per line for piping \
                (fields: time, job, client, state, previous, elapsed_ms, tokens, tokens_per_second, \
                cost_msat, queue_position, reason, earned_sat, earned_sat_last_hour). \
                Runs until interrupted, or for --duration seconds.
                """
        )
        @Argument(help: "The worker: npub, nprofile or 64 hex.") var worker: String
        @Option(name: .customLong("relay"), help: "Relay URL (repeatable). Default: $NOSTR_RELAYS, else the public relays.")
        var relays: [String] = []
        @Option(help: "Also show jobs whose last status is at most this many seconds old.") var since: Int64 = 3600
        @Option(help: "Stop after this many seconds (default: run until interrupted).") var duration: Double?
        @Flag(help: "One JSON object per line.") var json = false

        func run(_ console: Console) async throws {
            let key = try KeyText.publicKey(worker, option: "worker")
            // A watcher reads public statuses, so it may start on the public relays as clients do.
            let choice = RelayChoice.resolve(flags: relays, environment: Defaults.environment("NOSTR_RELAYS"))
            if let notice = choice.notice { console.warn("note: " + notice) }
            let pool = try RelayPool(urls: choice.urls)
            await pool.connect()
            let filter = Filter(authors: [key.hex], kinds: [LoomKind.jobStatus.rawValue], since: Event.now() - since)
            let subscription = pool.subscribe([filter])
            if let duration {
                Task {
                    try? await Task.sleep(for: .milliseconds(Int64(duration * 1000)))
                    subscription.cancel()
                }
            }
            var activity = WorkerActivity()
            for await item in subscription {
                guard case .event(let event, _) = item, let status = try? JobStatus.parse(event) else { continue }
                guard let change = activity.observe(status) else { continue }
                // One write per line, unbuffered, so a pipe (`| jq`) sees each change at once.
                console.printNow(line(change, activity))
            }
            await pool.close()
        }

        func line(_ change: WorkerActivity.Change, _ activity: WorkerActivity) -> String {
            let s = change.status
            let lastHour = activity.earnedLastHour(now: Event.now())
            if json {
                var object: [String: JSONScalar] = [
                    "time": .int(change.at), "job": .text(change.requestID), "client": .text(change.client),
                    "state": .text(s.status.rawValue), "elapsed_ms": .int(Int64(s.elapsedMs)), "tokens": .int(Int64(s.tokens)),
                    "cost_msat": .int(Int64(s.costMsat)), "earned_sat": .int(Int64(activity.earnedSat)),
                    "earned_sat_last_hour": .int(Int64(lastHour)),
                ]
                if let previous = change.previous { object["previous"] = .text(previous.rawValue) }
                if let rate = s.tokensPerSecond { object["tokens_per_second"] = .number(rate) }
                if let position = s.queuePosition { object["queue_position"] = .int(Int64(position)) }
                if let reason = s.reason { object["reason"] = .text(reason.code) }
                return (try? JSONOutput.string(object)) ?? "{}"
            }
            let time = Date(timeIntervalSince1970: TimeInterval(change.at)).formatted(date: .omitted, time: .standard)
            var text =
                "\(time)  \(change.requestID.prefix(12))  \((change.previous?.rawValue ?? "new") + " → " + s.status.rawValue)"
            text += String(format: "  %.1fs  %d tok", Double(s.elapsedMs) / 1000, s.tokens)
            if let rate = s.tokensPerSecond { text += String(format: " (%.1f tok/s)", rate) }
            if let position = s.queuePosition { text += "  queue #\(position)" }
            if let reason = s.reason { text += "  \(reason.code): \(reason.message)" }
            text += "  earned \(activity.earnedSat) sat (\(lastHour) in the last hour)"
            return text
        }
    }
}
