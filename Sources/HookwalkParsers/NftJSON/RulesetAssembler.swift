import HookwalkModel

/// Builds a `Ruleset` from the `nftables` array.
///
/// The array is flat (tables, then chains, sets and rules that name their table and chain), so it
/// is read in three passes: tables first, then everything that lives in a table, then rules. That
/// way the order of the array does not matter, and a rule for a table or chain that does not exist
/// is reported at its own path instead of being dropped.
struct RulesetAssembler {
    private(set) var ruleset = Ruleset()

    private struct TableKey: Hashable {
        var family: Family
        var name: String
    }

    private struct ChainKey: Hashable {
        var table: Int
        var name: String
    }

    private var tableIndex: [TableKey: Int] = [:]
    private var chainIndex: [ChainKey: Int] = [:]
    /// Where each chain, set and rule was read, for the errors of `RulesetValidation`.
    /// The node of each; its path is worked out only for an error.
    private(set) var places: [RulesetPlace: Int] = [:]

    /// Stateful objects that live in a table and are kept by kind and name only.
    static let objectKinds: Set<String> = [
        "counter", "quota", "ct helper", "limit", "synproxy", "flowtable", "secmark", "ct timeout", "ct expectation",
    ]

    /// Command wrappers that a ruleset file written for `nft -j -f` may use; they add the object
    /// they wrap, which is all a listing needs.
    static let addingCommands: Set<String> = ["add", "create", "insert"]

    mutating func load(_ root: JSONNode) throws {
        let items = try root.required("nftables").elements()
        var entries: [(kind: String, node: JSONNode)] = []
        entries.reserveCapacity(items.count)
        for item in items {
            entries.append(try Self.entry(item))
        }
        for e in entries where e.kind == "table" { try addTable(e.node) }
        for e in entries {
            switch e.kind {
            case "metainfo", "table", "rule": break
            case "chain": try addChain(e.node)
            case "set", "map": try addSet(e.node, isMap: e.kind == "map")
            default: try addObject(e.node, kind: e.kind)
            }
        }
        for e in entries where e.kind == "rule" { try addRule(e.node) }
    }

    /// The kind and body of one array item, with `{"add": {"table": ...}}` unwrapped.
    private static func entry(_ item: JSONNode) throws -> (kind: String, node: JSONNode) {
        guard item.isObject else { throw item.error("expected an object, found \(item.typeName)") }
        guard var (kind, node) = item.onlyMember else {
            throw item.error("expected an object with one key (table, chain, rule, set, ...), found \(item.count) keys")
        }
        if addingCommands.contains(kind) {
            guard node.isObject else { throw node.error("expected an object, found \(node.typeName)") }
            guard let inner = node.onlyMember else { throw node.error("expected one object to \(kind), found \(node.count)") }
            (kind, node) = inner
        }
        return (kind, node)
    }

    // MARK: tables

    private func family(_ node: JSONNode) throws -> Family {
        let familyNode = try node.required("family")
        let text = try familyNode.string()
        guard let f = Family(rawValue: text) else { throw familyNode.error("unknown family \"\(text)\"") }
        return f
    }

    private mutating func addTable(_ node: JSONNode) throws {
        let key = TableKey(family: try family(node), name: try node.required("name").string())
        // `add table` of an existing table is a no-op in nft; the first one wins here too.
        guard tableIndex[key] == nil else { return }
        tableIndex[key] = ruleset.tables.count
        ruleset.tables.append(Table(
            family: key.family, name: key.name,
            handle: try node.optional("handle")?.int(),
            flags: try node.optional("flags")?.stringList() ?? [],
            comment: try node.optional("comment")?.string()))
    }

    /// The index of the table that `node` (a chain, set, rule or object) belongs to.
    private func owningTable(_ node: JSONNode) throws -> Int {
        let f = try family(node)
        let tableNode = try node.required("table")
        let name = try tableNode.string()
        guard let i = tableIndex[TableKey(family: f, name: name)] else {
            throw tableNode.error("table \(f.rawValue) \(name) is not defined")
        }
        return i
    }

