/// An optional that `--json` always writes: absent is `null`, so every
/// documented key is there for `jq` (synthesized `Encodable` would leave the
/// key out). `@Nullable var bill: Bill?` in any output type.
// swift-format-ignore: UseSynthesizedInitializer
// (The initializer must be declared: only a declared init(wrappedValue:) lets
// an output type's own init assign a plain optional to an `@Nullable` property.)
@propertyWrapper
struct Nullable<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
