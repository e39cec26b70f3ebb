import ArgumentParser
import Foundation
import Inference
import Logging
import LoomWorker

extension WorkerCommand {
    /// `loom worker run`: from here `WorkerService` (LoomWorker) owns the worker,
    /// SIGTERM and SIGINT included; docs/ARCHITECTURE.md follows it to the first job.
    struct Run: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Serve prepaid jobs until SIGTERM or SIGINT, then stop gracefully.",
            discussion: """
                Settings come from the environment (see .env.example); flags override them. \
                On SIGTERM/SIGINT the worker stops taking jobs, refunds the queue, and gives \
                running jobs SHUTDOWN_GRACE to finish before billing them for what ran.
                """
        )
        @OptionGroup var overrides: Overrides

        @Option(name: .customLong("env-file"), help: "The .env file to read (default: ./.env when present).")
        var envFile: String?

        func run(_ console: Console) async throws {
            // A ConfigurationError names the key and the fix; ErrorReport prints it as one line (exit 64).
            let (values, fileWarnings) = try ConfigValues.merged(envFile: envFile, flags: overrides.flags())
            let (loaded, warnings) = try WorkerConfiguration.load(values)
            var configuration = loaded
            configuration.crashPoint = Defaults.crashPoint
            for warning in fileWarnings + warnings { console.warn("warning: \(warning)") }
            var logger = Logger(label: "loom.worker")
            // The worker is a daemon: info by default, unless LOOM_LOG_LEVEL says otherwise.
            logger.logLevel = ProcessInfo.processInfo.environment["LOOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            let backend: any InferenceBackend =
                switch configuration.backend {
                case .ollama: OllamaBackend(baseURL: configuration.backendURL.absoluteString)
                case .openai: OpenAIBackend(baseURL: configuration.backendURL.absoluteString)
                }
            let log = logger
            let service = try WorkerService(
                configuration: configuration, backend: backend, version: LoomVersion.string, logger: logger
            ) { port in
                log.info("metrics on loopback", metadata: ["url": "http://127.0.0.1:\(port)/metrics"])
            }
            try await service.run()
            logger.info("worker stopped")
        }
    }
}