    // MARK: chains

    private mutating func addChain(_ node: JSONNode) throws {
        let t = try owningTable(node)
        let name = try node.required("name").string()
        let key = ChainKey(table: t, name: name)
        let family = ruleset.tables[t].family
        var base: BaseChainSpec?
        if node.optional("hook") != nil || node.optional("type") != nil {
            base = try baseChain(node, family: family)
        }
        if let c = chainIndex[key] {
            // `add chain` of an existing chain: the kernel takes a new policy, and refuses a
            // different type, hook or priority.
            guard var b = base else { return }
            if let first = ruleset.tables[t].chains[c].base {
                b.policy = first.policy
                if b == first { return }
            }
            throw node.error("chain \(name) declared twice with a different type, hook or priority "
                             + "(the kernel refuses it: EOPNOTSUPP, \"Operation not supported\")")
        }
        places[.chain(t, ruleset.tables[t].chains.count)] = node.index
        chainIndex[key] = ruleset.tables[t].chains.count
        ruleset.tables[t].chains.append(Chain(
            name: name, handle: try node.optional("handle")?.int(), base: base,
            comment: try node.optional("comment")?.string()))
    }

    private func baseChain(_ node: JSONNode, family: Family) throws -> BaseChainSpec {
        let typeNode = try node.required("type")
        let typeText = try typeNode.string()
        guard let type = ChainType(rawValue: typeText) else { throw typeNode.error("unknown chain type \"\(typeText)\"") }

        let hookNode = try node.required("hook")
        let hookText = try hookNode.string()
        guard let hook = Hook(rawValue: hookText) else { throw hookNode.error("unknown hook \"\(hookText)\"") }
        guard Self.hooks(of: family).contains(hook) else {
            throw hookNode.error("hook \"\(hookText)\" does not exist in the \(family.rawValue) family")
        }

        let prioNode = try node.required("prio")
        let priority: Int
        if let text = prioNode.numberText {
            guard let p = prioNode.intValue, InputLimits.priorityRange.contains(p) else {
                throw prioNode.error("chain priority must be an integer from -2147483648 to 2147483647 (the kernel's priority is 32-bit), found \(text)")
            }
            priority = p
        } else if let s = prioNode.stringValue {
            // nft prints numbers, but a hand-written file may use `dstnat` or `filter + 10`.
            guard let p = Priority.resolve(s, family: family) else {
                throw prioNode.error("unknown chain priority \"\(s)\" in the \(family.rawValue) family (or outside the kernel's 32-bit range)")
            }
            priority = p
        } else {
            throw prioNode.error("chain priority must be an integer, found \(prioNode.typeName)")
        }

        var policy = Policy.accept
        if let policyNode = node.optional("policy") {
            let text = try policyNode.string()
            guard let p = Policy(rawValue: text) else { throw policyNode.error("unknown chain policy \"\(text)\"") }
            policy = p
        }
        var devices: [String] = []
        if let dev = node.optional("dev") { devices += try dev.stringList() }
        if let devs = node.optional("devs") { devices += try devs.stringList() }
        return BaseChainSpec(type: type, hook: hook, priority: priority, policy: policy, devices: devices)
    }

    /// The hooks the kernel offers each family; a chain on any other is rejected by `nft` too.
    static func hooks(of family: Family) -> [Hook] {
        switch family {
        case .ip, .ip6, .bridge: return [.prerouting, .input, .forward, .output, .postrouting]
        case .inet: return [.ingress, .prerouting, .input, .forward, .output, .postrouting]
        case .arp: return [.input, .output]
        case .netdev: return [.ingress, .egress]
        }
    }

    // MARK: sets, maps and objects

