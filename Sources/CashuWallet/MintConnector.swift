import Cashu

/// What a wallet asks of a mint (NUT-01..09). `MintClient` answers over
/// HTTP; tests put a connector in front of it that loses, refuses or
/// garbles answers, so every outcome a mint can give (or fail to give) is
/// exercised against the money code without a special server.
///
/// A connector holds no state that must survive a crash: the wallet
/// journals before it calls.
public protocol MintConnector: Sendable {
    /// The mint's URL, normalised; tokens name the mint by it.
    var url: String { get }

    func info() async throws(MintError) -> MintInfo
    func keysets() async throws(MintError) -> [KeysetInfo]
    /// Keys of one keyset, checked against its id (NUT-02).
    func keys(for id: KeysetID) async throws(MintError) -> Keyset
    /// NUT-03. Exactly one signature per output, or an error.
    func swap(inputs: [Proof], outputs: [BlindedMessage]) async throws(MintError) -> [BlindSignature]
    func mintQuote(amount: Amount, unit: CurrencyUnit) async throws(MintError) -> MintQuote
    func mintQuoteState(_ quote: String) async throws(MintError) -> MintQuote
    /// NUT-04. Exactly one signature per output, or an error.
    func mint(quote: String, outputs: [BlindedMessage]) async throws(MintError) -> [BlindSignature]
    func meltQuote(request: String, unit: CurrencyUnit) async throws(MintError) -> MeltQuote
    func meltQuoteState(_ quote: String) async throws(MintError) -> MeltQuote
    func melt(quote: String, inputs: [Proof], outputs: [BlindedMessage]) async throws(MintError) -> MeltQuote
    /// NUT-07, one state per Y in order.
    func checkState(Ys: [String]) async throws(MintError) -> [ProofState]
    /// NUT-09.
    func restore(outputs: [BlindedMessage]) async throws(MintError) -> RestoreResponse
}

extension MintClient: MintConnector {}
