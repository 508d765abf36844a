import HookwalkModel

/// Writes a `Ruleset` in the libnftables JSON schema, so that `hookwalk ruleset --format json` can
/// turn a text listing into what `nft -j list ruleset` would print.
///
/// Usage: `let json = NftJSONWriter.write(ruleset)`. Per table: the table, its objects, chains, sets
/// and maps, then each chain's rules, in nft's spacing. That is nft's listing order except that
/// chains come before sets, so that `nft -j -f` can load the output (see `tableItems`). It is deterministic, and
/// `NftJSON.parse(NftJSONWriter.write(r))` gives back `r` for any ruleset read from JSON.
/// Objects are written with their kind, name and handle only, because that is all the model keeps.
public enum NftJSONWriter {
    public static func write(_ ruleset: Ruleset) -> String {
        var items: [JSONValue] = [
            .object([("metainfo", .object([("json_schema_version", .number(JSONNumber(1)))]))]),
        ]
        // iptables-legacy tables are not nftables: the schema cannot hold them (the text writer
        // shows them commented out; `hookwalk ruleset` says they were left out).
        for table in ruleset.tables where !table.legacy {
            items.append(contentsOf: tableItems(table))
        }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        JSONSerializer.write(.object([("nftables", .array(items))]), style: .nft, into: &out)
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    static func tableItems(_ table: Table) -> [JSONValue] {
        let family = JSONValue.string(table.family.rawValue)
        let tableName = JSONValue.string(table.name)
        var items: [JSONValue] = []

        var t: [(key: String, value: JSONValue)] = [("family", family), ("name", tableName)]
        if let h = table.handle { t.append(("handle", number(h))) }
        if !table.flags.isEmpty { t.append(("flags", table.flags.count == 1 ? .string(table.flags[0]) : strings(table.flags))) }
        if let c = table.comment { t.append(("comment", .string(c))) }
        items.append(.object([("table", .object(t))]))

        for object in table.objects {
            var o: [(key: String, value: JSONValue)] = [("family", family), ("name", .string(object.name)), ("table", tableName)]
            if let h = object.handle { o.append(("handle", number(h))) }
            if object.kind == "flowtable", let parts = object.parts {
                // What nft 1.0.6's JSON parser reads of a flowtable (`json_parse_cmd_add_flowtable`).
                if case .expr(.value(.string(let hook)))? = parts["hook"] { o.append(("hook", .string(hook))) }
                if case .expr(.value(.string(let prio)))? = parts["prio"], let n = Int(prio) { o.append(("prio", number(n))) }
                if case .flags(let devs)? = parts["dev"] { o.append(("dev", devs.count == 1 ? .string(devs[0]) : strings(devs))) }
            } else if let parts = object.parts {
                for k in parts.keys.sorted() { o.append((k, json(parts[k]!, kind: object.kind))) }
                // The state nft's JSON parser requires of a new counter or quota.
                if object.kind == "counter" { o += [("packets", number(0)), ("bytes", number(0))] }
                if object.kind == "quota" { o.append(("used", number(0))) }
            }
            items.append(.object([(object.kind, .object(o))]))
        }

        for chain in table.chains {
            var c: [(key: String, value: JSONValue)] = [("family", family), ("table", tableName), ("name", .string(chain.name))]
            if let h = chain.handle { c.append(("handle", number(h))) }
            if let comment = chain.comment { c.append(("comment", .string(comment))) }
            if let base = chain.base {
                c.append(("type", .string(base.type.rawValue)))
                c.append(("hook", .string(base.hook.rawValue)))
                c.append(("prio", number(base.priority)))
                c.append(("policy", .string(base.policy.rawValue)))
                if !base.devices.isEmpty {
                    c.append(("dev", base.devices.count == 1 ? .string(base.devices[0]) : strings(base.devices)))
                }
            }
            items.append(.object([("chain", .object(c))]))
        }

        // After the chains, unlike nft's listing: a verdict map's `jump` elements need their
        // chains to exist, and nft rejects its own listing of such a ruleset (Docker 29's
        // `docker-bridges` table) when the maps come first.
        for set in table.sets {
            items.append(setItem(set, family: family, table: tableName))
        }

        for chain in table.chains {
            for rule in chain.rules {
                var r: [(key: String, value: JSONValue)] = [("family", family), ("table", tableName), ("chain", .string(chain.name))]
                if let h = rule.handle { r.append(("handle", number(h))) }
                if let comment = rule.comment { r.append(("comment", .string(comment))) }
                r.append(("expr", .array(rule.stmts.map(json))))
                items.append(.object([("rule", .object(r))]))
            }
        }
        return items
    }

    static func setItem(_ set: NamedSet, family: JSONValue, table: JSONValue) -> JSONValue {
        var s: [(key: String, value: JSONValue)] = [("family", family), ("name", .string(set.name)), ("table", table)]
        s.append(("type", set.keyType.count == 1 ? .string(set.keyType[0]) : strings(set.keyType)))
        if let h = set.handle { s.append(("handle", number(h))) }
        // nft 1.0.6 lists a concatenated data type as one string (`"ipv4_addr . inet_service"`);
        // its parser reads `map` only as a string (an array makes it drop the map's data and crash).
        if let dataType = set.dataType { s.append(("map", .string(dataType))) }
        if let p = set.policy { s.append(("policy", .string(p))) }
        // nft 1.0.6's JSON parser refuses the `dynamic` flag (and its listing leaves it out).
        let flags = set.flags.filter { $0 != "dynamic" }
        if !flags.isEmpty { s.append(("flags", strings(flags))) }
        if let n = set.size { s.append(("size", number(n))) }
        if let t = set.timeout { s.append(("timeout", number(t))) }
        if let g = set.gcInterval { s.append(("gc-interval", number(g))) }
        if let c = set.comment { s.append(("comment", .string(c))) }
        if !set.stmts.isEmpty { s.append(("stmt", .array(set.stmts.map(json)))) }
        if !set.elements.isEmpty { s.append(("elem", .array(set.elements.map(json)))) }
        return .object([(set.isMap ? "map" : "set", .object(s))])
    }

    static func number<I: BinaryInteger>(_ n: I) -> JSONValue { .number(JSONNumber(n)) }
    static func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
}
