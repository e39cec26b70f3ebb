import LoomClient

/// Prints an outcome: JSON, or the output on stdout and a summary on stderr.
enum JobReport {
    /// `showOutput` false: the output is on stdout already (`--stream`).
    static func print(_ outcome: JobOutcome, nevent: String, json: Bool, showOutput: Bool = true, on console: Console) {
        if json {
            console.print((try? JSONOutput.string(JobOutcomeJSON(outcome, nevent: nevent))) ?? "{}")
            return
        }
        if showOutput, let output = outcome.output { console.print(output) }
        var summary = "job \(outcome.jobID): \(outcome.status.rawValue)"
        if let bill = outcome.bill {
            summary +=
                "; paid \(bill.paidSat) sat, charged \(bill.chargedSat), mint fees \(bill.mintFeeSat), change \(bill.changeSat)"
        }
        if let c = outcome.changeRedeemedSat { summary += "; \(c) sat back in the wallet" }
        if let r = outcome.reclaimedSat { summary += "; payment reclaimed: \(r) sat back in the wallet" }
        if let e = outcome.error { summary += "\n\(e.code): \(e.message)" }
        console.warn(summary)
        for w in outcome.warnings { console.warn("warning: \(w)") }
    }
}
