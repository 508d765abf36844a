import Foundation

/// Addresses and verdicts are written as the text nft prints, so JSON traces read like listings.
extension IPAddress: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let a = IPAddress(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an IP address: \(s)")
        }
        self = a
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Verdict: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        let parts = s.split(separator: " ", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("accept", 1): self = .accept
        case ("drop", 1): self = .drop
        case ("continue", 1): self = .continue
        case ("return", 1): self = .return
        case ("queue", 1): self = .queue
        case ("jump", 2): self = .jump(parts[1])
        case ("goto", 2): self = .goto(parts[1])
        default: throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a verdict: \(s)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(traceText)
    }
}
