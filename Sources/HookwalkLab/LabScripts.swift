/// The lab's server and client, small python3 programs run inside the namespaces. python3 is on
/// every lab machine and its socket module gives what a test needs: a fixed source port and the
/// address a datagram or connection came from. Each prints `READY` (server) and then one JSON line.
enum LabScripts {
    /// argv: proto port timeout family(4|6). Reports `{"got": bool, "from": [addr, port], "to": addr, "error": str}`.
    /// It waits for the request until the runner ends it (SIGTERM, once the client is done: it then
    /// reports what it has), so a slow start of the client on a loaded machine cannot make it give
    /// up before the request arrives; `timeout` bounds only each wait after a connection came.
    static let server = #"""
import json, os, signal, socket, sys
proto, port, timeout, fam = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
af = socket.AF_INET6 if fam == "6" else socket.AF_INET
res = {"got": False, "from": None, "to": None, "error": None}
def ended(*_):
    print(json.dumps(res), flush=True)
    os._exit(0)
signal.signal(signal.SIGTERM, ended)
try:
    s = socket.socket(af, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == "6" else "0.0.0.0", port))
    if proto == "tcp":
        s.listen(1)
    s.settimeout(timeout + 60)
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
    /// "from": [addr, port], "refused": {...}, "error": str}`. With IP_RECVERR / IPV6_RECVERR an
    /// ICMP error about the request fails the socket call and is queued with its type, code and
    /// sender (`"refused": {"origin": 2|3, "type": T, "code": C, "from": addr}`, origin 2 ICMP,
    /// 3 ICMPv6); a TCP connect refused without one was refused by a reset (`{"tcp_reset": true}`).
    static let client = #"""
import json, socket, struct, sys
proto, dst, port, sport, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
src = sys.argv[6] if len(sys.argv) > 6 else ""
af = socket.AF_INET6 if ":" in dst else socket.AF_INET
def sockaddr(a, p):
    if af == socket.AF_INET:
        return (a, p)
    a, _, scope = a.partition("%")
    return (a, p, 0, socket.if_nametoindex(scope) if scope else 0)
res = {"sent": False, "got_reply": False, "from": None, "refused": None, "error": None}
s = None
def icmp_error():
    try:
        _, anc, _, _ = s.recvmsg(2048, 1024, socket.MSG_ERRQUEUE)
    except OSError:
        return None
    for level, typ, data in anc:
        if (level, typ) in ((socket.IPPROTO_IP, 11), (socket.IPPROTO_IPV6, 25)) and len(data) >= 18:
            _, origin, etype, ecode, _, _, _ = struct.unpack("=IBBBBII", data[:16])
            fam = struct.unpack("=H", data[16:18])[0]
            sender = None
            if fam == socket.AF_INET and len(data) >= 24:
                sender = socket.inet_ntop(socket.AF_INET, data[20:24])
            elif fam == socket.AF_INET6 and len(data) >= 40:
                sender = socket.inet_ntop(socket.AF_INET6, data[24:40])
            return {"origin": origin, "type": etype, "code": ecode, "from": sender}
    return None
try:
    s = socket.socket(af, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if af == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, 11, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, 25, 1)
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
    refused = icmp_error() if s is not None and isinstance(e, OSError) else None
    if refused is None and proto == "tcp" and isinstance(e, ConnectionRefusedError):
        refused = {"tcp_reset": True}
    if refused is None:
        res["error"] = type(e).__name__ + ": " + str(e)
    res["refused"] = refused
print(json.dumps(res), flush=True)
"""#
}
