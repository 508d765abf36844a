import HookwalkModel

/// One set of `ipset save` output, as far as an iptables `-m set` match needs it.
public struct Ipset: Sendable, Hashable {
    /// As written: ipset allows any 31 characters, and so does hookwalk.
    public var name: String
    /// `hash:net`, `hash:ip,port`...
    public var type: String
    /// `.ip` for `family inet` (ipset's default), `.ip6` for `family inet6`.
    public var family: Family
    /// The members as address constants (`.string` for one address, `.prefix` for a network), for
    /// the types hookwalk models; the raw member text otherwise.
    public var members: [Value]
    /// Why a rule matching against this set stays not modelled, or nil when the set is a plain
    /// address set the simulator can look packets up in.
    public var unsupported: String?

    public init(name: String, type: String, family: Family, members: [Value] = [], unsupported: String? = nil) {
        self.name = name
        self.type = type
        self.family = family
        self.members = members
        self.unsupported = unsupported
    }

    /// The set as an nftables named set of addresses (`flags interval` for networks, as nft holds
    /// prefixes), which `ip saddr @NAME` looks up; nil when the set is not modelled.
    public var namedSet: NamedSet? {
        guard unsupported == nil else { return nil }
        let key = family == .ip ? "ipv4_addr" : "ipv6_addr"
        return NamedSet(name: name, keyType: [key], flags: type == "hash:net" ? ["interval"] : [],
                        elements: members.map { SetElement(key: $0) },
                        comment: "ipset \(type) (from ipset-save.txt)")
    }
}

/// `ipset-save.txt`: what `ipset save` prints, `create NAME TYPE [options]` then
/// `add NAME MEMBER [options]` lines. Only the address sets that iptables rules of Docker 28.0.0
/// (`docker-ext-bridges-v4`, hash:net) and fail2ban (hash:ip / hash:net) use are modelled; other
/// types (hash:ip,port, list:set...) are read and kept not modelled, with the reason.
public struct IpsetSave: Sendable, Hashable {
    /// The snapshot file's name.
    public static let fileName = "ipset-save.txt"
    /// The path as read.
    public var file: String
    public var sets: [String: Ipset]

    public init(file: String, sets: [String: Ipset] = [:]) {
        self.file = file
        self.sets = sets
    }

    /// The types whose members are plain addresses or networks.
    static let addressTypes: Set<String> = ["hash:ip", "hash:net"]
    /// Options of `create` that change nothing about which packets match (sizes, timeouts,
    /// counters, comments, skb info). Anything else (`netmask`, a newer ipset's option) makes the
    /// set not modelled rather than silently misread.
    static let neutralCreateOptions: [String: Int] = [
        "hashsize": 1, "maxelem": 1, "timeout": 1, "bucketsize": 1, "initval": 1,
        "counters": 0, "comment": 0, "skbinfo": 0, "forceadd": 0,
    ]

    public static func parse(_ text: String, file: String) throws -> IpsetSave {
        var result = IpsetSave(file: file)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in lines.enumerated() {
            let n = index + 1
            let words = try IpsetSave.words(String(line), line: n, file: file)
            guard let command = words.first, !command.text.hasPrefix("#") else { continue }
            func fail(_ column: Int, _ message: String) -> HookwalkError {
                HookwalkError(file: file, .line(n, column: column), message)
            }
            func word(_ i: Int, _ what: String) throws -> (text: String, column: Int) {
                guard i < words.count else { throw fail(words[words.count - 1].column, "missing \(what) after '\(words[words.count - 1].text)'") }
                return words[i]
            }
            switch command.text {
            case "create":
                let name = try word(1, "a set name")
                let type = try word(2, "a set type such as hash:net")
                guard result.sets[name.text] == nil else { throw fail(name.column, "set '\(name.text)' is created twice") }
                var set = Ipset(name: name.text, type: type.text, family: .ip)
                var i = 3
                while i < words.count {
                    let option = words[i]
                    if option.text == "family" {
                        let value = try word(i + 1, "inet or inet6")
                        switch value.text {
                        case "inet": set.family = .ip
                        case "inet6": set.family = .ip6
                        default: throw fail(value.column, "unknown family '\(value.text)': expected inet or inet6")
                        }
                        i += 2
                    } else if let arity = neutralCreateOptions[option.text] {
                        if arity == 1 { _ = try word(i + 1, "a value") }
                        i += 1 + arity
                    } else {
                        if set.unsupported == nil { set.unsupported = "its option '\(option.text)' is not modelled" }
                        i += 1
                    }
                }
                if !addressTypes.contains(set.type) { set.unsupported = "its type \(set.type) is not modelled (only hash:ip and hash:net are)" }
                result.sets[set.name] = set
            case "add":
                let name = try word(1, "a set name")
                let member = try word(2, "a member")
                guard var set = result.sets[name.text] else {
                    throw fail(name.column, "set '\(name.text)' is not created before this line: expected a 'create \(name.text) TYPE' line first")
                }
                if words.dropFirst(3).contains(where: { $0.text == "nomatch" }), set.unsupported == nil {
                    set.unsupported = "it has nomatch (exception) members, which are not modelled"
                }
                if addressTypes.contains(set.type) {
                    switch IptValues.address(member.text, family: set.family) {
                    case .value(let v): set.members.append(v)
                    case .any, .invalid:
                        throw fail(member.column, "'\(member.text)' is not an \(set.family == .ip ? "IPv4" : "IPv6") "
                                   + (set.type == "hash:net" ? "address or network" : "address") + " for \(set.type) set '\(set.name)'")
                    }
                } else {
                    set.members.append(.string(member.text))
                }
                result.sets[set.name] = set
            default:
                throw fail(command.column, "unknown command '\(command.text)': expected create or add (the output of ipset save)")
            }
        }
        return result
    }

    /// Splits a line into words with their 1-based columns; `"..."` (ipset's comments) is one
    /// word, with `\"` inside it.
    static func words(_ line: String, line n: Int, file: String) throws -> [(text: String, column: Int)] {
        var out: [(text: String, column: Int)] = []
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            if chars[i] == " " || chars[i] == "\t" || chars[i] == "\r" { i += 1; continue }
            let start = i
            var text = ""
            if chars[i] == "\"" {
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count { text.append(chars[i + 1]); i += 2; continue }
                    if chars[i] == "\"" { closed = true; i += 1; break }
                    text.append(chars[i])
                    i += 1
                }
                guard closed else { throw HookwalkError(file: file, .line(n, column: start + 1), "unterminated quoted string") }
            } else {
                while i < chars.count, chars[i] != " ", chars[i] != "\t", chars[i] != "\r" { text.append(chars[i]); i += 1 }
            }
            out.append((text, start + 1))
        }
        return out
    }
}
