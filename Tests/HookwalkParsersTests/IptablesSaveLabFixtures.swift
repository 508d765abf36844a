/// Lab pairs for the iptables-save front end: an input, and what `nft -a list ruleset` (nft 1.0.6)
/// printed after loading it with iptables-nft 1.8.9 in an empty network namespace:
/// `iptables-nft-restore < rules` (`ip6tables-nft-restore` for lab3), and for `natS` each line run as
/// `iptables-nft -t nat LINE`. Verbatim, including the blanks nft prints for `-m comment`.
enum IptablesSaveLabFixtures {
    static let lab1Rules = #"""
*mangle
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -j MARK --set-mark 0x1
-A PREROUTING -i eth1 -j MARK --set-xmark 0x2/0xffffffff
-A OUTPUT -j CONNMARK --save-mark
-A POSTROUTING -p tcp -m mark --mark 0x1 -j ACCEPT
COMMIT
*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p udp --dport 53 -j NOTRACK
-A PREROUTING -j TRACE
COMMIT
*filter
:OUTPUT DROP [0:0]
:INPUT DROP [12:345]
:FOO - [0:0]
:BAR - [0:0]
-A INPUT -p tcp -j ACCEPT
-A INPUT ! -p tcp -j ACCEPT
-A INPUT -p icmp -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p all -j ACCEPT
-A INPUT -s 10.0.0.0/8 -j DROP
-A INPUT ! -s 10.0.0.0/8 ! -d 192.168.1.1/32 -j DROP
-A INPUT -i veth+ -j ACCEPT
-A INPUT ! -i veth+ -j ACCEPT
-A INPUT -p tcp -m tcp --dport 1000:2000 -j ACCEPT
-A INPUT -p tcp -m tcp --sport 53 --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp ! --dport 22 -j ACCEPT
-A INPUT -p udp --dport 53 -j ACCEPT
-A INPUT -m state --state NEW,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m conntrack ! --ctstate INVALID -j DROP
-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
-A INPUT -p udp -m multiport --sports 53,67 -j ACCEPT
-A INPUT -p tcp -m multiport --ports 80,443 -j ACCEPT
-A INPUT -m comment --comment "hello world" -j ACCEPT
-A INPUT -s 1.2.3.4/32 -m comment --comment "x" -p tcp --dport 22 -j ACCEPT
-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
-A INPUT -m addrtype ! --dst-type LOCAL -j ACCEPT
-A INPUT -m addrtype --src-type LOCAL -j ACCEPT
-A INPUT -m addrtype --dst-type BROADCAST -j ACCEPT
-A INPUT -g FOO
-A INPUT -j BAR
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A INPUT -j LOG --log-prefix "hw: " --log-level 6
-A INPUT -j LOG
-A INPUT -m limit --limit 5/min -j ACCEPT
-A INPUT -p tcp --syn -j ACCEPT
-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT
-A INPUT -m mark --mark 0x1 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m comment --comment c -j ACCEPT
-A FOO -j RETURN
-A BAR -o docker0 -j DROP
COMMIT
"""#

    static let lab1Listing = #"""
table ip mangle { # handle 1
	chain PREROUTING { # handle 1
		type filter hook prerouting priority mangle; policy accept;
		iifname "eth0" counter packets 0 bytes 0 meta mark set 0x1 # handle 4
		iifname "eth1" counter packets 0 bytes 0 meta mark set 0x2 # handle 5
	}

	chain OUTPUT { # handle 2
		type route hook output priority mangle; policy accept;
		counter packets 0 bytes 0 ct mark set mark # handle 6
	}

	chain POSTROUTING { # handle 3
		type filter hook postrouting priority mangle; policy accept;
		meta l4proto tcp meta mark 0x00000001 counter packets 0 bytes 0 accept # handle 7
	}
}
table ip raw { # handle 2
	chain PREROUTING { # handle 1
		type filter hook prerouting priority raw; policy accept;
		udp dport 53 counter packets 0 bytes 0 notrack # handle 2
		counter packets 0 bytes 0 meta nftrace set 1 # handle 3
	}
}
table ip filter { # handle 3
	chain OUTPUT { # handle 1
		type filter hook output priority filter; policy drop;
	}

	chain INPUT { # handle 2
		type filter hook input priority filter; policy drop;
		meta l4proto tcp counter packets 0 bytes 0 accept # handle 5
		meta l4proto != tcp counter packets 0 bytes 0 accept # handle 6
		meta l4proto icmp counter packets 0 bytes 0 accept # handle 7
		meta l4proto icmp icmp type echo-request counter packets 0 bytes 0 accept # handle 8
		counter packets 0 bytes 0 accept # handle 9
		ip saddr 10.0.0.0/8 counter packets 0 bytes 0 drop # handle 10
		ip saddr != 10.0.0.0/8 ip daddr != 192.168.1.1 counter packets 0 bytes 0 drop # handle 11
		iifname "veth*" counter packets 0 bytes 0 accept # handle 12
		iifname != "veth*" counter packets 0 bytes 0 accept # handle 13
		tcp dport 1000-2000 counter packets 0 bytes 0 accept # handle 14
		tcp sport 53 tcp dport 80 counter packets 0 bytes 0 accept # handle 15
		tcp dport != 22 counter packets 0 bytes 0 accept # handle 16
		udp dport 53 counter packets 0 bytes 0 accept # handle 17
		ct state new,established counter packets 0 bytes 0 accept # handle 18
		ct state invalid counter packets 0 bytes 0 drop # handle 19
		ct state ! invalid counter packets 0 bytes 0 drop # handle 20
		meta l4proto tcp tcp dport { 80, 443, 8000-8080 } counter packets 0 bytes 0 accept # handle 21
		meta l4proto udp udp sport { 53, 67 } counter packets 0 bytes 0 accept # handle 22
		meta l4proto tcp tcp sport . tcp dport { 0-65535 . 80, 80 . 0-65535, 0-65535 . 443, 443 . 0-65535 } counter packets 0 bytes 0 accept # handle 23
		 counter packets 0 bytes 0 accept # handle 24
		meta l4proto tcp ip saddr 1.2.3.4  tcp dport 22 counter packets 0 bytes 0 accept # handle 25
		fib daddr type local counter packets 0 bytes 0 accept # handle 26
		fib daddr type != local counter packets 0 bytes 0 accept # handle 27
		fib saddr type local counter packets 0 bytes 0 accept # handle 28
		fib daddr type broadcast counter packets 0 bytes 0 accept # handle 29
		counter packets 0 bytes 0 goto FOO # handle 30
		counter packets 0 bytes 0 jump BAR # handle 31
		meta l4proto tcp counter packets 0 bytes 0 reject with tcp reset # handle 32
		counter packets 0 bytes 0 reject # handle 33
		counter packets 0 bytes 0 reject with icmp type host-prohibited # handle 34
		counter packets 0 bytes 0 log prefix "hw: " level info # handle 35
		counter packets 0 bytes 0 log # handle 36
		limit rate 5/minute counter packets 0 bytes 0 accept # handle 37
		tcp flags syn / fin,syn,rst,ack counter packets 0 bytes 0 accept # handle 38
		tcp flags syn / syn,ack counter packets 0 bytes 0 accept # handle 39
		meta mark 0x00000001 counter packets 0 bytes 0 accept # handle 40
		tcp dport 22 ct state new  counter packets 0 bytes 0 accept # handle 41
	}

	chain FOO { # handle 3
		counter packets 0 bytes 0 return # handle 42
	}

	chain BAR { # handle 4
		oifname "docker0" counter packets 0 bytes 0 drop # handle 43
	}
}
"""#

    static let lab2Rules = #"""
*nat
:POSTROUTING ACCEPT [0:0]
:PREROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1
-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination 10.0.0.1:8080
-A PREROUTING -p tcp -m tcp --dport 82 -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90
-A PREROUTING -p tcp -m tcp --dport 83 -j REDIRECT --to-ports 8080
-A PREROUTING -p tcp -m tcp --dport 84 -j REDIRECT
-A POSTROUTING -o eth0 -j MASQUERADE
-A POSTROUTING -p tcp -o eth0 -j MASQUERADE --to-ports 1000-2000
-A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4
-A POSTROUTING -p tcp -o eth2 -j SNAT --to-source 1.2.3.4:1000-2000 --random
-A POSTROUTING -o eth3 -j MASQUERADE --random-fully
-A DOCKER ! -i docker1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.20.0.2:8080
-A DOCKER -i docker1 -p udp -j ACCEPT
-A DOCKER -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT
-A DOCKER -m addrtype --dst-type LOCAL,BROADCAST -j ACCEPT
-A DOCKER -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT
-A DOCKER -m addrtype --src-type LOCAL --dst-type LOCAL -j ACCEPT
-A DOCKER -m addrtype ! --src-type LOCAL -j ACCEPT
COMMIT
*filter
-A INPUT -j ACCEPT
-A FORWARD -p tcp -m tcp --dport 22 -m comment --comment "ssh" -j ACCEPT
-A FORWARD -m comment --comment "ssh in" -p tcp -m tcp --dport 22 -j ACCEPT
-A FORWARD -p icmp -m icmp --icmp-type 3/1 -j ACCEPT
-A FORWARD -p icmp -m icmp --icmp-type any -j ACCEPT
-A FORWARD -p icmp -m icmp --icmp-type 0 -j ACCEPT
-A FORWARD -p icmp -m icmp --icmp-type 11 -j ACCEPT
-A FORWARD -p tcp -j REJECT --reject-with icmp-port-unreachable
-A FORWARD -j REJECT --reject-with icmp-net-unreachable
-A FORWARD -j REJECT --reject-with icmp-admin-prohibited
-A FORWARD -j LOG --log-prefix "a b" --log-level 4
-A FORWARD -j LOG --log-level 7
-A FORWARD -p 17 -j ACCEPT
-A FORWARD -p sctp -j ACCEPT
-A FORWARD -s 10.0.0.1 -j ACCEPT
-A FORWARD -s 10.1.0.0/255.255.0.0 -j ACCEPT
-A FORWARD -m state ! --state NEW -j ACCEPT
-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT
-A FORWARD -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT
-A FORWARD -m mark --mark 0x1/0xff -j ACCEPT
-A FORWARD -m limit --limit 10/sec --limit-burst 20 -j ACCEPT
COMMIT
"""#

    static let lab2Listing = #"""
table ip nat { # handle 1
	chain POSTROUTING { # handle 1
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" counter packets 0 bytes 0 masquerade # handle 9
		oifname "eth0" meta l4proto tcp counter packets 0 bytes 0 masquerade to :1000-2000 # handle 10
		oifname "eth1" counter packets 0 bytes 0 snat to 1.2.3.4 # handle 11
		oifname "eth2" meta l4proto tcp counter packets 0 bytes 0 snat to 1.2.3.4:1000-2000 random # handle 12
		oifname "eth3" counter packets 0 bytes 0 masquerade fully-random # handle 13
	}

	chain PREROUTING { # handle 2
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 80 counter packets 0 bytes 0 dnat to 10.0.0.1 # handle 4
		tcp dport 81 counter packets 0 bytes 0 dnat to 10.0.0.1:8080 # handle 5
		tcp dport 82 counter packets 0 bytes 0 dnat to 10.0.0.1-10.0.0.5:80-90 # handle 6
		tcp dport 83 counter packets 0 bytes 0 redirect to :8080 # handle 7
		tcp dport 84 counter packets 0 bytes 0 redirect # handle 8
	}

	chain DOCKER { # handle 3
		iifname != "docker1" tcp dport 8080 counter packets 0 bytes 0 dnat to 172.20.0.2:8080 # handle 14
		iifname "docker1" meta l4proto udp counter packets 0 bytes 0 accept # handle 15
		meta l4proto tcp ct state new tcp dport 22 counter packets 0 bytes 0 accept # handle 16
		fib daddr type { local, broadcast } counter packets 0 bytes 0 accept # handle 17
		fib daddr . iif type local counter packets 0 bytes 0 accept # handle 18
		fib saddr type local counter packets 0 bytes 0 accept # handle 19
		fib saddr type != local counter packets 0 bytes 0 accept # handle 20
	}
}
table ip filter { # handle 2
	chain INPUT { # handle 1
		type filter hook input priority filter; policy accept;
		counter packets 0 bytes 0 accept # handle 2
	}

	chain FORWARD { # handle 3
		type filter hook forward priority filter; policy accept;
		tcp dport 22  counter packets 0 bytes 0 accept # handle 4
		meta l4proto tcp  tcp dport 22 counter packets 0 bytes 0 accept # handle 5
		meta l4proto icmp xt match icmp counter packets 0 bytes 0 accept # handle 6
		meta l4proto icmp ip protocol icmp counter packets 0 bytes 0 accept # handle 7
		meta l4proto icmp icmp type echo-reply counter packets 0 bytes 0 accept # handle 8
		meta l4proto icmp icmp type time-exceeded counter packets 0 bytes 0 accept # handle 9
		meta l4proto tcp counter packets 0 bytes 0 reject # handle 10
		counter packets 0 bytes 0 reject with icmp type net-unreachable # handle 11
		counter packets 0 bytes 0 reject with icmp type admin-prohibited # handle 12
		counter packets 0 bytes 0 log prefix "a b" # handle 13
		counter packets 0 bytes 0 log level debug # handle 14
		meta l4proto udp counter packets 0 bytes 0 accept # handle 15
		meta l4proto sctp counter packets 0 bytes 0 accept # handle 16
		ip saddr 10.0.0.1 counter packets 0 bytes 0 accept # handle 17
		ip saddr 10.1.0.0/16 counter packets 0 bytes 0 accept # handle 18
		ct state ! new counter packets 0 bytes 0 accept # handle 19
		ct status dnat counter packets 0 bytes 0 accept # handle 20
		ct state new,untracked counter packets 0 bytes 0 accept # handle 21
		meta mark & 0x000000ff == 0x00000001 counter packets 0 bytes 0 accept # handle 22
		limit rate 10/second burst 20 packets counter packets 0 bytes 0 accept # handle 23
	}
}
"""#

    static let lab3Rules = #"""
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:FOO - [0:0]
-A INPUT -i lo -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -s fe80::/10 -j ACCEPT
-A INPUT -d ::1/128 -j ACCEPT
-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -p icmpv6 -j ACCEPT
-A INPUT -j REJECT
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT --reject-with icmp6-adm-prohibited
-A FORWARD -m addrtype --dst-type LOCAL -j FOO
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00::2]:8080
-A PREROUTING -p tcp -m tcp --dport 8081 -j DNAT --to-destination fd00::3
COMMIT
"""#

    static let lab3Listing = #"""
