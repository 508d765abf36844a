import Foundation
import HookwalkModel

/// The files of one snapshot folder, read whole: they are small, and whole reads give the parsers
/// byte offsets for their line:column errors.
struct SnapshotFolder {
    let path: String

    /// Fails unless `path` is an existing folder, before any file is looked at, so a typo in the
    /// path is reported as such and not as a missing `ip-addr.json`.
    init(_ path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw HookwalkError(file: path, .none, "no such snapshot folder")
        }
        guard isFolder.boolValue else { throw HookwalkError(file: path, .none, "not a snapshot folder") }
        self.path = path
    }

    func pathOf(_ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: pathOf(name)) }

    /// A symbolic link whose target does not exist is not a missing file: the user meant the
    /// file to be there, and taking it as absent would change the answer without a word.
    func checkNotDangling(_ name: String) throws {
        let p = pathOf(name)
        guard !FileManager.default.fileExists(atPath: p),
              let target = try? FileManager.default.destinationOfSymbolicLink(atPath: p) else { return }
        throw HookwalkError(file: p, .none, "a symbolic link to \"\(target)\", which does not exist")
    }

    /// The file's bytes, or nil when it does not exist.
    func bytes(_ name: String) throws -> [UInt8]? {
        try checkNotDangling(name)
        guard has(name) else { return nil }
        return try SnapshotFolder.read(pathOf(name))
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw HookwalkError(file: path, .none, "cannot read") }
        return [UInt8](data)
    }

    /// Text files must be UTF-8; the line:column of the first bad byte helps find a file saved in
    /// another encoding.
    static func text(_ bytes: [UInt8], file: String) throws -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        // Where the first bad byte is: decode up to it.
        var offset = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        decode: while true {
            let before = offset
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: break decode
            case .error: offset = before; break decode
            }
        }
        let (line, column) = SnapshotTextPosition.lineColumn(of: offset, in: bytes)
        throw HookwalkError(file: file, .line(line, column: column), "not UTF-8 text")
    }
}
