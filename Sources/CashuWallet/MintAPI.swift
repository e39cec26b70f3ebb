import Cashu

// Request and response bodies of the mint's HTTP API (NUT-01..09), as plain
// Codable values. Field names are the NUTs' own (snake_case on the wire).

public struct KeysResponse: Codable, Sendable { public var keysets: [Keyset] }
public struct KeysetsResponse: Codable, Sendable { public var keysets: [KeysetInfo] }

struct SwapRequest: Codable { var inputs: [Proof]; var outputs: [BlindedMessage] }
struct SignaturesResponse: Codable { var signatures: [BlindSignature] }

/// NUT-04 / NUT-05 quote state.
public enum QuoteState: String, Codable, Sendable {
    case unpaid = "UNPAID", paid = "PAID", pending = "PENDING", issued = "ISSUED"
}

/// NUT-04 bolt11 mint quote.
public struct MintQuote: Codable, Sendable {
    public var quote: String
    public var request: String
    public var amount: Amount?
    public var unit: CurrencyUnit?
    public var state: QuoteState
    public var expiry: Int64?
}

struct MintQuoteRequest: Codable { var amount: Amount; var unit: CurrencyUnit }
struct MintRequest: Codable { var quote: String; var outputs: [BlindedMessage] }

/// NUT-05 bolt11 melt quote. `change` holds the NUT-08 fee return.
public struct MeltQuote: Codable, Sendable {
    public var quote: String
    public var amount: Amount
    public var feeReserve: Amount
    public var state: QuoteState
    public var expiry: Int64?
    public var paymentPreimage: String?
    public var change: [BlindSignature]?
    public var request: String?
    public var unit: CurrencyUnit?

    enum CodingKeys: String, CodingKey {
        case quote, amount, state, expiry, change, request, unit
        case feeReserve = "fee_reserve"
        case paymentPreimage = "payment_preimage"
    }
}

struct MeltQuoteRequest: Codable { var request: String; var unit: CurrencyUnit }
struct MeltRequest: Codable { var quote: String; var inputs: [Proof]; var outputs: [BlindedMessage]? }

/// NUT-07 proof state.
public struct ProofState: Codable, Sendable {
    public enum State: String, Codable, Sendable { case unspent = "UNSPENT", pending = "PENDING", spent = "SPENT" }
    public var Y: String
    public var state: State
    public var witness: String?
}

struct CheckStateRequest: Codable { var Ys: [String] }
struct CheckStateResponse: Codable { var states: [ProofState] }

struct RestoreRequest: Codable { var outputs: [BlindedMessage] }
/// NUT-09: the outputs the mint has signed before, with their signatures, in matching order.
public struct RestoreResponse: Codable, Sendable {
    public var outputs: [BlindedMessage]
    public var signatures: [BlindSignature]
}

/// NUT-06 mint information (the parts a wallet acts on).
public struct MintInfo: Codable, Sendable {
    public var name: String?
    public var pubkey: String?
    public var version: String?
    public var description: String?
    public var nuts: [String: NutSetting]?

    public struct NutSetting: Codable, Sendable {
        public var supported: Bool?
        public var disabled: Bool?

        public init(from decoder: any Decoder) throws {
            // Settings differ per NUT; we read the two flags that have one meaning everywhere.
            let c = try? decoder.container(keyedBy: CodingKeys.self)
            supported = (try? c?.decodeIfPresent(Bool.self, forKey: .supported)) ?? nil
            disabled = (try? c?.decodeIfPresent(Bool.self, forKey: .disabled)) ?? nil
        }
    }

    /// True when the mint says it supports `nut` (listed and not disabled).
    public func supports(_ nut: Int) -> Bool {
        guard let s = nuts?[String(nut)] else { return false }
        return s.disabled != true && s.supported != false
    }
}

/// The body a mint returns with a 4xx (NUT-00 errors).
struct MintErrorBody: Codable { var detail: String?; var code: Int? }