table ip6 filter { # handle 1
	chain INPUT { # handle 1
		type filter hook input priority filter; policy accept;
		iifname "lo" tcp dport 80 counter packets 0 bytes 0 accept # handle 5
		ip6 saddr fe80::/10 counter packets 0 bytes 0 accept # handle 6
		ip6 daddr ::1 counter packets 0 bytes 0 accept # handle 7
		meta l4proto ipv6-icmp counter packets 0 bytes 0 accept # handle 8
		meta l4proto ipv6-icmp counter packets 0 bytes 0 accept # handle 9
		counter packets 0 bytes 0 reject # handle 10
		meta l4proto tcp counter packets 0 bytes 0 reject with tcp reset # handle 11
		counter packets 0 bytes 0 reject with icmpv6 type admin-prohibited # handle 12
	}

	chain FORWARD { # handle 2
		type filter hook forward priority filter; policy accept;
		fib daddr type local counter packets 0 bytes 0 jump FOO # handle 13
	}

	chain OUTPUT { # handle 3
		type filter hook output priority filter; policy accept;
	}

	chain FOO { # handle 4
	}
}
table ip6 nat { # handle 2
	chain PREROUTING { # handle 1
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 counter packets 0 bytes 0 dnat to [fd00::2]:8080 # handle 2
		tcp dport 8081 counter packets 0 bytes 0 dnat to fd00::3 # handle 3
	}
}
"""#

    static let natS = #"""
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-N DOCKER
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1
-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination 10.0.0.1:8080
-A PREROUTING -p tcp -m tcp --dport 82 -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90
-A PREROUTING -p tcp -m tcp --dport 83 -j REDIRECT --to-ports 8080
-A PREROUTING -p tcp -m tcp --dport 84 -j REDIRECT
-A POSTROUTING -o eth0 -j MASQUERADE
-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1000-2000
-A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4
-A POSTROUTING -o eth2 -p tcp -j SNAT --to-source 1.2.3.4:1000-2000 --random
-A POSTROUTING -o eth3 -j MASQUERADE --random-fully
-A DOCKER ! -i docker1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.20.0.2:8080
-A DOCKER -i docker1 -p udp -j ACCEPT
-A DOCKER -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT
-A DOCKER -m addrtype --dst-type LOCAL,BROADCAST -j ACCEPT
-A DOCKER -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT
-A DOCKER -m addrtype --src-type LOCAL --dst-type LOCAL -j ACCEPT
-A DOCKER -m addrtype ! --src-type LOCAL -j ACCEPT
"""#

    static let natSListing = #"""
