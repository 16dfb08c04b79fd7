#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# make_seeds.py - Write the fuzz seeds: crafted scenarios, and the guest's
# frames of a real capture (capture.pcap, from capture.py)
#
# Usage: make_seeds.py [SEEDS_DIR [PCAP]]	(defaults: this directory,
#						 its capture.pcap)
#
# Scenario inputs (test/fuzz/common/net.c) are operations: GUEST (5, then
# the target's own format), SOCK (0: socket index, events, source, data),
# TIMER (1), TICK (2), HOST (3: what, value), ACCEPT or HANGUP (4).
import os, struct, sys

G, SOCK, TIMER, TICK, HOST, ACC = 5, 0, 1, 2, 3, 4
GUEST = bytes.fromhex("525400123456")
OURS = bytes.fromhex("9a559a559a55")
here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else here
pcap = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "capture.pcap")

def put(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

def eth(ethertype, payload, dst=OURS):
    return dst + GUEST + struct.pack("!H", ethertype) + payload

def framed(f):
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

def raw_op(data):		# tap_input, tap_pasta, ip: length, bytes
    return bytes([G]) + struct.pack("!H", len(data)) + data

def vnet(f):			# pasta: virtio-net header (no offload used)
    return bytes(10) + f

dhcp = (bytes([1, 1, 6, 0]) + b"\x11\x22\x33\x44" + b"\0" * 20 + GUEST +
        b"\0" * 202 + b"\x63\x82\x53\x63" + bytes([53, 1, 1, 255]))
syn = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 6 << 4, 2, 65535, 0, 0) + \
      bytes([2, 4, 5, 0xb4])
frames = {
    "arp": eth(0x0806, struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + GUEST +
               bytes([192, 0, 2, 1]) + b"\0" * 6 + bytes([192, 0, 2, 254]),
               dst=b"\xff" * 6),
    "dhcp": eth(0x0800, ip4(17, udp(68, 67, dhcp), "0.0.0.0",
                            "255.255.255.255"), dst=b"\xff" * 6),
    "tcp_syn": eth(0x0800, ip4(6, syn)),
    "udp": eth(0x0800, ip4(17, udp(40000, 53, b"x" * 20))),
    "icmp_echo": eth(0x0800, ip4(1, struct.pack("!BBHHH", 8, 0, 0, 1, 1) +
                                 b"ping")),
    "rs": eth(0x86dd, ip6(58, struct.pack("!BBHI", 133, 0, 0, 0))),
    "ns": eth(0x86dd, ip6(58, struct.pack("!BBHI", 135, 0, 0, 0) +
                          b"\xfe\x80" + b"\0" * 13 + b"\x01")),
    "dhcpv6": eth(0x86dd, ip6(17, udp(546, 547, bytes([1, 0, 0, 1]) +
                                  struct.pack("!HH", 1, 4) + b"abcd"))),
    "ip4_options": eth(0x0800, bytes([0x46, 0, 0, 32, 0, 0, 0x40, 0, 64,
                                      17, 0, 0, 192, 0, 2, 1, 192, 0, 2,
                                      254, 1, 1, 1, 0]) +
                       udp(40000, 53, b"")),
    "ip4_fragment": eth(0x0800, bytes([0x45, 0, 0, 28, 0, 1, 0x20, 0, 64,
                                       17, 0, 0, 192, 0, 2, 1, 192, 0, 2,
                                       254]) + udp(40000, 53, b"")),
    "ip6_exthdr": eth(0x86dd, ip6(0, bytes([60, 0, 1, 4, 0, 0, 0, 0]) +
                                  bytes([17, 0, 1, 4, 0, 0, 0, 0]) +
                                  udp(40000, 53, b"q"),
                                  src=b"\x20\x01\x0d\xb8" + b"\0" * 11 +
                                  b"\x01",
                                  dst=b"\x20\x01\x0d\xb8\0\x01" + b"\0" * 9 +
                                  b"\x07")),
    "ip6_fragment": eth(0x86dd, ip6(44, bytes([17, 0, 0, 1, 0, 0, 0, 1]) +
                                    udp(40000, 53, b"f"))),
}
# A host answer after each frame: data from socket 0, then time passes
answer = bytes([SOCK, 0, 3, 0, 5]) + b"hello" + bytes([TICK, 0x11])
for name, f in frames.items():
    put("tap_input", name, raw_op(framed(f)) + answer)
    put("tap_pasta", name, raw_op(vnet(f)) + answer)
    put("ip", name, raw_op(f[14:]) + answer)
