import Foundation

/// `hookwalk diff --format json`: the report with `equivalent` and the counts spelled out, keys
/// sorted, so scripts can read it and identical inputs give identical bytes.
public enum JSONDiff {
    private struct Document: Encodable {
        var equivalent: Bool
        var counts: [String: Int]
        var a: DiffReport.Side
        var b: DiffReport.Side
        var settings: [DiffReport.Setting]
        var scenarios: [ScenarioDiff]
    }

    public static func render(_ r: DiffReport) throws -> String {
        var counts: [String: Int] = [:]
        for status in ScenarioDiff.Status.allCases { counts[status.rawValue] = r.count(status) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Document(equivalent: r.equivalent, counts: counts, a: r.a, b: r.b,
                                               settings: r.settings, scenarios: r.scenarios))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
