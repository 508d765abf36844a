/// The lab's server and client, small python3 programs run inside the namespaces. python3 is on
/// every lab machine and its socket module gives what a test needs: a fixed source port and the
/// address a datagram or connection came from. Each prints `READY` (server) and then one JSON line.
enum LabScripts {
    /// argv: proto port timeout family(4|6). Reports `{"got": bool, "from": [addr, port], "to": addr, "error": str}`.
    static let server = #"""
import json, socket, sys
proto, port, timeout, fam = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
af = socket.AF_INET6 if fam == "6" else socket.AF_INET
res = {"got": False, "from": None, "to": None, "error": None}
try:
    s = socket.socket(af, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == "6" else "0.0.0.0", port))
    if proto == "tcp":
        s.listen(1)
    s.settimeout(timeout)
    print("READY", flush=True)
    if proto == "udp":
        data, peer = s.recvfrom(2048)
        res.update(got=True, **{"from": [peer[0], peer[1]]})
        s.sendto(b"pong:" + data, peer)
    else:
        c, peer = s.accept()
        c.settimeout(timeout)
        res.update(got=True, to=c.getsockname()[0], **{"from": [peer[0], peer[1]]})
        data = c.recv(2048)
        c.sendall(b"pong:" + data)
        c.close()
except Exception as e:
    res["error"] = type(e).__name__ + ": " + str(e)
print(json.dumps(res), flush=True)
"""#

    /// argv: proto dst port sport timeout [src]. An IPv6 address may carry its interface
    /// (`fe80::1%eth0`), passed as the scope id. Reports `{"sent": bool, "got_reply": bool,
    /// "from": [addr, port], "error": str}`.
    static let client = #"""
import json, socket, sys
proto, dst, port, sport, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
src = sys.argv[6] if len(sys.argv) > 6 else ""
af = socket.AF_INET6 if ":" in dst else socket.AF_INET
def sockaddr(a, p):
    if af == socket.AF_INET:
        return (a, p)
    a, _, scope = a.partition("%")
    return (a, p, 0, socket.if_nametoindex(scope) if scope else 0)
res = {"sent": False, "got_reply": False, "from": None, "error": None}
try:
    s = socket.socket(af, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if proto == "udp":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind(sockaddr(src or ("::" if af == socket.AF_INET6 else "0.0.0.0"), sport))
    s.settimeout(timeout)
    if proto == "udp":
        s.sendto(b"ping", sockaddr(dst, port))
        res["sent"] = True
        data, peer = s.recvfrom(2048)
        res.update(got_reply=True, **{"from": [peer[0], peer[1]]})
    else:
        s.connect(sockaddr(dst, port))
        res["sent"] = True
        s.sendall(b"ping")
        data = s.recv(2048)
        peer = s.getpeername()
        res.update(got_reply=bool(data), **{"from": [peer[0], peer[1]]})
        s.close()
except Exception as e:
    res["error"] = type(e).__name__ + ": " + str(e)
print(json.dumps(res), flush=True)
"""#
}
