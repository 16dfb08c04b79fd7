#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# capture.py - Capture real guest traffic for fuzz seeds (run as root)
#
# Usage: capture.py PASTA OUTPUT.pcap
#
# Starts TCP and UDP echo servers on the host's loopback, then pasta with
# --config-net --pcap, whose namespace talks to them through the gateway
# address (mapped to the host's loopback): a TCP exchange, a UDP exchange
# over IPv4 and IPv6, a ping, plus what the kernel sends by itself (ARP,
# NDP, DHCPv6 if configured). Traffic stays on loopback and in the
# namespace. pcap2seeds.py turns the capture into seeds.
import socket, subprocess, sys, threading

CLIENT = r'''
import socket, subprocess
def gw(v):
    out = subprocess.check_output(["ip", v, "route", "show", "default"])
    return out.decode().split()[2]
g4, g6 = gw("-4"), gw("-6")
c = socket.create_connection((g4, %d), timeout=3)
c.sendall(b"GET / HTTP/1.0\r\n\r\n"); c.recv(100); c.close()
for fam, g in ((socket.AF_INET, g4), (socket.AF_INET6, g6)):
    try:
        u = socket.socket(fam, socket.SOCK_DGRAM); u.settimeout(2)
        u.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                 b"\x07example\x03com\x00\x00\x01\x00\x01", (g, %d))
        u.recvfrom(512)
    except OSError as e:
        print("udp", fam, e)
subprocess.call(["ping", "-c1", "-W1", g4])
'''

def serve(tcp, udp, udp6):
    def t():
        c, _ = tcp.accept(); c.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + c.recv(100))
        c.close()
    def u(s):
        d, a = s.recvfrom(512); s.sendto(d, a)
    for f, a in ((t, ()), (u, (udp,)), (u, (udp6,))):
        threading.Thread(target=f, args=a, daemon=True).start()

tcp = socket.socket(); tcp.bind(("127.0.0.1", 0)); tcp.listen(1)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 0))
port = udp.getsockname()[1]
udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); udp6.bind(("::1", port))
serve(tcp, udp, udp6)
client = CLIENT % (tcp.getsockname()[1], port)
subprocess.run([sys.argv[1], "--config-net", "--pcap", sys.argv[2], "-T", "none",
                "-U", "none", "--", "python3", "-c", client], timeout=30)
