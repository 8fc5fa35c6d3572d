#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made WireGuard messages for the fz selftests.

  wgpkt.py init KEY HOST PORT [--bad-mac1] [--count N] [--seconds S] [--bind SRC]
      send initiation-shaped messages (random content) whose mac1 is valid
      for the responder public key KEY (base64), or deliberately wrong;
      prints "sent N cookies C" (cookie replies received back).
  wgpkt.py replay IFACE HOST PORT
      capture one transport data message arriving on IFACE, send it again
      to HOST:PORT; prints "capturing" once it listens, then "replayed N bytes".
  wgpkt.py inspect IFACE PORT KEYHEX COUNT
      capture COUNT transport data messages arriving on IFACE for UDP
      port PORT, decrypt each with the session key KEYHEX (libsodium's
      ChaCha20-Poly1305), and print one line: how many were captured,
      decrypted, had non-zero padding, and the outer DS fields seen;
      prints "capturing" once it listens.
  wgpkt.py send6 SRC DST PORT TCLASS SIZES
      send one UDP datagram from SRC to [DST]:PORT with traffic class
      TCLASS for each payload size in SIZES (comma separated).
  wgpkt.py spoof KEY HOST PORT SECONDS
      for SECONDS, send initiations with a valid mac1 for KEY and cookie
      replies naming random receiver indices, alternately, each from a
      random source address in 10.200.0.0/16 (raw IPv4); prints
      "initiations N cookie-replies M".
  wgpkt.py data HOST PORT
      send a transport data message for a receiver index nobody has.
  wgpkt.py ctl6 VIA SRC LEN [TYPE [COUNT]]
      send, through the route to VIA (an fz device whose peer owns ::/128),
      COUNT (default 1) p2p-control-shaped IPv6 packets: SRC -> ::, next
      header 0xFF, LEN payload bytes (first byte TYPE, default 0); for
      malformed-input and flood tests.
