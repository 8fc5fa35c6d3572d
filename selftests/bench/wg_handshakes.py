#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Prints the latest handshake time of every peer of a WireGuard interface
in nanoseconds since the epoch, one per line (0: never). `wg show` rounds
to whole seconds, too coarse to time a hundred handshakes; the kernel
keeps a timespec (WGPEER_A_LAST_HANDSHAKE_TIME), which this reads over
generic netlink.
    wg_handshakes.py IFACE"""
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 3, 1, 2
WG_CMD_GET_DEVICE, WGDEVICE_A_IFNAME, WGDEVICE_A_PEERS = 0, 2, 8
WGPEER_A_LAST_HANDSHAKE_TIME = 6
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_TYPE_MASK = 0x3fff


def attr(kind, payload):
    hdr = struct.pack("=HH", 4 + len(payload), kind)
    return hdr + payload + b"\0" * (-len(payload) % 4)


def attrs(buf):
    """(type, payload) of each attribute in buf."""
    while len(buf) >= 4:
        length, kind = struct.unpack_from("=HH", buf)
        if length < 4 or length > len(buf):
            raise ValueError("malformed netlink attribute")
        yield kind & NLA_TYPE_MASK, buf[4:length]
        buf = buf[(length + 3) & ~3:]


def request(sock, family, flags, cmd, payload):
    """Sends one genl request; yields the payload of each reply."""
    seq = 1
    hdr = struct.pack("=IHHII", 16 + 4 + len(payload), family,
                      NLM_F_REQUEST | flags, seq, 0)
    sock.send(hdr + struct.pack("=BBH", cmd, 1, 0) + payload)
    while True:
        data = sock.recv(1 << 20)
        while data:
            length, kind, _, _, _ = struct.unpack_from("=IHHII", data)
            if length < 16 or length > len(data):
                raise ValueError("malformed netlink message")
            body = data[16:length]
            data = data[(length + 3) & ~3:]
            if kind == NLMSG_DONE:
                return
            if kind == NLMSG_ERROR:
                err = struct.unpack_from("=i", body)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return
            yield body[4:]
            if not flags & NLM_F_DUMP:
                return


def family_id(sock, name):
    payload = attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0")
    for body in request(sock, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, payload):
        for kind, value in attrs(body):
            if kind == CTRL_ATTR_FAMILY_ID:
                return struct.unpack("=H", value)[0]
    raise OSError("no wireguard genl family")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n    ")[-1].strip())
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    fam = family_id(sock, "wireguard")
    payload = attr(WGDEVICE_A_IFNAME, sys.argv[1].encode() + b"\0")
    for body in request(sock, fam, NLM_F_DUMP, WG_CMD_GET_DEVICE, payload):
        for kind, value in attrs(body):
            if kind != WGDEVICE_A_PEERS:
                continue
            for _, peer in attrs(value):
                for pkind, pvalue in attrs(peer):
                    if pkind == WGPEER_A_LAST_HANDSHAKE_TIME:
                        sec, nsec = struct.unpack("=qq", pvalue)
                        print(sec * 1000000000 + nsec)


if __name__ == "__main__":
    main()
