import Foundation

/// `loom doctor` on the serving policy: whether it could serve now, and a
/// setting that can never serve here (`SERVE_WHEN=idle` on a machine whose
/// idle time is unknown). Says nothing for `always` without a pause, as
/// before the policy existed.
extension Doctor {
    func checkServing(_ configuration: WorkerConfiguration) async -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let pause = PauseFile(dataDirectory: configuration.dataDirectory).read().flatMap { $0.isActive(at: Date()) ? $0 : nil }
        if let pause {
            findings.append(.warning("serving", "pause", pause.description, fix: "`loom worker resume` to serve again"))
        }
        let settings = configuration.serving
        guard settings.mode != .always else { return findings }
        let readings = await PolicyService.platformSensors().read()
        let decision = ServingPolicy(settings: settings).decide(readings, now: Date())
        if decision.reason == .idleUnknown {
            findings.append(
                .problem(
                    "serving", ServingSettings.Key.serveWhen, decision.detail,
                    fix: "SERVE_WHEN=idle needs a desktop session at a seat (logind) or a Mac; use SERVE_WHEN=schedule or always")
            )
        } else {
            let verdict = decision.serve ? "would serve now" : "would not serve now"
            findings.append(
                .ok(
                    "serving", "SERVE_WHEN=\(settings.mode.rawValue)",
                    "\(verdict): \(decision.reason.rawValue), \(decision.detail)"))
        }
        return findings
    }
}
