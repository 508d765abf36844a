import Foundation
import HookwalkModel

/// `docker-netns/<container>.json`: `ip -j addr show` run inside each container's network namespace
/// (`nsenter -t <pid> -n ip -j addr show`). Only there does a container's interface name its veth
/// peer on the host (`link_index`), which is how hookwalk knows the bridge port of a container
/// whose veth Docker named at random. Optional: without it `HostModel.bridgePort` falls back to
/// names.
enum ContainerNetnsFolder {
    static let name = "docker-netns"

    /// Sets `bridgePort` on the endpoints of the containers the folder's files name (by full or
    /// abbreviated id, or by name). Returns notes for files that name no container and endpoints
    /// whose address the file does not hold.
    static func apply(folder: SnapshotFolder, to host: inout HostModel) throws -> [String] {
        let dir = folder.pathOf(name)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { throw HookwalkError(file: dir, .none, "expected a folder of `ip -j addr show` outputs, one per container") }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw HookwalkError(file: dir, .none, "cannot list the folder")
        }
        var notes: [String] = []
        let byHostIndex = Dictionary(host.interfaces.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        for f in files {
            let path = dir + "/" + f
            let key = String(f.dropLast(".json".count))
            let inside = try IPAddrFile.parse(try SnapshotFolder.read(path), file: path).interfaces
            guard let ci = container(named: key, in: host.docker.containers) else {
                notes.append("\(name)/\(f): no container in \(SnapshotLoader.dockerContainers) has that id or name; ignored")
                continue
            }
            for ei in host.docker.containers[ci].endpoints.indices {
                let ep = host.docker.containers[ci].endpoints[ei]
                let addresses = [ep.ipv4, ep.ipv6].compactMap { $0 }
                guard let own = inside.first(where: { i in i.addresses.contains { addresses.contains($0.address) } }) else {
                    notes.append("\(name)/\(f): no interface holds \(ep.network)'s address "
                                 + (addresses.first.map { "\($0)" } ?? "(none)") + "; its bridge port is inferred from names")
                    continue
                }
                guard let peer = own.linkIndex, let port = byHostIndex[peer] else {
                    notes.append("\(name)/\(f): \(own.name) has no veth peer among the host's interfaces; its bridge port is inferred from names")
                    continue
                }
                host.docker.containers[ci].endpoints[ei].bridgePort = port
            }
        }
        return notes
    }

    /// A full or abbreviated (12+ hex digits) id, or the name.
    static func container(named key: String, in containers: [DockerContainer]) -> Int? {
        if key.count >= 12, key.allSatisfy(\.isHexDigit), let i = containers.firstIndex(where: { $0.id.hasPrefix(key) }) { return i }
        return containers.firstIndex { $0.name == key }
    }
}
