import Foundation
import HookwalkProcess
import HookwalkModel
import HookwalkSimulator

/// The lab's stand-in for docker-proxy. With `userland-proxy: true` (Docker's default) a published
/// port is also served by a process on the host: what reaches the host without being DNATed (the
/// host calling 127.0.0.1, a container of the same bridge behind Docker's "SKIP DNAT" rule) is
/// received by it, and it opens a second connection from the host to the container. The lab runs
/// one small python3 relay per published port, protocol and binding address, so the kernel does
/// with that second flow what it does with docker-proxy's, and the trace shows both legs.
extension LabTopology {
    /// One docker-proxy: where it listens and where it connects.
    public struct Proxy: Sendable, Hashable {
        public var proto: L4Proto
        /// `0.0.0.0`, `::` or the binding's host address.
        public var bindAddress: String
        public var port: UInt16
        public var target: IPAddress
        public var targetPort: UInt16
    }

    /// The proxies Docker would run for `host` (`DockerState.userlandProxies`), for tcp and udp
    /// bindings of containers that have a namespace in the lab: on `::` too, to the container's
    /// IPv4 address when it has no IPv6 one (docker-proxy's 6-to-4 mapping).
    static func proxies(host: HookwalkModel.HostModel, containers: [Container]) -> [Proxy] {
        var out: [Proxy] = []
        for p in host.docker.userlandProxies where containers.contains(where: { $0.name == p.container }) {
            guard let proto = L4Proto(rawValue: p.binding.proto), proto == .tcp || proto == .udp,
                  let port = UInt16(exactly: p.binding.hostPort), let targetPort = UInt16(exactly: p.binding.containerPort) else { continue }
            let bind = p.binding.hostIP.isEmpty ? "0.0.0.0" : p.binding.hostIP
            let proxy = Proxy(proto: proto, bindAddress: bind, port: port, target: p.backend, targetPort: targetPort)
            if !out.contains(proxy) { out.append(proxy) }
        }
        return out
    }

    /// The proxy that would receive `s` if it reached the host: same protocol and port, listening
    /// on the destination's address or on its family's any-address.
    func proxy(for s: LabScenario) -> Proxy? {
        proxies.first { p in
            guard p.proto == s.proto && p.port == s.port else { return false }
            let binding = PortBinding(containerPort: Int(p.targetPort), proto: p.proto.rawValue, hostIP: p.bindAddress, hostPort: Int(p.port))
            return binding.listens(on: s.destination)
        }
    }
}

extension Lab {
    /// Starts the topology's proxies in the host namespace and waits until each listens. They run
    /// until the lab is torn down (LabCleanup kills them with the namespaces).
    func startProxies(timeout: Double) throws {
        for p in topology.proxies {
            let bg = try shell.start(["ip", "netns", "exec", host, "python3", "-c", LabProxyScript.source,
                                      p.proto.rawValue, p.bindAddress, String(p.port), p.target.description, String(p.targetPort),
                                      String(timeout), String(Simulator.proxyLegPortBase), String(Simulator.proxyLegPortOffset),
                                      String(Simulator.proxyLegPortSpan)])
            proxies.append(bg)
            guard bg.wait(timeout: timeout + 3, until: { $0.contains("READY") }) else {
                throw HookwalkError(.none, "lab: the stand-in docker-proxy for \(p.bindAddress) \(p.proto.rawValue)/\(p.port) did not start: \(bg.stderr())")
            }
        }
    }
}

/// The stand-in proxy, a python3 program. argv: proto bind port target targetPort timeout base
/// offset span. It relays one exchange per connection (tcp) or datagram (udp) and connects from
/// source port `base + (clientPort + offset) % span`, the port the simulator gives the proxy's leg
/// (`Simulator.proxyLegSourcePort`), so the lab can find that flow in the kernel's trace. UDP
/// answers go out of the listening socket from the address the request was sent to, as current
/// docker-proxy does (`udp_proxy_linux.go` sets the source with an IP_PKTINFO control message;
/// before that, a wildcard socket's answer left from whatever address routing chose).
enum LabProxyScript {
    static let source = #"""
import socket, struct, sys, threading
proto, bind, port, target, tport = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
timeout, base, offset, span = float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
laf = socket.AF_INET6 if ":" in bind else socket.AF_INET
taf = socket.AF_INET6 if ":" in target else socket.AF_INET
kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM

def upstream(peer_port):
    u = socket.socket(taf, kind)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.settimeout(timeout)
    u.bind(("::" if taf == socket.AF_INET6 else "0.0.0.0", base + (peer_port + offset) % span))
    return u

def serve_tcp(c, peer):
    u = None
    try:
        c.settimeout(timeout)
        u = upstream(peer[1])
        u.connect((target, tport))
        u.sendall(c.recv(2048))
        c.sendall(u.recv(2048))
    except Exception:
        pass
    finally:
        for x in (u, c):
            if x is not None:
                x.close()

# IP_PKTINFO / IPV6_RECVPKTINFO, IPV6_PKTINFO (Linux values; python lacks the IPv4 name).
PKTINFO4, RECVPKTINFO6, PKTINFO6 = 8, 49, 50

def relay_udp(s, data, peer, dst):
    u = None
    try:
        u = upstream(peer[1])
        u.sendto(data, (target, tport))
        reply, _ = u.recvfrom(2048)
        if dst is None:
            s.sendto(reply, peer)
        elif laf == socket.AF_INET6:
            s.sendmsg([reply], [(socket.IPPROTO_IPV6, PKTINFO6, dst + struct.pack("I", 0))], 0, peer)
        else:
            s.sendmsg([reply], [(socket.IPPROTO_IP, PKTINFO4, struct.pack("I", 0) + dst + bytes(4))], 0, peer)
    except Exception:
        pass
    finally:
        if u is not None:
            u.close()

s = socket.socket(laf, kind)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if laf == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind((bind, port))
if proto == "tcp":
    s.listen(16)
elif laf == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, RECVPKTINFO6, 1)
else:
    s.setsockopt(socket.IPPROTO_IP, PKTINFO4, 1)
print("READY", flush=True)
while True:
    if proto == "tcp":
        c, peer = s.accept()
        threading.Thread(target=serve_tcp, args=(c, peer), daemon=True).start()
    else:
        data, anc, _, peer = s.recvmsg(2048, 256)
        # The request's destination: in_pktinfo's ipi_addr (bytes 8-12), in6_pktinfo's address.
        dst = None
        for level, ctype, value in anc:
            if level == socket.IPPROTO_IP and ctype == PKTINFO4:
                dst = value[8:12]
            elif level == socket.IPPROTO_IPV6 and ctype == PKTINFO6:
                dst = value[:16]
        threading.Thread(target=relay_udp, args=(s, data, peer, dst), daemon=True).start()
"""#
}
