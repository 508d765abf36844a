import CGraphviz
import Foundation
import HookwalkModel

/// Lays out and renders DOT text in process with libgvc.
///
/// libcgraph keeps global parser and error state, so every call goes through one lock and one GVC
/// context that lives for the whole process (creating a context loads the plugin configuration,
/// which is slow and leaks in Graphviz 2.42).
public enum GraphvizRenderer {
    /// The output formats hookwalk asks Graphviz for.
    public static let formats: Set<String> = ["svg", "png", "dot"]

    /// Renders `dot` with the `dot` layout engine into `format` (`svg` or `png`).
    public static func render(dot: String, format: String) throws -> [UInt8] {
        guard formats.contains(format) else {
            throw HookwalkError(.none, "Graphviz: unsupported output format '\(format)' (use svg or png)")
        }
        return try GraphvizContext.shared.withContext { gvc in
            try renderLocked(gvc: gvc, dot: dot, format: format)
        }
    }

    /// Runs with the lock held: libcgraph's parser, attribute dictionaries and error buffer are
    /// process globals.
    private static func renderLocked(gvc: OpaquePointer, dot: String, format: String) throws -> [UInt8] {
        _ = agreseterrors()
        guard let graph = dot.withCString({ hookwalk_read_dot($0) }) else {
            throw HookwalkError(.none, "Graphviz could not read the DOT text: \(lastError() ?? "syntax error")")
        }
        defer { agclose(graph) }
        guard gvLayout(gvc, graph, "dot") == 0 else {
            let message = lastError() ?? "layout failed"
            if message.contains("not recognized") {
                throw HookwalkError(.none, "Graphviz has no 'dot' layout plugin: run `dot -c` as root or install graphviz (\(message))")
            }
            throw HookwalkError(.none, "Graphviz layout failed: \(message)")
        }
        defer { gvFreeLayout(gvc, graph) }
        var data: UnsafeMutablePointer<CChar>?
        var length: UInt32 = 0
        guard gvRenderData(gvc, graph, format, &data, &length) == 0, let data else {
            let message = lastError() ?? "rendering failed"
            if message.contains("not recognized") {
                throw HookwalkError(.none, "Graphviz has no '\(format)' render plugin: run `dot -c` as root or install graphviz (\(message))")
            }
            throw HookwalkError(.none, "Graphviz could not render \(format): \(message)")
        }
        defer { gvFreeRenderData(data) }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }

    /// The last message libcgraph recorded. `agseterr(AGMAX)` (set once with the context) makes
    /// cgraph keep messages instead of printing them to stderr; `aglasterr` hands out a malloc'd
    /// copy.
    private static func lastError() -> String? {
        guard let p = aglasterr() else { return nil }
        defer { free(p) }
        let text = String(cString: p).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text.replacingOccurrences(of: "\n", with: " ")
    }
}

/// The one GVC context of the process and the lock that serialises all Graphviz calls.
/// `@unchecked Sendable` because the pointer is only touched with `lock` held.
private final class GraphvizContext: @unchecked Sendable {
    static let shared = GraphvizContext()

    private let lock = NSLock()
    private var gvc: OpaquePointer?

    func withContext<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if gvc == nil {
            // Keep messages for aglasterr rather than writing them to the user's terminal.
            _ = agseterr(AGMAX)
            gvc = gvContext()
            if let gvc { Self.warmUp(gvc) }
        }
        guard let gvc else {
            throw HookwalkError(.none, "Graphviz could not create a context: install graphviz (libgvc)")
        }
        return try body(gvc)
    }

    /// Graphviz loads the cairo/pango plugins, and with them pango's text measurement, the first
    /// time a bitmap format is rendered; layouts before that use estimated font metrics. Rendering
    /// one tiny PNG up front makes every layout of the process use the same metrics, so an SVG is
    /// the same bytes whether or not PNGs were rendered before it.
    private static func warmUp(_ gvc: OpaquePointer) {
        guard let g = hookwalk_read_dot("digraph { a }") else { return }
        if gvLayout(gvc, g, "dot") == 0 {
            var data: UnsafeMutablePointer<CChar>?
            var length: UInt32 = 0
            if gvRenderData(gvc, g, "png", &data, &length) == 0, let data { gvFreeRenderData(data) }
            gvFreeLayout(gvc, g)
        }
        agclose(g)
        _ = agreseterrors()
    }
}