put("tap_input", "partial_frames",
    raw_op(framed(frames["tcp_syn"])[:7]) + bytes([TICK, 0]) +
    raw_op(framed(frames["tcp_syn"])[7:] + framed(frames["udp"])[:3]) +
    bytes([TICK, 0]) + raw_op(framed(frames["udp"])[3:]))
put("tap_input", "oversized_frame",
    raw_op(struct.pack("!I", 70000) + b"\0" * 100) +
    raw_op(b"\0" * 200 + framed(frames["arp"])))
put("tap_input", "hangup",
    raw_op(framed(frames["tcp_syn"])) + bytes([ACC, 0x80]) +
    raw_op(framed(frames["udp"])))
put("arp", "request", frames["arp"])

# A UDP super-frame for pasta: GSO_UDP_L4 (5), gso_size 100
big = eth(0x0800, ip4(17, udp(40000, 53, bytes(range(256)) * 2)))
put("tap_pasta", "uso", raw_op(struct.pack("<BBHHHH", 0, 5, 42, 100, 34, 6)
                               + big))

# tcp_seq: flow, flags, seq/ack deltas, window, options, payload
def seg(sel, flags, seqd=0, ackd=0, win=65535, opts=b"", data=b""):
    return (bytes([G, sel, flags, seqd & 255, ackd & 255]) +
            struct.pack("!H", win) + bytes([len(opts)]) + opts +
            struct.pack("!H", len(data)) + data)

mss = bytes([2, 4, 5, 0xb4, 1, 3, 3, 7])
put("tcp_seq", "conn_data_close",
    seg(0x80, 2, opts=mss) + seg(0, 0x10) +
    seg(0, 0x18, data=b"GET / HTTP/1.0\r\n\r\n") +
    bytes([SOCK, 0, 1, 0, 12]) + b"HTTP/1.0 200" + seg(0, 0x10) +
    bytes([SOCK, 0, 4, 0]) + seg(0, 0x11) + bytes([TICK, 0x21]))
put("tcp_seq", "connect_pending",
    bytes([HOST, 0, 1]) + seg(0x80, 2, opts=mss) + bytes([TIMER, 0]) +
    bytes([SOCK, 0, 2, 0]) + seg(0, 0x10) + seg(0, 0x10, data=b"x" * 100) +
    bytes([TIMER, 0, TICK, 0x30]))
put("tcp_seq", "connect_refused",
    bytes([HOST, 0, 2]) + seg(0x81, 2, opts=mss) + bytes([HOST, 0, 3]) +
    seg(0x89, 2))
put("tcp_seq", "inbound_window",
    bytes([ACC, 0]) + seg(0, 0x12, opts=mss) + bytes([SOCK, 0, 0x41, 0, 3]) +
    b"abc" + seg(0, 0x10, win=100) + bytes([TIMER, 0]) +
    seg(0, 0x10, ackd=-1) * 3 + seg(0, 0x14))
put("tcp_seq", "sndbuf_full_gap",
    bytes([HOST, 4, 0]) + seg(0x80, 2, opts=mss) + seg(0, 0x10) +
    seg(0, 0x10, data=b"y" * 2000) + seg(0, 0x10, seqd=100, data=b"z" * 100)
    + bytes([SOCK, 0, 2, 0]) + seg(0, 0x10) + bytes([SOCK, 0, 8, 3]))

put("tcp_seq", "fast_retransmit",
    seg(0x80, 2, opts=mss) + seg(0, 0x10) + bytes([SOCK, 0, 0x41, 0, 3]) +
    b"abc" + seg(0x40, 0x10) * 4 + seg(0, 0x10, ackd=-100) +
    bytes([HOST, 6, 1]) + bytes([SOCK, 0, 0x41, 0, 1]) + b"d" +
    seg(0x40, 0x10) * 3 + seg(0, 0x10))

# udp_flow: flow, length (0x8000: raw UDP length follows), payload
def dgram(sel, data, ulen=None):
    if ulen is None:
        return bytes([G, sel]) + struct.pack("!H", len(data)) + data
    return (bytes([G, sel]) + struct.pack("!HH", 0x8000 | len(data), ulen) +
            data)

put("udp_flow", "dns_reply",
    dgram(0x82, b"\x12\x34\x01\x00") + bytes([SOCK, 0, 1, 0, 4]) +
    b"\x12\x34\x81\x80" + bytes([SOCK, 0, 1, 2, 2]) + b"no" +
    bytes([TICK, 0xf0]))
