import HookwalkModel
import HookwalkSimulator

/// One scenario's page and diagrams, split from `DocGenerator.renderHost` because a scenario can
/// have up to four packets (the client's request and reply, docker-proxy's request and the
/// container's reply), each with a walkthrough and a diagram.
extension DocGenerator {
    /// What the host's index needs to know about a rendered scenario.
    struct RenderedScenario {
        var page: String
        var requestDiagram: String
        var replyDiagram: String?
        var shortVerdict: String
        var notModelled: [NotModelledConstruct]
    }

    /// Writes a diagram's `.dot`; its `.svg` (and `.png`) come later, all at once, from
    /// `layOut` (which can spread Graphviz over worker processes).
    func addDiagram(files: inout [String: [UInt8]], paths: SitePaths, host: String, base: String, png: Bool,
                    dot: String) throws {
        files[paths.diagram(host, base, "dot")] = Array(dot.utf8)
    }

    /// A request walkthrough and, when the request arrived, its reply's.
    func walkthroughs(_ trace: Trace, builder: WalkthroughBuilder) -> (Walkthrough, Walkthrough?) {
        let request = builder.build(trace.request, direction: .request, from: trace.scenario.from)
        guard let r = trace.reply, case .delivered(let endpoint, _) = trace.request.outcome else { return (request, nil) }
        return (request, builder.build(r, direction: .reply, from: endpoint))
    }

