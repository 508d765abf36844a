/// Line and column of a byte offset, for errors in files a person will open in an editor.
enum SnapshotTextPosition {
    /// 1-based line and column; the column counts characters (UTF-8 lead bytes), not bytes, so it
    /// matches what editors show for names with accents.
    static func lineColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for b in bytes.prefix(max(0, offset)) {
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