put("udp_flow", "icmp_error",
    dgram(0x81, b"x" * 64) + bytes([SOCK, 0, 8, 0x31]) +
    dgram(0x80, b"y" * 8, ulen=4) + bytes([HOST, 3, 2]) + dgram(0x80, b"z"))
put("udp_flow", "batch",
    dgram(0x82, b"q" * 100) + bytes([SOCK, 0, 0x81, 0, 20]) + b"r" * 20 +
    bytes([8]) + bytes([SOCK, 0, 0x81, 0, 3]) + b"abc" + bytes([2]))
put("tap_pasta", "udp_batch",
    raw_op(vnet(frames["udp"])) + bytes([SOCK, 0, 0x81, 0, 20]) + b"r" * 20 +
    bytes([8]))
put("udp_flow", "inbound_reply",
    bytes([SOCK, 0, 1, 5, 3]) + b"in!" + dgram(0, b"back") +
    bytes([TICK, 0xff]))

# icmp_echo: selector, sequence, payload; replies come from the socket
def echo(sel, seq, data):
    return bytes([G, sel]) + struct.pack("!HH", seq, len(data)) + data

put("icmp_echo", "echo4", echo(0, 1, b"ping") + bytes([SOCK, 0, 1, 0, 12]) +
    bytes([0, 0, 0, 0, 0, 1, 0, 1]) + b"ping" + bytes([TICK, 0xf0]))
put("icmp_echo", "echo6", echo(1, 1, b"ping6") + bytes([SOCK, 0, 1, 0, 9]) +
    bytes([129, 0, 0, 0, 0, 1, 0, 1]) + b"p")
put("icmp_echo", "other_type", bytes([G, 0x80, 13, 0]) +
    struct.pack("!HH", 1, 0) + echo(0x83, 2, b""))

# virtqueue: set-up (size code, features, base), then guest memory with the
# descriptor table at 0, the available ring at 128, the used ring at 256;
# buffers at guest physical 0x10000 + offset
VQ_GPA = 0x10000
def vq_desc(mem, off, addr, length, flags, nxt):
    mem[off:off + 16] = struct.pack("<QIHH", VQ_GPA + addr, length, flags, nxt)

def vq_ring(size_code, feats, heads, descs, mlen=512):
    mem = bytearray(mlen)
    for off, addr, length, flags, nxt in descs:
        vq_desc(mem, off, addr, length, flags, nxt)
    mem[128:132] = struct.pack("<HH", 0, len(heads))
    for i, h in enumerate(heads):
        mem[132 + 2 * i:134 + 2 * i] = struct.pack("<H", h)
    return bytes([size_code, feats, 0, 0]) + bytes(mem)

put("virtqueue", "chain_indirect", vq_ring(2, 3, [0, 2], [
    (0, 320, 20, 1, 1), (16, 340, 40, 2, 0), (32, 400, 32, 4, 0),
    (400, 440, 10, 1, 1), (416, 450, 30, 2, 0)]))
put("virtqueue", "loop", vq_ring(3, 0, [0], [(0, 320, 8, 1, 1),
                                            (16, 330, 8, 1, 0)]))
put("virtqueue", "out_of_table", vq_ring(2, 1, [1, 0], [
    (0, 4096, 8, 0, 0), (16, 320, 600, 2, 0)]))
put("virtqueue", "overlap_used", vq_ring(2, 0, [0], [(0, 256, 16, 2, 0)]))

# The guest's frames of a real capture
def pcap_frames(path):
    with open(path, "rb") as f:
        d = f.read()
    off = 24
    while off + 16 <= len(d):
        cl = struct.unpack("<I", d[off + 8:off + 12])[0]
        f = d[off + 16:off + 16 + cl]
        off += 16 + cl
        if f[6:12] != OURS:
            yield f

if os.path.exists(pcap):
    cap = list(pcap_frames(pcap))
    put("tap_input", "capture", raw_op(b"".join(framed(f) for f in cap)))
    put("tap_input", "capture_split",
        b"".join(raw_op(framed(f)) + bytes([SOCK, 0, 3, 0, 2]) + b"ok"
                 for f in cap))
    put("tap_pasta", "capture", b"".join(raw_op(vnet(f)) for f in cap))
    put("ip", "capture", b"".join(raw_op(f[14:]) for f in cap
                                  if f[12:14] != b"\x08\x06"))
    for i, f in enumerate(cap):
        if f[12:14] == b"\x08\x06":
            put("arp", "capture_%d" % i, f)
