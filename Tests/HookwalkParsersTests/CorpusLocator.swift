import Foundation
import XCTest

/// The one place corpus tests find the nft corpus: env `HOOKWALK_NFT_CORPUS` (a folder of corpora,
/// such as `nft-canonical/` and `nft-py/`, or one corpus folder of `.nft`/`.json` pairs), else
/// `../shared/corpus` beside the repository when it exists. Without either the test is skipped
/// with one line saying how to point at a corpus.
enum CorpusLocator {
    /// A named corpus: its folder and its `NAME.nft` / `NAME.json` files.
    struct Corpus {
        var name: String
        var folder: URL
    }

    static let variable = "HOOKWALK_NFT_CORPUS"

    /// The repository root: the folder above this file holding Package.swift.
    static func repositoryRoot() -> URL? {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// The corpus root, or a skip saying how to point at one.
    static func root() throws -> URL {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment[variable], !env.isEmpty {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: env, isDirectory: &isDir), isDir.boolValue else {
                throw XCTSkip("\(variable)=\(env) is not a folder: set it to a folder of nft corpora (NAME.nft + NAME.json pairs)")
            }
            return URL(fileURLWithPath: env)
        }
        if let repo = repositoryRoot() {
            let candidate = repo.deletingLastPathComponent().appendingPathComponent("shared/corpus")
            if fm.fileExists(atPath: candidate.path) { return candidate.standardizedFileURL }
        }
        throw XCTSkip("no nft corpus: set \(variable) to a folder of corpora (NAME.nft + NAME.json pairs, e.g. nft-canonical/)")
    }

    /// The corpora under the root: each subfolder holding `.nft` files, or the root itself.
    static func corpora() throws -> [Corpus] {
        let root = try root()
        let fm = FileManager.default
        if try hasListings(root) { return [Corpus(name: root.lastPathComponent, folder: root)] }
        var out: [Corpus] = []
        for name in try fm.contentsOfDirectory(atPath: root.path).sorted() {
            let dir = root.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue, try hasListings(dir) else { continue }
            out.append(Corpus(name: name, folder: dir))
        }
        guard !out.isEmpty else { throw XCTSkip("\(root.path) holds no corpus (folders of NAME.nft + NAME.json pairs): set \(variable)") }
        return out
    }

    /// The corpus called `name`, or a skip.
    static func corpus(_ name: String) throws -> Corpus {
        guard let c = try corpora().first(where: { $0.name == name }) else {
            let root = try root()
            throw XCTSkip("no corpus \(name) under \(root.path): set \(variable)")
        }
        return c
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
