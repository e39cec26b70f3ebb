import Foundation
import Testing

@testable import NostrRelay

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A relay that takes the TCP connection and never answers the WebSocket
/// upgrade: a hung process, or a hostile one holding clients in "connecting".
@Suite(.timeLimit(.minutes(1)))
struct HandshakeTests {
    var quick: RelayConfiguration {
        var configuration = RelayConfiguration(backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)))
        configuration.handshakeTimeout = .milliseconds(300)
        return configuration
    }

    @Test func aRelayThatNeverAnswersTheUpgradeIsCountedDownAndRetried() async throws {
        let listener = try SilentListener()
        let connection = try RelayConnection(url: listener.url, configuration: quick)
        let states = await connection.states()
        await connection.connect()
        var seen: [RelayConnection.State] = []
        for await state in states {
            seen.append(state)
            if case .waitingToReconnect(attempt: 2) = state { break }
        }
        #expect(!seen.contains(.connected), "\(seen)")
        #expect(await connection.statistics.handshakesTimedOut >= 2)
        await connection.close()
    }

    /// `close()` used to wait for the upgrade's answer, which never comes: a
    /// client's `loom job submit` would never exit.
    @Test func closeDoesNotWaitForAnUpgradeThatNeverEnds() async throws {
        let listener = try SilentListener()
        var configuration = quick
        configuration.handshakeTimeout = .seconds(600)
        let connection = try RelayConnection(url: listener.url, configuration: configuration)
        await connection.connect()
        // Let the TCP connection open and the upgrade request go out.
        try await Task.sleep(for: .milliseconds(300))
        let closed = Task { await connection.close() }
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await closed.value; return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(20)); return false
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        #expect(finished, "close() still waiting for the upgrade after 20 s")
        #expect(await connection.state == .closed)
    }

    /// Each abandoned upgrade may hold a socket until the relay lets go; a
    /// relay that never does must not make the client pile them up.
    @Test func abandonedUpgradesAreBounded() async throws {
        let listener = try SilentListener()
        let connection = try RelayConnection(url: listener.url, configuration: quick)
        await connection.connect()
        let limit = RelayConnection.maxAbandonedHandshakes
        var most = 0
        func watch(for span: Duration, until done: (Int) -> Bool) async throws {
            let deadline = ContinuousClock.now + span
            while ContinuousClock.now < deadline {
                most = max(most, await connection.abandonedHandshakes)
                if done(await connection.statistics.handshakesTimedOut) { return }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        // The first `limit` upgrades time out (generously: CI is slow), then
        // no new socket is opened while they are held, however long we wait.
        try await watch(for: .seconds(30)) { $0 >= limit }
        try await watch(for: .seconds(2)) { $0 > limit }
        let statistics = await connection.statistics
        #expect(statistics.handshakesTimedOut == limit, "\(statistics)")
        #expect(most <= limit)
        await connection.close()
    }
}

/// Listens on a loopback port and never accepts: the kernel completes the
/// TCP handshake, the client's upgrade request sits unread.
final class SilentListener: Sendable {
    let port: Int
    private let fd: Int32
    var url: String { "ws://127.0.0.1:\(port)" }

    init() throws {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, ok else { throw CocoaError(.fileWriteUnknown) }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
