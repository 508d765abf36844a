import HookwalkModel

/// The snapshot readers `hookwalk collect` (HookwalkCollect) checks a command's output with before
/// it keeps it: the same parsers the loader uses, so a collected folder always loads.
public enum CollectSupport {
    /// The folder of per-container `ip -j addr show` files (`docker-netns/<id>.json`).
    public static let containerNetnsFolder = ContainerNetnsFolder.name

    /// The interfaces of `ip -j addr show` output; throws a located error when hookwalk cannot read it.
    public static func interfaces(ipAddr bytes: [UInt8], file: String) throws -> [Interface] {
        try IPAddrFile.parse(bytes, file: file).interfaces
    }

    /// The keys and values of `sysctl KEY...` output.
    public static func sysctls(_ text: String, file: String) throws -> [String: String] {
        try SysctlFile.parse(text, file: file)
    }
}
