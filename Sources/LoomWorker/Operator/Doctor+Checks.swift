import Blossom
import BlossomClient
import CashuWallet
import Crypto
import Foundation
import Inference
import Nostr
import NostrRelay

extension Doctor {
    /// An ephemeral event (kind 20000–29999: relays pass it on and do not
    /// store it), so checking a relay leaves nothing behind.
    static let probeKind = 20_100

    func checkRelays(_ configuration: WorkerConfiguration) async -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for url in configuration.relays {
            let connection: RelayConnection
            do { connection = try RelayConnection(url: url) } catch {
                findings.append(.problem("relay", url, "\(error)", fix: "relay URLs start with ws:// or wss://"))
                continue
            }
            await connection.connect()
            do {
                let probe = try Event.sign(kind: Self.probeKind, content: "loom doctor", tags: [], with: configuration.secretKey)
                _ = try await connection.publish(probe, timeout: timeout)
                findings.append(.ok("relay", url, "connected and accepted an event"))
            } catch let error as RelayError {
                switch error {
                case .rejected(_, let reason):
                    findings.append(
                        .problem(
                            "relay", url, "refused our event: \(reason)",
                            fix: "use a relay that accepts this key (some need payment or NIP-42 auth)"))
                default:
                    findings.append(
                        .problem("relay", url, "\(error)", fix: "check the URL and that the relay is up and reachable"))
                }
            } catch {
                findings.append(.problem("relay", url, "\(error)", fix: "check the URL and that the relay is up"))
            }
            await connection.close()
        }
        return findings
    }

    func checkMints(_ configuration: WorkerConfiguration) async -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for url in configuration.mints {
            let client = MintClient(url: url, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            do {
                let keysets = try await client.keysets()
                let sat = keysets.filter { $0.active && $0.unit == .sat }
                if let keyset = sat.first {
                    findings.append(.ok("mint", url, "active sat keyset \(keyset.id.hex), input fee \(keyset.inputFeePpk) ppk"))
                } else {
                    findings.append(
                        .problem(
                            "mint", url, "no active keyset for sat",
                            fix: "use a mint that issues sat ecash (PRICE_UNIT is sat)"))
                }
            } catch {
                findings.append(.problem("mint", url, "\(error)", fix: "check CASHU_MINT_URL and that the mint is up"))
            }
        }
        return findings
    }

    /// BUD-06 preflight: asks each server whether it would take an upload
    /// from our key, without uploading anything.
    func checkBlossom(_ configuration: WorkerConfiguration) async -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let sample = Data("loom doctor\n".utf8)
        let hash = SHA256.hash(data: sample).map { String(format: "%02x", $0) }.joined()
        for server in configuration.blossomServers {
            let client = BlossomClient(servers: [server], key: configuration.secretKey)
            do {
                try await client.preflight(sha256: hash, size: Int64(sample.count), type: "text/plain", on: server)
                findings.append(.ok("blossom", server.absoluteString, "would accept our uploads"))
            } catch {
                findings.append(
                    .problem(
                        "blossom", server.absoluteString, "\(error)",
                        fix: "check BLOSSOM_SERVER_URL, and that the server allows uploads from the worker's npub"))
            }
        }
        return findings
    }

    func checkBackend(_ configuration: WorkerConfiguration) async -> [DoctorFinding] {
        let url = configuration.backendURL.absoluteString
        let backend: any InferenceBackend =
            switch configuration.backend {
            case .ollama: OllamaBackend(baseURL: url)
            case .openai: OpenAIBackend(baseURL: url)
            }
        let subject = "\(configuration.backend.rawValue) at \(url)"
        let names: [String]
        do { names = try await backend.models().map(\.name) } catch {
            let fix =
                configuration.backend == .ollama
                ? "start Ollama (`ollama serve`) or set OLLAMA_URL"
                : "start the OpenAI-compatible server or set OLLAMA_URL to its address"
            return [.problem("backend", subject, "\(error)", fix: fix)]
        }
        guard !names.isEmpty else {
            return [.problem("backend", subject, "answers but has no models", fix: "pull a model, e.g. `ollama pull llama3.2`")]
        }
        var findings = [DoctorFinding.ok("backend", subject, "models: \(names.joined(separator: ", "))")]
        if let wanted = configuration.models {
            for missing in wanted.subtracting(names).sorted() {
                findings.append(
                    .problem(
                        "backend", subject, "MODELS lists \(missing), which the backend does not have",
                        fix: "`ollama pull \(missing)` or remove it from MODELS"))
            }
        }
        return findings
    }
}
