import ArgumentParser
import Foundation
import LoomWorker

/// `loom doctor`: the worker's settings checked end to end (LoomWorker's `Doctor`).
struct DoctorCommand: LoomCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a worker's configuration end to end and print each problem with its fix.",
        discussion: """
            Reads the same settings as `loom worker run` (.env, then the environment). \
            Checks that the settings parse, the data folder is writable, every relay \
            accepts an event (an ephemeral one, not stored), every mint has an active sat \
            keyset, every Blossom server would take our uploads (BUD-06 preflight), the \
            backend answers with the models offered, and the whitelist resolves. \
            Exit code 1 when any problem is found.
            """
    )
    @Option(name: .customLong("env-file"), help: "The .env file to read (default: ./.env when present).")
    var envFile: String?
    @Option(help: "Seconds each check may take.") var timeout: Double = 10
    @Flag(help: "Print the findings as one JSON array.") var json = false

    func run(_ console: Console) async throws {
        let (values, warnings) = try ConfigValues.merged(envFile: envFile)
        let findings = await Doctor(values: values, warnings: warnings, timeout: .milliseconds(Int64(timeout * 1000))).run()
        if json {
            try console.printJSON(findings)
        } else {
            for finding in findings {
                let mark =
                    switch finding.outcome {
                    case .ok: "ok     "
                    case .warning: "warning"
                    case .problem: "PROBLEM"
                    }
                console.print("\(mark) \(finding.area) \(finding.subject): \(finding.detail)")
                if let fix = finding.fix, finding.outcome != .ok { console.print("        fix: \(fix)") }
            }
            let problems = findings.filter { $0.outcome == .problem }.count
            console.print(problems == 0 ? "no problems found" : "\(problems) problem(s) found")
        }
        if findings.contains(where: { $0.outcome == .problem }) { throw CLIError.exit(.failure) }
    }
}
