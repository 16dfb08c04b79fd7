#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# make_tap_seeds.py - Seed inputs for test/fuzz/tap_input.c: framed frames
import os, struct, sys

GUEST = bytes.fromhex("525400123456")
OURS = bytes.fromhex("9a559a559a55")

def frame(ethertype, payload, dst=OURS):
    f = dst + GUEST + struct.pack("!H", ethertype) + payload
    return struct.pack("!I", len(f)) + f

def ip4(proto, l4, src="192.0.2.1", dst="192.0.2.254"):
    s = bytes(map(int, src.split("."))); d = bytes(map(int, dst.split(".")))
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000,
                       64, proto, 0, s, d) + l4

def ip6(nh, l4, src=b"\xfe\x80" + b"\0" * 13 + b"\x02",
        dst=b"\xff\x02" + b"\0" * 13 + b"\x02"):
    return struct.pack("!IHBB", 6 << 28, len(l4), nh, 255) + src + dst + l4

def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data

dhcp = (bytes([1, 1, 6, 0]) + b"\x11\x22\x33\x44" + b"\0" * 20 + GUEST +
        b"\0" * 202 + b"\x63\x82\x53\x63" + bytes([53, 1, 1, 255]))
seeds = {
    "arp": frame(0x0806, struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + GUEST +
                 bytes([192, 0, 2, 1]) + b"\0" * 6 + bytes([192, 0, 2, 254]),
                 dst=b"\xff" * 6),
    "dhcp": frame(0x0800, ip4(17, udp(68, 67, dhcp), "0.0.0.0",
                              "255.255.255.255"), dst=b"\xff" * 6),
    "tcp_syn": frame(0x0800, ip4(6, struct.pack("!HHIIBBHHH", 40000, 80, 1,
                                                0, 5 << 4, 2, 65535, 0, 0))),
    "udp": frame(0x0800, ip4(17, udp(40000, 53, b"x" * 20))),
    "icmp_echo": frame(0x0800, ip4(1, struct.pack("!BBHHH", 8, 0, 0, 1, 1) +
                                   b"ping")),
    "rs": frame(0x86dd, ip6(58, struct.pack("!BBHI", 133, 0, 0, 0))),
    "ns": frame(0x86dd, ip6(58, struct.pack("!BBHI", 135, 0, 0, 0) +
                            b"\xfe\x80" + b"\0" * 13 + b"\x01")),
    "dhcpv6": frame(0x86dd, ip6(17, udp(546, 547, bytes([1, 0, 0, 1]) +
                                    struct.pack("!HH", 1, 4) + b"abcd"))),
}
out = sys.argv[1]
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
