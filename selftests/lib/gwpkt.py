#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Packets for the gateway enforcement tests (08-gateway.sh).

  gwpkt.py udp HOST PORT LEN [--sport N] [--tries N] [--timeout S]
                             [--dstopts] [--hopopts]
      send a LEN-byte UDP datagram (the kernel fragments what exceeds the
      MTU; IPv4 without DF) from source port N (default any), optionally
      with an IPv6 destination-options or hop-by-hop header, and wait for
      it to come back whole. Prints "echoed", "timeout" or the errno name
      an ICMP error turned into (ECONNREFUSED, EHOSTUNREACH, EACCES, ...);
      exits 0 only for "echoed".
  gwpkt.py tcp HOST PORT
      connect; prints "connected" or the errno name; exits 0 either way.
  gwpkt.py recv PORT SECONDS
      wait up to SECONDS on UDP PORT (any address) for one datagram; prints
      "got LEN from ADDR" or "nothing"; exits 0 only if one came.
  gwpkt.py send SRC SPORT HOST PORT
      one 8-byte datagram from SRC:SPORT (another socket may hold that
      port too) to HOST:PORT.
  gwpkt.py icmp-err DST QSRC QSPORT QDST QDPORT
      send DST a made-up ICMP port unreachable (ICMPv6 for IPv6 addresses)
      quoting a UDP packet QSRC:QSPORT -> QDST:QDPORT.
  gwpkt.py icmp-listen FAMILY SECONDS PORT
      print "listening", then wait up to SECONDS for an ICMP error (FAMILY
      4 or 6) quoting a UDP packet with PORT as either port, and print it:
      "got TYPE/CODE from ADDR quoting QSRC:QSPORT > QDST:QDPORT".
Only ever talks to the addresses given (test namespaces).
"""
import errno
import select
import socket
import struct
import sys
import time


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def opt(args, name, default):
    return type(default)(args[args.index(name) + 1]) if name in args else default


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


IP_MTU_DISCOVER, IP_PMTUDISC_DONT = 10, 0  # linux/in.h; not in Python's socket

# An 8-byte options header (next header filled in by the kernel) holding
# one PadN option of 4 bytes: valid, and ignored by the receiver.
PADN_OPTS = bytes([0, 0, 1, 4, 0, 0, 0, 0])


def cmd_udp(args):
    host, port, length = args[0], int(args[1]), int(args[2])
    fam = family_of(host)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0",
            opt(args, "--sport", 0)))
    s.connect((host, port))
    s.settimeout(opt(args, "--timeout", 2.0))
    anc = []
    if "--dstopts" in args:
        anc.append((socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, PADN_OPTS))
    if "--hopopts" in args:
        anc.append((socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, PADN_OPTS))
    payload = bytes((i * 7) & 0xFF for i in range(length))
    result = "timeout"
    for _ in range(opt(args, "--tries", 3)):
        try:
            s.sendmsg([payload], anc)
            while True:
                data = s.recv(65535)
                if data == payload:
                    result = "echoed"
                    break
        except socket.timeout:
            continue
        except OSError as e:
            result = errno.errorcode.get(e.errno, str(e.errno))
        break
    print(result)
    sys.exit(0 if result == "echoed" else 1)


def cmd_tcp(args):
    host, port = args[0], int(args[1])
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect((host, port))
        print("connected")
    except socket.timeout:
        print("timeout")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))


def cmd_recv(args):
    port, seconds = int(args[0]), float(args[1])
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.settimeout(seconds)
    print("listening", flush=True)
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        print("nothing")
        sys.exit(1)
    a = addr[0][7:] if addr[0].startswith("::ffff:") else addr[0]
    print("got %d from %s" % (len(data), a))


def cmd_send(args):
    src, sport, host, port = args[0], int(args[1]), args[2], int(args[3])
    s = socket.socket(family_of(host), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, sport))
    s.sendto(b"fz-check", (host, port))
    print("sent")


def cmd_icmp_err(args):
    dst, qsrc, qsport, qdst, qdport = args[0], args[1], int(args[2]), \
        args[3], int(args[4])
    udp = struct.pack("!HHHH", qsport, qdport, 8 + 8, 0) + b"fz-check"
    if family_of(dst) == socket.AF_INET:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
                         17, 0, socket.inet_aton(qsrc), socket.inet_aton(qdst))
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        body = struct.pack("!BBHI", 3, 3, 0, 0) + ip + udp
        body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    else:
        ip = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64)
        ip += socket.inet_pton(socket.AF_INET6, qsrc)
        ip += socket.inet_pton(socket.AF_INET6, qdst)
        # The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket.
        body = struct.pack("!BBHI", 1, 4, 0, 0) + ip + udp
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)
    s.sendto(body, (dst, 0))
    print("sent")


def quoted(pkt, v6):
    """(qsrc, qsport, qdst, qdport) of a UDP packet quoted at pkt[0:]."""
    if v6:
        if len(pkt) < 48 or pkt[6] != 17:
            return None
        src = socket.inet_ntop(socket.AF_INET6, pkt[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, pkt[24:40])
        l4 = pkt[40:48]
    else:
        ihl = (pkt[0] & 15) * 4 if pkt else 0
        if len(pkt) < ihl + 8 or pkt[9] != 17:
            return None
        src = socket.inet_ntoa(pkt[12:16])
        dst = socket.inet_ntoa(pkt[16:20])
        l4 = pkt[ihl:ihl + 8]
    sport, dport = struct.unpack("!HH", l4[:4])
    return src, sport, dst, dport


def cmd_icmp_listen(args):
    v6, seconds, port = args[0] == "6", float(args[1]), int(args[2])
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    print("listening", flush=True)
    end = time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            break
        pkt, addr = s.recvfrom(65535)
        if not v6:  # a raw IPv4 socket gets the IP header too
            pkt = pkt[(pkt[0] & 15) * 4:]
        if len(pkt) < 8 or (pkt[0] >= 128 if v6 else pkt[0] not in (3, 11, 12)):
            continue
        q = quoted(pkt[8:], v6)
        if q and port in (q[1], q[3]):
            print("got %d/%d from %s quoting %s:%d > %s:%d" %
                  ((pkt[0], pkt[1], addr[0]) + q), flush=True)
            break


COMMANDS = {"udp": cmd_udp, "tcp": cmd_tcp, "recv": cmd_recv,
            "send": cmd_send, "icmp-err": cmd_icmp_err,
            "icmp-listen": cmd_icmp_listen}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