    func renderScenario(_ doc: ScenarioDoc, id: String, host: String, snapshot: Snapshot, context: RenderContext,
                        builder: WalkthroughBuilder, paths: SitePaths, png: Bool,
                        into files: inout [String: [UInt8]]) throws -> RenderedScenario {
        let trace = doc.trace
        let roles = ScenarioRoles.make(kind: doc.kind, container: doc.container, trace: trace)
        var (request, reply) = walkthroughs(trace, builder: builder)
        if let r = roles.requestReceiver {
            request.receiver = r.markdown
            request.receiverPlain = r.plain
        }
        if let s = roles.replySender {
            reply?.sender = s.markdown
            reply?.senderPlain = s.plain
        }
        let pagePath = paths.scenario(host, id)
        let link = { (to: String) in paths.link(from: pagePath, to: to) }
        var diagramLinks: [String] = []
        func diagram(_ walk: Walkthrough, base: String, name: String) throws -> String {
            try addDiagram(files: &files, paths: paths, host: host, base: "\(id)-\(base)", png: png,
                           dot: ScenarioDiagram.dot(walk, title: doc.title, context: context))
            let svg = paths.diagram(host, "\(id)-\(base)", "svg")
            diagramLinks.append("[\(name)](\(link(svg)))")
            return svg
        }

        let requestSVG = try diagram(request, base: "request", name: "request")
        var directions = [ScenarioPage.direction(request, request: nil, diagram: link(requestSVG), host: snapshot.host,
                                                 extraIntro: roles.requestIntro)]
        var packets = [NotModelledNotes.Packet(name: "request", trace: trace.request, walk: request)]
        var replySVG: String?
        if let reply, let r = trace.reply {
            let svg = try diagram(reply, base: "reply", name: "reply")
            replySVG = svg
            directions.append(ScenarioPage.direction(reply, request: request, diagram: link(svg), host: snapshot.host,
                                                     extraIntro: roles.replyIntro))
            packets.append(NotModelledNotes.Packet(name: "reply", trace: r, walk: reply))
        }
        if let answer = trace.answer {
            var walk = builder.build(answer.trace, direction: .answer, from: .host)
            walk.sender = "the host"
            walk.senderPlain = "the host"
            let svg = try diagram(walk, base: "answer", name: "reject's answer")
            let intro = "The request was rejected, so the kernel answers the client itself: it builds "
                + (answer.kind == "tcp reset" ? "a TCP reset" : "an \(Markdown.codeSpan(answer.kind)) error")
                + " and sends it from \(Markdown.codeSpan(answer.trace.initial.saddr.description)) through the output and postrouting "
                + "hooks like any packet the host sends. Conntrack attaches it to the rejected connection, so rules see it as "
                + "`ct state related`. " + (answer.reachedClient
                    ? "It reaches the client, whose connection is \(answer.refusal) at once."
                    : "It does not reach the client, which sees nothing and times out.")
            directions.append(ScenarioPage.direction(walk, request: request, diagram: link(svg), host: snapshot.host, extraIntro: [intro]))
            packets.append(NotModelledNotes.Packet(name: "reject's answer", trace: answer.trace, walk: walk))
        }

        var proxySection: ScenarioPage.ProxyLeg?
        if let container = roles.proxyContainer, let leg = trace.proxyLeg.first {
            var (legRequest, legReply) = walkthroughs(leg, builder: builder)
            var delivered: PacketState?
            if case .delivered(_, let seen) = trace.request.outcome { delivered = seen }
            legRequest.sender = ScenarioRoles.proxyName.markdown
            legRequest.senderPlain = ScenarioRoles.proxyName.plain
            legReply?.receiver = "docker-proxy"
            legReply?.receiverPlain = "docker-proxy on the host"
            let svg = try diagram(legRequest, base: "proxy-request", name: "docker-proxy's request")
            var legDirections = [ScenarioPage.direction(legRequest, request: nil, diagram: link(svg), host: snapshot.host, level: 3)]
            packets.append(NotModelledNotes.Packet(name: "docker-proxy's request", trace: leg.request, walk: legRequest))
            if let legReply, let r = leg.reply {
                let svg = try diagram(legReply, base: "proxy-reply", name: "the container's reply to docker-proxy")
                legDirections.append(ScenarioPage.direction(legReply, request: legRequest, diagram: link(svg),
                                                            host: snapshot.host, level: 3))
                packets.append(NotModelledNotes.Packet(name: "the container's reply to docker-proxy", trace: r, walk: legReply))
            }
            proxySection = ScenarioPage.ProxyLeg(heading: "docker-proxy's own connection to \(Markdown.escape(container))",
                                                 explanation: ScenarioRoles.proxyExplanation(container: container, leg: leg, seen: delivered),
                                                 directions: legDirections)
        }

        let found = NotModelledNotes.constructs(packets)
        let page = ScenarioPage(id: id, title: Markdown.escape(doc.title), kind: Markdown.escape(doc.kind),
                                verdict: Phrases.verdict(trace, roles: roles), hostPage: link(paths.hostIndex(host)),
                                requestDiagram: link(requestSVG), replyDiagram: replySVG.map(link),
                                diagramLinks: diagramLinks.joined(separator: " · "),
                                callout: NotModelledNotes.callout(found), directions: directions, proxyLeg: proxySection,
                                branches: BranchesSection.markdown(doc.branches))
        files[pagePath] = Array(try templates.render(page, template: "scenario").utf8)
        return RenderedScenario(page: pagePath, requestDiagram: requestSVG, replyDiagram: replySVG,
                                shortVerdict: Phrases.shortVerdict(trace, roles: roles), notModelled: found.map(\.construct))
    }

    /// Links from the index's container table to the scenarios of containers that publish no
    /// port and so have no row of their own to point at: host-network containers, documented
    /// through the input path.
    static func containerLinks(_ scenarios: [ScenarioDoc], ids: [String], paths: SitePaths,
                               host: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        let hostPage = paths.hostIndex(host)
        for (doc, id) in zip(scenarios, ids) where doc.kind == "host-network" {
            guard let container = doc.container else { continue }
            let target = paths.link(from: hostPage, to: paths.scenario(host, id))
            let s = doc.trace.scenario
            var from = ""
            if case .external(let client, _) = s.from { from = " from \(client)" }
            out[container, default: []].append("[\(s.port)/\(s.proto.rawValue)\(from)](\(target))")
        }
        return out
    }
}
