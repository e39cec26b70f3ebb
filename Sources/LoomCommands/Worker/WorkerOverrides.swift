import ArgumentParser

extension WorkerCommand {
    /// Flags that override the environment (`.env` keys of the same meaning).
    struct Overrides: ParsableArguments {
        @Option(help: "Data directory for the wallet and the job journal (DATA_DIR).")
        var dataDir: String?

        @Option(name: .customLong("relay"), help: "A relay URL; repeat for several (NOSTR_RELAYS).")
        var relays: [String] = []

        @Option(name: .customLong("mint"), help: "An accepted mint URL; repeat for several (CASHU_MINT_URL).")
        var mints: [String] = []

        @Option(name: .customLong("blossom"), help: "A Blossom server URL for outputs; repeat for several (BLOSSOM_SERVER_URL).")
        var blossom: [String] = []

        @Option(help: "The inference backend's URL (OLLAMA_URL).")
        var ollamaURL: String?

        @Option(name: .customLong("model"), help: "Offer only this model; repeat for several (MODELS).")
        var models: [String] = []

        /// The flags given, keyed as `.env.example` names them (they override .env and the environment).
        func flags() -> [String: String] {
            var values: [String: String] = [:]
            if let dataDir { values["DATA_DIR"] = dataDir }
            if !relays.isEmpty { values["NOSTR_RELAYS"] = relays.joined(separator: ",") }
            if !mints.isEmpty { values["CASHU_MINT_URL"] = mints.joined(separator: ",") }
            if !blossom.isEmpty { values["BLOSSOM_SERVER_URL"] = blossom.joined(separator: ",") }
            if let ollamaURL { values["OLLAMA_URL"] = ollamaURL }
            if !models.isEmpty { values["MODELS"] = models.joined(separator: ",") }
            return values
        }
    }
}
