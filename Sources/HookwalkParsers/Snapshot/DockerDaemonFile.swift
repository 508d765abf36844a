import HookwalkModel

/// `docker-daemon.json`, a copy of `/etc/docker/daemon.json`. Only `userland-proxy` changes the
/// netfilter path (with it, docker-proxy answers where DNAT would not), so only it is read.
enum DockerDaemonFile {
    static func parse(_ bytes: [UInt8], file: String) throws -> Bool? {
        // dockerd accepts an empty daemon.json, so hookwalk does too.
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return nil }
        return try SnapshotJSON.parse(bytes, file: file).object().optionalBool("userland-proxy")
    }
}