Only ever talks to the addresses given (test namespaces).
"""
import base64
import hashlib
import os
import socket
import struct
import sys
import time

INIT_LEN = 148
MAC1_AT = INIT_LEN - 32


def mac1(msg: bytes, pubkey: bytes) -> bytes:
    key = hashlib.blake2s(b"mac1----" + pubkey).digest()
    return hashlib.blake2s(msg[:MAC1_AT], key=key, digest_size=16).digest()


def initiation(pubkey: bytes, good: bool) -> bytes:
    body = struct.pack("<I", 1) + os.urandom(MAC1_AT - 4)
    mac = mac1(body, pubkey) if good else os.urandom(16)
    return body + mac + bytes(16)


def cmd_init(args):
    key = base64.b64decode(args[0])
    host, port = args[1], int(args[2])
    good = "--bad-mac1" not in args
    count = int(args[args.index("--count") + 1]) if "--count" in args else 1
    seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 0
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if "--bind" in args:
        sock.bind((args[args.index("--bind") + 1], 0))
    sock.setblocking(False)
    cookies = sent = 0
    end = time.time() + seconds
    while sent < count or time.time() < end:
        try:
            sock.sendto(initiation(key, good), (host, port))
            sent += 1
        except BlockingIOError:
            pass
        try:
            while True:
                data = sock.recv(2048)
                if len(data) == 64 and data[0] == 3:
                    cookies += 1
        except BlockingIOError:
            pass
        if sent >= count and not seconds:
            break
    deadline = time.time() + 1.0
    while time.time() < deadline:
        try:
            data = sock.recv(2048)
            if len(data) == 64 and data[0] == 3:
                cookies += 1
        except BlockingIOError:
            time.sleep(0.01)
    print(f"sent {sent} cookies {cookies}")


def transport_data(frame, port):
    """The outer DS field and the WireGuard message of an IP/UDP frame for
    PORT carrying a transport data message, or None."""
    version = frame[0] >> 4
    if version == 4:
        ihl, tos = (frame[0] & 15) * 4, frame[1]
        proto, payload = frame[9], frame[ihl:]
    elif version == 6:
        tos = (struct.unpack("!I", frame[:4])[0] >> 20) & 0xFF
        proto, payload = frame[6], frame[40:]
    else:
        return None
    if proto != 17 or len(payload) < 8 + 32:
        return None
    if struct.unpack("!H", payload[2:4])[0] != port:
        return None
    data = payload[8:]
    if data[0] != 4 or data[1:4] != b"\0\0\0":
        return None
    return tos, data


def cmd_replay(args):
    iface, host, port = args[0], args[1], int(args[2])
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
    raw.bind((iface, 0))
    raw.settimeout(10)
    print("capturing", flush=True)  # the caller waits for this
    while True:
        frame, addr = raw.recvfrom(65535)
        if addr[2] != socket.PACKET_HOST:  # not one this host sends
            continue
        found = transport_data(frame, port)
        if found:
            data = found[1]
            break
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    out = socket.socket(family, socket.SOCK_DGRAM)
    out.sendto(data, (host, port))
    print(f"replayed {len(data)} bytes")


def sodium():
    import ctypes
    lib = ctypes.CDLL("libsodium.so.23")
    if lib.sodium_init() < 0:
        sys.exit("libsodium did not initialise")
    return lib


def decrypt(lib, key, counter, box):
    import ctypes
    out = ctypes.create_string_buffer(len(box))
    out_len = ctypes.c_ulonglong()
    nonce = bytes(4) + struct.pack("<Q", counter)
    if lib.crypto_aead_chacha20poly1305_ietf_decrypt(
            out, ctypes.byref(out_len), None, box, ctypes.c_ulonglong(len(box)),
            None, ctypes.c_ulonglong(0), nonce, key) != 0:
        return None
    return out.raw[:out_len.value]


def inner_len(plain):
    if plain and plain[0] >> 4 == 6 and len(plain) >= 40:
        return 40 + struct.unpack("!H", plain[4:6])[0]
    if plain and plain[0] >> 4 == 4 and len(plain) >= 20:
        return struct.unpack("!H", plain[2:4])[0]
    return len(plain)


def cmd_inspect(args):
    iface, port, key, count = args[0], int(args[1]), bytes.fromhex(args[2]), int(args[3])
    lib = sodium()
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
    raw.bind((iface, 0))
    raw.settimeout(10)
    print("capturing", flush=True)  # the caller waits for this
    seen = opened = dirty = 0
    ds = set()
    try:
        while seen < count:
            frame, addr = raw.recvfrom(65535)
            if addr[2] != socket.PACKET_HOST:
                continue
            found = transport_data(frame, port)
            if not found or len(found[1]) == 32:
                continue  # not data, or a keepalive
            tos, data = found
            seen += 1
            ds.add(tos)
            plain = decrypt(lib, key, struct.unpack("<Q", data[8:16])[0], data[16:])
            if plain is None:
                continue
            opened += 1
            if any(plain[inner_len(plain):]):
                dirty += 1
    except socket.timeout:
        pass
    print("captured %d decrypted %d dirty-padding %d outer-ds %s" %
          (seen, opened, dirty, ",".join("0x%02x" % d for d in sorted(ds))))


def cmd_send6(args):
    src, dst, port, tclass = args[0], args[1], int(args[2]), int(args[3], 0)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tclass)
    s.bind((src, 0))
    sizes = [int(n) for n in args[4].split(",")]
    for n in sizes:
        s.sendto(b"p" * n, (dst, port))
        time.sleep(0.02)
    print("sent %d" % len(sizes))


def udp4(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64,
                     17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp  # the kernel fills in the IP checksum


def cmd_spoof(args):
    key = base64.b64decode(args[0])
    host, port, seconds = args[1], int(args[2]), float(args[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    inits = cookies = 0
    end = time.time() + seconds
    while time.time() < end:
        src = "10.200.%d.%d" % (os.urandom(1)[0], os.urandom(1)[0] | 1)
        sport = 1024 + struct.unpack("!H", os.urandom(2))[0] % 60000
        if inits <= cookies:
            msg, inits = initiation(key, True), inits + 1
        else:
            msg = struct.pack("<II", 3, struct.unpack("<I", os.urandom(4))[0])
            msg, cookies = msg + os.urandom(56), cookies + 1
        s.sendto(udp4(src, host, sport, port, msg), (host, 0))
    print("initiations %d cookie-replies %d" % (inits, cookies))


def cmd_data(args):
    host, port = args[0], int(args[1])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    msg = struct.pack("<IIQ", 4, 0xDEADBEEF, 0) + os.urandom(48)
    socket.socket(family, socket.SOCK_DGRAM).sendto(msg, (host, port))
    print("sent 1")


def cmd_ctl6(args):
    via, src, length = args[0], args[1], int(args[2])
    kind = int(args[3]) if len(args) > 3 else 0
    count = int(args[4]) if len(args) > 4 else 1
    payload = (bytes([kind]) + bytes(7) + b"x" * length)[:length]
    hdr = struct.pack("!IHBB", 6 << 28, length, 0xFF, 0)
    hdr += socket.inet_pton(socket.AF_INET6, src) + bytes(16)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for _ in range(count):
        s.sendto(hdr + payload, (via, 0))
    print("sent %d x %d bytes" % (count, len(hdr) + len(payload)))


COMMANDS = {"init": cmd_init, "replay": cmd_replay, "data": cmd_data,
            "ctl6": cmd_ctl6, "inspect": cmd_inspect, "send6": cmd_send6,
            "spoof": cmd_spoof}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
