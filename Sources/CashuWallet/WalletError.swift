import Cashu

/// Why a wallet operation did not happen. Each case says what to do next.
public enum WalletError: Error, Sendable, CustomStringConvertible {
    case token(TokenError)
    case wrongMint(token: String, wallet: String)
    case wrongUnit(token: String, wallet: String)
    case unknownKeyset(String)
    case dleqInvalid(String)
    case lockedToAnotherKey
    case amountTooSmall(amount: Amount, fee: Amount)
    case insufficientFunds(needed: Amount, available: Amount)
    case mint(MintError)
    case noActiveKeyset(CurrencyUnit)
    case quoteNotPaid(String)
    case invalidMnemonic(String)
    case pendingOutcome(operation: String)
    /// The token's proofs are already this wallet's, or being received by it.
    case alreadyReceived(operation: String)
    /// Another receive of this wallet holds the token's proofs now
    /// (`claimReceive`): refused, or asked again once that one is over.
    case held
    case corrupt(String)

    public var description: String {
        switch self {
        case .token(let e): "token refused: \(e)"
        case .wrongMint(let t, let w): "token is from mint \(t), this wallet uses \(w)"
        case .wrongUnit(let t, let w): "token is in unit \(t), this wallet holds \(w)"
        case .unknownKeyset(let id): "keyset \(id) is not one of the mint's keysets"
        case .dleqInvalid(let why): "token proof failed its DLEQ check (not signed by the mint's key): \(why)"
        case .lockedToAnotherKey: "token is P2PK-locked to a key this wallet does not hold"
        case .amountTooSmall(let a, let f): "token of \(a) does not cover the mint's input fee of \(f)"
        case .insufficientFunds(let n, let a): "insufficient funds: need \(n) including fees, have \(a)"
        case .mint(let e): e.description
        case .noActiveKeyset(let u): "the mint has no active keyset for unit \(u)"
        case .quoteNotPaid(let q): "the invoice of quote \(q) has not been paid"
        case .invalidMnemonic(let why): "invalid mnemonic: \(why)"
        case .pendingOutcome(let op):
            "the mint did not answer; operation \(op) is journaled and will be settled by `loom wallet check`"
        case .alreadyReceived(let op): "this token was already received by this wallet (operation \(op)); a token pays once"
        case .held: "this token's proofs are held by another receive of this wallet, still in progress; a token pays once"
        case .corrupt(let why): "wallet database inconsistent: \(why)"
        }
    }
}