    private mutating func addSet(_ node: JSONNode, isMap: Bool) throws {
        let t = try owningTable(node)
        let name = try node.required("name").string()
        let typeNode = try node.required("type")
        guard typeNode.isString || typeNode.isArray else {
            throw typeNode.error("set key type must be a datatype name or a list of them, found \(typeNode.typeName)")
        }
        let keyType = try typeNode.stringList()
        var dataType: String?
        if let mapNode = node.optional("map") {
            dataType = try mapNode.stringList().joined(separator: " . ")
        } else if isMap {
            throw node.error("missing required key \"map\"")
        }
        var elements: [SetElement] = []
        if let elemNode = node.optional("elem") {
            let items = try elemNode.elements()
            elements.reserveCapacity(items.count)
            for item in items {
                guard let e = try item.setElement(isMap: dataType != nil) else {
                    throw item.error("set element is not a constant: \(item.compactText)")
                }
                elements.append(e)
            }
        }
        places[.set(t, ruleset.tables[t].sets.count)] = node.index
        ruleset.tables[t].sets.append(NamedSet(
            name: name, handle: try node.optional("handle")?.int(), keyType: keyType, dataType: dataType,
            flags: try node.optional("flags")?.stringList() ?? [], elements: elements,
            comment: try node.optional("comment")?.string(),
            size: try node.optional("size")?.uint64(), timeout: try node.optional("timeout")?.uint64(),
            gcInterval: try node.optional("gc-interval")?.uint64(), policy: try node.optional("policy")?.string(),
            stmts: try node.optional("stmt")?.elements().map { try $0.stmt() } ?? []))
    }

    private mutating func addObject(_ node: JSONNode, kind: String) throws {
        // A kind this version does not know is still kept when it looks like a table object, so
        // that a newer nft's listing loads.
        guard Self.objectKinds.contains(kind) || (node.optional("table") != nil && node.optional("name") != nil) else {
            throw node.error("unknown object \"\(kind)\"")
        }
        let t = try owningTable(node)
        var parts: [String: Part]?
        if kind == "flowtable" {
            // nft 1.0.6's `flowtable_print_json`: hook, prio, dev (a string, or an array for
            // more than one); it leaves the flags (offload, counter) out.
            var p: [String: Part] = [:]
            if let hook = node.optional("hook") {
                let name = try hook.string()
                guard Hook(rawValue: name) != nil else { throw hook.error("unknown flowtable hook \"\(name)\"") }
                p["hook"] = .expr(.value(.string(name)))
            }
            if let prio = node.optional("prio") { p["prio"] = .expr(.value(.string(String(try prio.int())))) }
            if let dev = node.optional("dev") { p["dev"] = .flags(try dev.stringList()) }
            parts = p
        } else if node.isObject {
            var p: [String: Part] = [:]
            try node.forEachMember { k, v in
                if !Objects.skipped.contains(k) { p[k] = try v.part(k) }
            }
            Objects.normalize(kind, &p)
            parts = p
        }
        ruleset.tables[t].objects.append(NamedObject(
            kind: kind, name: try node.required("name").string(), handle: try node.optional("handle")?.int(), parts: parts))
    }

    // MARK: rules

    private mutating func addRule(_ node: JSONNode) throws {
        let t = try owningTable(node)
        let chainNode = try node.required("chain")
        let chainName = try chainNode.string()
        guard let c = chainIndex[ChainKey(table: t, name: chainName)] else {
            let table = ruleset.tables[t]
            throw chainNode.error("chain \"\(chainName)\" is not defined in table \(table.family.rawValue) \(table.name)")
        }
        let exprs = try node.required("expr").elements()
        var stmts: [Stmt] = []
        stmts.reserveCapacity(exprs.count)
        for e in exprs { stmts.append(try e.stmt()) }
        places[.rule(t, c, ruleset.tables[t].chains[c].rules.count)] = node.index
        ruleset.tables[t].chains[c].rules.append(Rule(
            handle: try node.optional("handle")?.int(), stmts: stmts,
            comment: try node.optional("comment")?.string()))
    }
}
