/// The union of one packet's path on two hosts, in path order: each step marked as on both, only
/// on A or only on B (aligned by `StepAlignment`, so a rule added in the middle is one B-only step
/// and not a shifted tail). What the overlay diagram draws; not part of `--format json`, which
/// lists the one-sided steps already.
public struct PacketOverlay: Sendable, Hashable {
    public enum Side: String, Sendable, Hashable {
        case both, a, b
    }

    public struct Step: Sendable, Hashable {
        public var side: Side
        /// As on A for common steps (addresses are A's), as on its own host otherwise.
        public var text: String
        /// `ip forward`: the hook the step happened at, for grouping; nil before the first hook.
        public var hook: String?
    }

    /// `request`, `reply`, `proxy request`, `proxy reply`.
    public var packet: String
    public var steps: [Step]
    /// How the packet ended on each side (nil: that side has no such packet).
    public var endA: String?
    public var endB: String?
    /// Whether both sides ended the same way (compared on normalized keys, not on the text).
    public var sameEnd: Bool

    static func make(_ packet: String, _ a: (steps: [PathStep], end: (key: String, text: String))?,
                     _ b: (steps: [PathStep], end: (key: String, text: String))?) -> PacketOverlay? {
        guard a != nil || b != nil else { return nil }
        let aligned = StepAlignment.aligned(a?.steps ?? [], b?.steps ?? [])
        let steps = aligned.map { side, step in
            Step(side: side, text: step.text, hook: step.key.hook.map { "\(step.key.family ?? "ip") \($0)" })
        }
        return PacketOverlay(packet: packet, steps: steps, endA: a?.end.text, endB: b?.end.text,
                             sameEnd: a != nil && b != nil && a?.end.key == b?.end.key)
    }
}
