import Foundation
import HookwalkTestSupport
import XCTest

/// The corpora under the one corpus locator (`NftCorpus`: env `HOOKWALK_NFT_CORPUS`, else
/// the corpus folder beside the repository): each subfolder holding `NAME.nft` listings (with
/// `NAME.json` beside them), or the folder itself when it holds them.
enum CorpusLocator {
    /// A named corpus: its folder and its `NAME.nft` / `NAME.json` files.
    struct Corpus {
        var name: String
        var folder: URL
    }

    /// The repository root.
    static func repositoryRoot() -> URL? { URL(fileURLWithPath: TestPaths.repository) }

    static func corpora() throws -> [Corpus] {
        let root = URL(fileURLWithPath: try NftCorpus.path(""))
        let fm = FileManager.default
        if try hasListings(root) { return [Corpus(name: root.lastPathComponent, folder: root)] }
        var out: [Corpus] = []
        for name in try fm.contentsOfDirectory(atPath: root.path).sorted() {
            let dir = root.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue, try hasListings(dir) else { continue }
            out.append(Corpus(name: name, folder: dir))
        }
        guard !out.isEmpty else {
            throw SkipLog.skip("\(root.path) holds no corpus (folders of NAME.nft + NAME.json pairs): set \(NftCorpus.variable)")
        }
        return out
    }

    static func hasListings(_ dir: URL) throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasSuffix(".nft") }
    }

    /// The pair names of a corpus (files `NAME.nft`, with `NAME.json` beside them when present).
    static func names(_ c: Corpus) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: c.folder.path)
            .filter { $0.hasSuffix(".nft") }
            .map { String($0.dropLast(4)) }
            .sorted()
    }
}
