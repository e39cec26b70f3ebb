import Foundation
import Testing

@testable import LoomCommands

/// The one order every operator command resolves the worker's data directory
/// in: --data-dir, $DATA_DIR, the .env's DATA_DIR, $HOME/.loom.
struct OperatorDirectoryTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("operator-dir-\(UUID().uuidString)")

    func envFile(_ text: String) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(".env")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return file.path
    }

    @Test func eachSourceInTurn() throws {
        let file = try envFile("DATA_DIR=/srv/loom/data\nCASHU_MINT_URL=http://127.0.0.1:3338\n")
        let home = ["HOME": "/home/op"]
        let fromFile = try OperatorDirectory.resolve(flag: nil, envFile: file, environment: home)
        #expect(fromFile.url.path == "/srv/loom/data" && fromFile.source == .envFile && fromFile.mismatch == nil)
        #expect(fromFile.line == "data directory: /srv/loom/data (from \(file))")
        #expect(fromFile.fileValues["CASHU_MINT_URL"] == "http://127.0.0.1:3338")

        let fromEnvironment = try OperatorDirectory.resolve(
            flag: nil, envFile: file, environment: home.merging(["DATA_DIR": "/var/other"]) { $1 })
        #expect(fromEnvironment.url.path == "/var/other" && fromEnvironment.source == .environment)
        let flagged = try OperatorDirectory.resolve(flag: "/tmp/flag", envFile: file, environment: home)
        #expect(flagged.url.path == "/tmp/flag" && flagged.source == .flag)
        // Both name another directory than the .env: the command must say so.
        for resolved in [fromEnvironment, flagged] {
            #expect(resolved.mismatch?.contains("DATA_DIR=/srv/loom/data") == true, "\(resolved.source)")
        }
        // The same directory spelled by a flag is no mismatch.
        #expect(try OperatorDirectory.resolve(flag: "/srv/loom/data/", envFile: file, environment: home).mismatch == nil)
    }

    @Test func homeIsTakenFromTheEnvironment() throws {
        let file = try envFile("DATA_DIR=\nMODELS=llama3.2\n")
        let resolved = try OperatorDirectory.resolve(flag: nil, envFile: file, environment: ["HOME": "/home/op"])
        #expect(resolved.url.path == "/home/op/.loom" && resolved.source == .home && resolved.mismatch == nil)
    }

    @Test func aNamedEnvFileMustExist() {
        #expect(throws: (any Error).self) {
            try OperatorDirectory.resolve(flag: nil, envFile: folder.appendingPathComponent("missing").path, environment: [:])
        }
    }
}
