import Foundation
import LoomProtocol
import LoomTestFixtures
import Nostr
import Secp256k1
import Testing

@testable import LoomClient

/// Short job ids against the client journal, no process (JobListTests in
/// LoomClientLiveTests run `loom job list` itself, with the same `journaledJob` from LoomTestFixtures).
struct JobListTests {
    static let client = SecretKey.generate()
    static let worker = SecretKey.generate().xOnlyPublicKey

    /// The short ids `loom job list` prints name journaled jobs in
    /// `loom job watch` and `cancel`; a prefix that is too short or
    /// shared by two jobs is refused with a specific error.
    @Test func aShortIDNamesAJournaledJob() throws {
        let journal = try ClientJournal(dataDirectory: temporaryDirectory("prefix"))
        let job = try journaledJob(at: 1_700_000_000, model: "m", stage: .settled, client: Self.client, worker: Self.worker)
        try journal.save(job)
        let id = job.jobID
        #expect(try JobClient.jobID(from: String(id.prefix(16)), journal: journal) == id)
        #expect(try JobClient.jobID(from: String(id.prefix(16)).uppercased(), journal: journal) == id)
        #expect(try journal.jobID(startingWith: String(id.prefix(7))) == nil, "seven characters mean nothing")
        #expect(throws: ClientError.self) { try JobClient.jobID(from: String(id.prefix(7)), journal: journal) }
        #expect(throws: ClientError.self) { try JobClient.jobID(from: String(id.prefix(16))) }  // no journal, no short form

        // A second job sharing the first eight characters, not the ninth.
        let ninth = id[id.index(id.startIndex, offsetBy: 8)]
        var twin = job
        twin.jobID = id.prefix(8) + (ninth == "0" ? "1" : "0") + String(repeating: "0", count: 55)
        try journal.save(twin)
        #expect(throws: ClientError.self) { try JobClient.jobID(from: String(id.prefix(8)), journal: journal) }
        #expect(try JobClient.jobID(from: String(id.prefix(9)), journal: journal) == id)
    }
}
