/// Tokens of nft's text syntax. They hold byte offsets into the source instead of strings so that
/// a 9,000-rule listing is tokenised without allocating a String per token.
struct Token: Sendable {
    enum Kind: UInt8, Sendable {
        /// An identifier, number, address, prefix, range or anything else built from word bytes.
        case word
        /// A double-quoted string; `start..<end` excludes the quotes.
        case string
        case lbrace, rbrace, lparen, rparen, semicolon, comma, newline
        /// `@` of `@set` and `@nh,32,32`.
        case at
        /// A lone ` . ` (concatenation) or ` : ` (map data).
        case dot, colon
        /// `=`; comparison and bit operators are `.op`.
        case assign
        case op
        case plus
        /// `# handle N`: `number` holds N.
        case handleComment
        /// `$name`; `start..<end` excludes the dollar.
        case variable
        case eof
    }

    var kind: Kind
    var start: Int32
    var end: Int32
    var line: Int32
    var column: Int32
    var number: Int32 = 0
}
