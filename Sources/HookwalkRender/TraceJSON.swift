import Foundation
import HookwalkModel
import HookwalkSimulator

/// The documented machine form of a trace: the `Trace` value as JSON, keys sorted so the same
/// snapshot gives byte-identical files.
public enum TraceJSON {
    public static func encode(_ trace: Trace) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(trace), as: UTF8.self)
    }
}
