import LoomJSON
import LoomProtocol

/// `GET /v1/models`: the union of the models on live offers, each with its
/// best price and how many workers serve it. Pure: from the offers.
public struct ModelListing: Sendable, Hashable {
    public var id: String
    public var workers: Int
    public var bestMsatPerSecond: UInt64
    /// The newest offer naming the model (OpenAI's `created`).
    public var created: Int64

    public static func list(_ offers: [WorkerOffer]) -> [ModelListing] {
        var byModel: [String: ModelListing] = [:]
        for offer in offers {
            let price = offer.advertisement.pricing.msatPerSecond
            for model in Set(offer.advertisement.models) {
                var entry =
                    byModel[model]
                    ?? ModelListing(id: model, workers: 0, bestMsatPerSecond: price, created: offer.createdAt)
                entry.workers += 1
                entry.bestMsatPerSecond = min(entry.bestMsatPerSecond, price)
                entry.created = max(entry.created, offer.createdAt)
                byModel[model] = entry
            }
        }
        return byModel.values.sorted { $0.id < $1.id }
    }

    /// OpenAI's model object, with the market's numbers beside it.
    public var json: JSONValue {
        .object([
            "id": .string(id), "object": "model", "created": .int(Int(created)), "owned_by": "loom",
            "workers": .int(workers), "msat_per_second": .int(Int(bestMsatPerSecond)),
        ])
    }

    public static func page(_ models: [ModelListing]) -> JSONValue {
        .object(["object": "list", "data": .array(models.map(\.json))])
    }
}
