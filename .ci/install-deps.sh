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
	clang-14 libfuzzer-14-dev exim4-daemon-light debhelper dh-dkms
)
# node and npm (the tests' OpenID provider, npm oidc-provider; the demo):
# Debian's, unless some node is on the PATH already.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
[ "${1:-}" = --debug-kernel ] && packages+=(flex bison libelf-dev libssl-dev)
# exim4-daemon-light is the tests' MTA (portal/tests/integration/mta.sh
# runs it with its own configuration). Debian's MTAs conflict with one
# another: where another one is installed, leave it (installing exim would
# remove it) and let the mail tests say exim is missing.
other_mta=$(dpkg-query -W -f='${Package} ${Status} ${Provides}\n' 2>/dev/null |
	awk '/ok installed/ && /mail-transport-agent/ && $1 !~ /^exim4-daemon-/ { print $1 }')
if [ -n "$other_mta" ]; then
	echo "install-deps: $other_mta is this host's MTA; not installing exim4-daemon-light (the mail tests will fail)" >&2
	packages=("${packages[@]/exim4-daemon-light/}")
fi
missing=()
for p in "${packages[@]}"; do
	[ -n "$p" ] || continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" -eq 0 ] || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
# exim's postinst starts the system's exim4 on port 25 (unless a
# policy-rc.d forbids it, as in containers); the tests run their own, so
# stop it and keep it from starting at boot.
if printf '%s\n' "${missing[@]}" | grep -qx exim4-daemon-light; then
	if [ -d /run/systemd/system ]; then
		systemctl disable --now exim4 >/dev/null 2>&1 || true
	else
		invoke-rc.d exim4 stop >/dev/null 2>&1 || true
		update-rc.d exim4 disable >/dev/null 2>&1 || true
	fi
fi
