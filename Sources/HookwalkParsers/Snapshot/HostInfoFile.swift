import HookwalkModel

/// `host.json`: metadata about where and when the snapshot was taken, for the documents' headers.
enum HostInfoFile {
    static func parse(_ bytes: [UInt8], file: String) throws -> HostInfo {
        let o = try SnapshotJSON.parse(bytes, file: file).object()
        return HostInfo(
            hostname: try o.optionalString("hostname"), kernel: try o.optionalString("kernel"),
            nftVersion: try o.optionalString("nft_version"), dockerVersion: try o.optionalString("docker_version"),
            collectedAt: try o.optionalString("collected_at"))
    }
}
