extension Advertisement {
    static let maxNameLength = 64
    static let maxAboutLength = 1000
    static let maxModelNameLength = 200
    static let maxGeohashLength = 12
    /// A request with a token and a short prompt needs a few kilobytes; a
    /// smaller limit is a mistake, and would make every request fail.
    static let leastRequestBytes = 4_096

    /// The rules for a well-formed offer, applied when building and when parsing.
    public func validate() throws(ContentError) {
        guard (1...Self.maxNameLength).contains(name.count) else {
            throw .invalid(field: "name", reason: "must be 1...\(Self.maxNameLength) characters")
        }
        guard about.count <= Self.maxAboutLength else {
            throw .invalid(field: "about", reason: "must be at most \(Self.maxAboutLength) characters")
        }
        try pricing.validate()
        for (i, b) in backends.enumerated() {
            guard !b.name.isEmpty, b.name.count <= 32 else {
                throw .invalid(field: "backends[\(i)].name", reason: "must be 1...32 characters")
            }
            for m in b.models where m.isEmpty || m.count > Self.maxModelNameLength || m.contains(where: \.isWhitespace) {
                throw .invalid(
                    field: "backends[\(i)].models",
                    reason: "model names are 1...\(Self.maxModelNameLength) characters without spaces")
            }
        }
        try Check.urls(mints, field: "mints", schemes: ["https", "http"])
        try Check.urls(blossom, field: "blossom", schemes: ["https", "http"])
        try Check.urls(relays, field: "relays", schemes: ["wss", "ws"])
        try WireBounds.slots(capacity.maxConcurrent, "capacity.max_concurrent")
        try WireBounds.slots(capacity.running, "capacity.running")
        try WireBounds.slots(capacity.queued, "capacity.queued")
        try WireBounds.slots(capacity.maxQueue, "capacity.max_queue")
        try validateHardware()
        if let maxRequestBytes, !(Self.leastRequestBytes...Int(WireBounds.maxBytes)).contains(maxRequestBytes) {
            throw .invalid(field: "max_request_bytes", reason: "must be \(Self.leastRequestBytes)...\(WireBounds.maxBytes)")
        }
        if let maxInputBytes, maxInputBytes > WireBounds.maxBytes {
            throw .invalid(field: "max_input_bytes", reason: "must be at most \(WireBounds.maxBytes)")
        }
        guard (1...64).contains(software.name.count), (1...64).contains(software.version.count) else {
            throw .invalid(field: "software", reason: "name and version must be 1...64 characters")
        }
        if let geohash, !Self.isGeohash(geohash) {
            throw .invalid(field: "g", reason: "not a geohash of 1...\(Self.maxGeohashLength) characters")
        }
        // An offer that takes jobs must say how to pay and what it runs.
        if accepting {
            guard !models.isEmpty else {
                throw .invalid(field: "backends", reason: "an accepting worker lists at least one model")
            }
            guard !mints.isEmpty else { throw .invalid(field: "mints", reason: "an accepting worker lists at least one mint") }
            guard capacity.maxConcurrent >= 1 else {
                throw .invalid(field: "capacity.max_concurrent", reason: "an accepting worker runs at least one job")
            }
        }
    }

    private func validateHardware() throws(ContentError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard (1...32).contains(hardware.chipFamily.count), hardware.chipFamily.allSatisfy(allowed.contains) else {
            throw .invalid(field: "hardware.chip_family", reason: "a short lower-case family name such as apple-m2 or x86_64")
        }
    }

    static func isGeohash(_ s: String) -> Bool {
        let alphabet = Set("0123456789bcdefghjkmnpqrstuvwxyz")
        return (1...maxGeohashLength).contains(s.count) && s.allSatisfy(alphabet.contains)
    }
}