table ip nat { # handle 1
	chain PREROUTING { # handle 1
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 80 counter packets 0 bytes 0 dnat to 10.0.0.1 # handle 6
		tcp dport 81 counter packets 0 bytes 0 dnat to 10.0.0.1:8080 # handle 7
		tcp dport 82 counter packets 0 bytes 0 dnat to 10.0.0.1-10.0.0.5:80-90 # handle 8
		tcp dport 83 counter packets 0 bytes 0 redirect to :8080 # handle 9
		tcp dport 84 counter packets 0 bytes 0 redirect # handle 10
	}

	chain INPUT { # handle 2
		type nat hook input priority 100; policy accept;
	}

	chain OUTPUT { # handle 3
		type nat hook output priority -100; policy accept;
	}

	chain POSTROUTING { # handle 4
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" counter packets 0 bytes 0 masquerade # handle 11
		oifname "eth0" meta l4proto tcp counter packets 0 bytes 0 masquerade to :1000-2000 # handle 12
		oifname "eth1" counter packets 0 bytes 0 snat to 1.2.3.4 # handle 13
		oifname "eth2" meta l4proto tcp counter packets 0 bytes 0 snat to 1.2.3.4:1000-2000 random # handle 14
		oifname "eth3" counter packets 0 bytes 0 masquerade fully-random # handle 15
	}

	chain DOCKER { # handle 5
		iifname != "docker1" tcp dport 8080 counter packets 0 bytes 0 dnat to 172.20.0.2:8080 # handle 16
		iifname "docker1" meta l4proto udp counter packets 0 bytes 0 accept # handle 17
		meta l4proto tcp ct state new tcp dport 22 counter packets 0 bytes 0 accept # handle 18
		fib daddr type { local, broadcast } counter packets 0 bytes 0 accept # handle 19
		fib daddr . iif type local counter packets 0 bytes 0 accept # handle 20
		fib saddr type local counter packets 0 bytes 0 accept # handle 21
		fib saddr type != local counter packets 0 bytes 0 accept # handle 22
	}
}
"""#


    /// `-j MARK` / `-j CONNMARK` / `-m connmark` as iptables-save prints them after
    /// `iptables-nft-restore` of `--set-xmark 0x2000/0x2000`, `--set-mark 0x10`, `--set-mark
    /// 0x10/0xff`, `--or-mark 0x4`, `--and-mark 0xff`, `--xor-mark 0x1`, and CONNMARK's forms.
    static let marksRules = """
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -j MARK --set-xmark 0x2000/0x2000
-A PREROUTING -j MARK --set-xmark 0x10/0xffffffff
-A PREROUTING -j MARK --set-xmark 0x10/0xff
-A PREROUTING -j MARK --set-xmark 0x4/0x4
-A PREROUTING -j MARK --set-xmark 0x0/0xffffff00
-A PREROUTING -j MARK --set-xmark 0x1/0x0
-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A PREROUTING -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf0
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0
-A PREROUTING -j CONNMARK --set-xmark 0x5/0xf
-A PREROUTING -j CONNMARK --set-xmark 0x7/0xffffffff
-A PREROUTING -m mark --mark 0x2000/0x2000 -j ACCEPT
-A PREROUTING -m connmark --mark 0x7 -j ACCEPT
COMMIT

