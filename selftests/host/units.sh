#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The systemd units as `make install` puts them: systemd-analyze verify
# finds nothing wrong with them (and the programs they start exist), and
# each is hardened as the README says: the agents hold CAP_NET_ADMIN (the
# client also binds port 53), the portal no capability but a low port;
# every one has ProtectSystem=strict, PrivateTmp, NoNewPrivileges, a
# StateDirectory, and its token or certificate through LoadCredential=.
. "$(dirname "$0")/../lib/ktap.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
need systemd-analyze
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
check "make install DESTDIR=... puts the programs and the units in place" \
	make -s -C "$repo" install DESTDIR="$root" PREFIX=/usr
units=$root/etc/systemd/system
for u in fzagent-gateway@ fzagent-client@ fzportal; do
	f=$units/$u.service
	check "$u.service is installed" test -f "$f"
	check "... starts the installed program (/usr/sbin)" \
		grep -q "^ExecStart=/usr/sbin/fz" "$f"
	# verify wants the program at its path: the one in DESTDIR stands in.
	sed "s|ExecStart=/usr/sbin/|ExecStart=$root/usr/sbin/|" "$f" >"$root/${u/@/@fz0}.service"
	out=$(cd "$root" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "./${u/@/@fz0}.service" 2>&1)
	check "... systemd-analyze verify finds nothing: ${out:-clean}" test -z "$out"
	for want in ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
		StateDirectory= LoadCredential= UMask=0077; do
		check "... has $want" grep -q "^$want" "$f"
	done
done
check "the agents hold CAP_NET_ADMIN and nothing else needless" \
	sh -c "grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN' '$units/fzagent-gateway@.service' &&
		grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE' '$units/fzagent-client@.service'"
check "the portal holds no capability but binding a low port" \
	grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$units/fzportal.service"
# The gateway reads $CREDENTIALS_DIRECTORY/fz-token by itself; the client
# is told where it is.
check "the client unit hands its token credential to the agent" \
	grep -q -- '--token-file ${CREDENTIALS_DIRECTORY}/fz-token' "$units/fzagent-client@.service"
check "the gateway agent reads the credential itself" \
	grep -q 'CREDENTIALS_DIRECTORY' "$repo/agent/cmd/gateway_portal.c"
check "fz.ko is loaded at boot (modules-load.d)" grep -qx fz "$root/etc/modules-load.d/fz.conf"
ktap_done
