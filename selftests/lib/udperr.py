# SPDX-License-Identifier: GPL-2.0
# udperr.py send ADDR PORT COUNT [WAIT]: sends COUNT datagrams from one
#   socket (a large send buffer, so that the kernel's own bounds are what
#   is tested), then waits up to WAIT seconds for an ICMP error and prints
#   "icmp TYPE CODE", or "none".
# udperr.py spray PREFIX FIRST COUNT PORT: one datagram to each of COUNT
#   IPv4 addresses PREFIX.FIRST.. from one socket.
# udperr.py blast ADDR PORT COUNT: COUNT datagrams from one unconnected
#   socket that ignores ICMP errors (a connected one would fail its next
#   send after each); prints how many the kernel took.
import select
import socket
import struct
import sys

IP_RECVERR, IPV6_RECVERR = 11, 25
SO_SNDBUFFORCE = 32


def sock(family):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)
    return s


def send(addr, port, count, wait):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = sock(family)
    if family == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    s.connect((addr, port))
    for _ in range(count):
        try:
            s.send(b"x" * 32)
        except OSError:
            pass
    p = select.poll()
    p.register(s, select.POLLERR)
    if not p.poll(wait * 1000):
        print("none")
        return
    _, anc, _, _ = s.recvmsg(64, 512, socket.MSG_ERRQUEUE)
    for level, typ, data in anc:
        # struct sock_extended_err: errno u32, origin u8, type u8, code u8
        _, origin, itype, icode = struct.unpack_from("=IBBB", data)
        print("icmp %d %d" % (itype, icode))
        return
    print("none")


def spray(prefix, first, count, port):
    s = sock(socket.AF_INET)
    for i in range(first, first + count):
        s.sendto(b"x", ("%s.%d" % (prefix, i), port))


def blast(addr, port, count):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = sock(family)
    sent = 0
    for _ in range(count):
        try:
            s.sendto(b"x" * 32, (addr, port))
            sent += 1
        except OSError:
            pass
    print(sent)


if sys.argv[1] == "blast":
    blast(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif sys.argv[1] == "send":
    send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
         int(sys.argv[5]) if len(sys.argv) > 5 else 0)
else:
    spray(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