"""

    /// `nft -a list ruleset` of `marksRules` (nft 1.0.6).
    static let marksListing = """
table ip mangle { # handle 1
\tchain PREROUTING { # handle 1
\t\ttype filter hook prerouting priority mangle; policy accept;
\t\tcounter packets 0 bytes 0 meta mark set mark or 0x2000 # handle 6
\t\tcounter packets 0 bytes 0 meta mark set 0x10 # handle 7
\t\tcounter packets 0 bytes 0 meta mark set mark and 0xffffff00 xor 0x10 # handle 8
\t\tcounter packets 0 bytes 0 meta mark set mark or 0x4 # handle 9
\t\tcounter packets 0 bytes 0 meta mark set mark and 0xff # handle 10
\t\tcounter packets 0 bytes 0 meta mark set mark xor 0x1 # handle 11
\t\tcounter packets 0 bytes 0 ct mark set mark # handle 12
\t\tcounter packets 0 bytes 0 xt target CONNMARK # handle 13
\t\tcounter packets 0 bytes 0 meta mark set ct mark # handle 14
\t\tcounter packets 0 bytes 0 xt target CONNMARK # handle 15
\t\tcounter packets 0 bytes 0 ct mark set ct mark xor 0x5 and 0xfffffff0 # handle 16
\t\tcounter packets 0 bytes 0 ct mark set 0x7 # handle 17
\t\tmeta mark & 0x00002000 == 0x00002000 counter packets 0 bytes 0 accept # handle 18
\t\tct mark 0x7 counter packets 0 bytes 0 accept # handle 19
\t}

\tchain INPUT { # handle 2
\t\ttype filter hook input priority mangle; policy accept;
\t}

\tchain FORWARD { # handle 3
\t\ttype filter hook forward priority mangle; policy accept;
\t}

\tchain OUTPUT { # handle 4
\t\ttype route hook output priority mangle; policy accept;
\t}

\tchain POSTROUTING { # handle 5
\t\ttype filter hook postrouting priority mangle; policy accept;
\t}
}

"""
}
