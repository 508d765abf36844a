import HookwalkModel
import HookwalkSimulator

/// Colours and shapes shared by the scenario diagrams and the overview, so both read alike.
enum DiagramStyle {
    static let font = "Helvetica"
    static let mono = "Courier"

    static func graphDefaults(_ dot: inout DOT, title: [String]) {
        dot.graph([("rankdir", "TB"), ("fontname", font), ("fontsize", "12"),
                   ("nodesep", "0.35"), ("ranksep", "0.4"), ("labelloc", "t"),
                   ("label", DOT.label(title, boldLines: 1))])
        dot.nodeDefaults([("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "white"),
                          ("fontname", font), ("fontsize", "10")])
        dot.edgeDefaults([("fontname", font), ("fontsize", "9"), ("color", "gray30")])
    }

    /// Hook clusters: ip-family hooks on a pale yellow, bridge hooks on a pale blue, others grey.
    static func clusterFill(_ family: Family?) -> String {
        switch family {
        case .bridge: return "#e8f0fc"
        case .ip, .ip6, .inet, nil: return "#fdf8e4"
        default: return "#eeeeee"
        }
    }

    static func chainFill(_ type: ChainType) -> String {
        switch type {
        case .nat: return "#fde2c8"
        case .filter: return "#ffffff"
        case .route: return "#e4e4f7"
        }
    }

    static let regularChainFill = "#f4f4f4"
    static let acceptFill = "#d3f2d3"
    static let dropFill = "#f8c9c9"
    static let natFill = "#fff1a8"
    static let noteFill = "#ffffff"
    static let endpointFill = "#dcdcdc"

    /// `table ip nat / chain PREROUTING / type nat hook prerouting priority -100`.
    static func baseChainLines(_ ref: ChainRef, type: ChainType, hook: Hook, priority: Int, policy: Policy?) -> [String] {
        var typeLine = "type \(type.rawValue) hook \(hook.rawValue) priority \(priority)"
        if let policy { typeLine += "; policy \(policy.rawValue)" }
        return ["table \(ref.family.rawValue) \(ref.table)", "chain \(ref.chain)", typeLine]
    }
}
