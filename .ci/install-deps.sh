#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs everything the build, the tests and the demo need, from Debian's
# archive. Quiet and quick when everything is there already.
#   install-deps.sh [--debug-kernel]   (also what building a kernel needs,
#                                       for make check-debug)
set -euo pipefail
packages=(
	build-essential pkg-config kmod cpio xz-utils util-linux iproute2
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	qemu-system-x86 busybox-static dkms
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libsodium-dev check
	libb2-dev libuv1-dev wireguard-go python3
	wireguard-tools iperf3 iputils-ping bc clang-format sparse linux-source-6.12
	libldns-dev libnftables-dev libjson-c-dev nftables dnsmasq nginx-light
	curl conntrack bind9-dnsutils linux-perf
	libsqlite3-dev sqlite3 libwebsockets-dev python3-websockets openssl
	libcurl4-openssl-dev libcjose-dev libjansson-dev chromium python3-cryptography
	clang-14 libfuzzer-14-dev
)
[ "${1:-}" = --debug-kernel ] && packages+=(flex bison libelf-dev libssl-dev)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" -eq 0 ] || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
