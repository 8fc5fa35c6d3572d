#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The systemd unit of fzportal (portal/dist/): it passes systemd's own
# checks, runs as its own user without capabilities beyond binding a low
# port, and systemd rates its exposure as OK (below 2.0 of 10).
#   FZPORTAL=/path/to/fzportal bash 60-service.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
need systemd-analyze
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
unit=$here/../../dist/fzportal.service

tmp=$(mktemp -d /tmp/fzportal-unit-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# verify wants ExecStart's binary to exist: point it at the one built.
sed "s|/usr/local/sbin/fzportal|$FZPORTAL|" "$unit" >"$tmp/fzportal.service"
check "systemd-analyze verify accepts the unit" \
	systemd-analyze verify "$tmp/fzportal.service"
for want in 'User=fzportal' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
	'StateDirectory=fzportal' 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' \
	'LoadCredential=key:'; do
	check "the unit sets $want" grep -q "^$want" "$unit"
done
score=$(systemd-analyze security --offline=yes "$tmp/fzportal.service" 2>&1 |
	sed -n 's/.*Overall exposure level for fzportal.service: \([0-9.]*\).*/\1/p')
diag "systemd-analyze security: exposure ${score:-?}"
check "systemd rates the unit's exposure below 2.0 (got ${score:-nothing})" \
	awk -v s="$score" 'BEGIN { exit !(s != "" && s < 2.0) }'
check "the sysusers entry makes the user fzportal" \
	grep -q '^u fzportal ' "$here/../../dist/fzportal.sysusers"
ktap_done
