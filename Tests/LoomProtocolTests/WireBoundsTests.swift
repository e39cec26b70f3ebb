import Foundation
import Nostr
import Testing

@testable import LoomProtocol

/// Every number a client reads off the wire is bounded when it is decoded
/// (PROTOCOL.md, "Bounds"): a hostile worker's `2^63` never reaches an
/// `Int(…)` conversion or a `+ 1` in the client, it is refused with the field's name.
@Suite struct WireBoundsTests {
    let requestID = String(repeating: "0f", count: 32)
    var client: String { Fixture.client.xOnlyPublicKey.hex }
    static let huge = "9223372036854775808"  // Int.max + 1

    func status(_ json: String) throws -> Event {
        try Event.sign(
            kind: LoomKind.jobStatus.rawValue, content: json,
            tags: [["d", requestID], ["e", requestID], ["p", client], ["status", "running"]],
            createdAt: Fixture.now, with: Fixture.worker)
    }

    func refusedField(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch LoomEventError.content(.invalid(let field, _)) {
            return field
        } catch {
            return "other: \(error)"
        }
    }

    @Test(arguments: [
        ("tokens", #"{"v":1,"status":"running","elapsed_ms":1,"cost_msat":1,"tokens":\#(huge)}"#),
        ("elapsed_ms", #"{"v":1,"status":"running","elapsed_ms":\#(huge),"cost_msat":1,"tokens":1}"#),
        ("cost_msat", #"{"v":1,"status":"running","elapsed_ms":1,"cost_msat":\#(huge),"tokens":1}"#),
        ("budget_seconds", #"{"v":1,"status":"running","elapsed_ms":1,"cost_msat":1,"tokens":1,"budget_seconds":\#(huge)}"#),
    ])
    func statusNumbersAreBounded(field: String, json: String) throws {
        let event = try status(json)
        #expect(refusedField { _ = try JobStatus.parse(event) } == field)
    }

    @Test func queuePositionIsBounded() throws {
        let event = try Event.sign(
            kind: LoomKind.jobStatus.rawValue,
            content: #"{"v":1,"status":"queued","elapsed_ms":0,"cost_msat":0,"tokens":0,"queue_position":9223372036854775807}"#,
            tags: [["d", requestID], ["e", requestID], ["p", client], ["status", "queued"]],
            createdAt: Fixture.now, with: Fixture.worker)
        #expect(refusedField { _ = try JobStatus.parse(event) } == "queue_position")
    }

    func chunk(_ json: String) throws -> Event {
        let ciphertext = try NIP44.encrypt(json, from: Fixture.worker, to: Fixture.client.xOnlyPublicKey)
        return try Event.sign(
            kind: LoomKind.jobChunk.rawValue, content: ciphertext, tags: [["e", requestID], ["p", client]],
            createdAt: Fixture.now, with: Fixture.worker)
    }

    @Test(arguments: [
        ("seq", #"{"v":1,"seq":18446744073709551615,"text":"hi","tokens":1,"elapsed_ms":1}"#),
        ("tokens", #"{"v":1,"seq":0,"text":"hi","tokens":\#(huge),"elapsed_ms":1}"#),
        ("elapsed_ms", #"{"v":1,"seq":0,"text":"hi","tokens":1,"elapsed_ms":\#(huge)}"#),
    ])
    func chunkNumbersAreBounded(field: String, json: String) throws {
        let event = try chunk(json)
        #expect(refusedField { _ = try JobChunk.open(event, clientKey: Fixture.client) } == field)
    }

    func result(_ json: String, status: String = "completed") throws -> Event {
        let ciphertext = try NIP44.encrypt(json, from: Fixture.worker, to: Fixture.client.xOnlyPublicKey)
        return try Event.sign(
            kind: LoomKind.jobResult.rawValue, content: ciphertext,
            tags: [["e", requestID], ["p", client], ["status", status], ["encrypted"]],
            createdAt: Fixture.now, with: Fixture.worker)
    }

    static let bill =
        #""bill":{"paid_sat":10,"charged_sat":10,"mint_fee_sat":0,"change_sat":0,"dust_sat":0,"msat_per_second":2500,"elapsed_ms":1000,"billed_ms":4000,"budget_seconds":4}"#

    @Test func usageCountsAreBounded() throws {
        for field in ["prompt_tokens", "completion_tokens"] {
            let other = field == "prompt_tokens" ? "completion_tokens" : "prompt_tokens"
            let json =
                #"{"v":1,"status":"completed","outputs":[],"usage":{"\#(field)":\#(Self.huge),"\#(other)":1},\#(Self.bill)}"#
            #expect(refusedField { _ = try JobResult.open(try result(json), clientKey: Fixture.client) } == "usage.\(field)")
        }
    }

    @Test func billAmountsAreBounded() throws {
        // Balanced, so only the bound can refuse it: paid = charged.
        let json =
            #"{"v":1,"status":"completed","outputs":[],"bill":{"paid_sat":\#(Self.huge),"charged_sat":\#(Self.huge),"mint_fee_sat":0,"change_sat":0,"dust_sat":0,"msat_per_second":2500,"elapsed_ms":1000,"billed_ms":4000,"budget_seconds":4}}"#
        #expect(refusedField { _ = try JobResult.open(try result(json), clientKey: Fixture.client) } == "bill.paid_sat")
    }

    @Test func outputsAreBoundedInNumberAndSize() throws {
        let output =
            #"{"url":"https://b.example.com/\#(String(repeating: "a", count: 64))","sha256":"\#(String(repeating: "a", count: 64))","size":5,"type":"text/plain"}"#
        let many = Array(repeating: output, count: JobResult.maxOutputs + 1).joined(separator: ",")
        let json = #"{"v":1,"status":"completed","outputs":[\#(many)],\#(Self.bill)}"#
        #expect(refusedField { _ = try JobResult.open(try result(json), clientKey: Fixture.client) } == "outputs")
        let big = output.replacingOccurrences(of: #""size":5"#, with: #""size":\#(JobResult.maxOutputBytes + 1)"#)
        let json2 = #"{"v":1,"status":"completed","outputs":[\#(big)],\#(Self.bill)}"#
        #expect(refusedField { _ = try JobResult.open(try result(json2), clientKey: Fixture.client) } == "outputs[0].size")
    }

    @Test func capacityIsBounded() throws {
        var ad = Fixture.advertisement
        ad.capacity.running = Int.max
        #expect(throws: ContentError.self) { try ad.validate() }
        ad.capacity.running = 0
        ad.capacity.maxConcurrent = Int.max
        #expect(throws: ContentError.self) { try ad.validate() }
        ad.capacity.maxConcurrent = 4
        ad.maxInputBytes = UInt64.max
        #expect(throws: ContentError.self) { try ad.validate() }
        ad.maxInputBytes = nil
        ad.maxRequestBytes = Int.max
        #expect(throws: ContentError.self) { try ad.validate() }
        ad.maxRequestBytes = nil
        try ad.validate()
    }
}
