#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In a vm.sh -S guest (systemd as PID 1, a writable root): the Debian
# packages as a user installs and runs them. apt installs fz-dkms, fzagent
# and fzportal from DEBDIR; DKMS builds fz.ko for this kernel; fz.ko loads
# through modules-load.d; the portal, a gateway and a client run as their
# systemd units (the hardened ones the packages ship) and find each other;
# each stops cleanly; apt purges the three, and DKMS takes the module back.
#   packages-guest.sh DEBDIR      (KTAP lines; selftests/host/packages.sh)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ktap.sh"
. "$here/netns.sh"
debs=$1
kver=$(uname -r)
need apt-get dkms systemctl journalctl openssl curl python3 wg
D=/tmp/out/pkg
mkdir -p "$D"
export DEBIAN_FRONTEND=noninteractive

check "systemd is PID 1" test "$(cat /proc/1/comm)" = systemd
# --- Install ---
if apt-get install -y --no-install-recommends "$debs"/fz-dkms_*.deb \
	"$debs"/fzagent_*.deb "$debs"/fzportal_*.deb >"$D/apt-install.log" 2>&1; then
	pass "apt install ./fz-dkms ./fzagent ./fzportal"
else
	fail "apt install ./fz-dkms ./fzagent ./fzportal (log: pkg/apt-install.log)"
	tail -20 "$D/apt-install.log" | sed 's/^/#   /'
	ktap_done
	exit
fi
check "dkms status: fz installed for $kver" \
	sh -c "dkms status fz 2>/dev/null | grep -F ', $kver, ' | grep -q ': installed'"
check "modinfo: fz.ko is DKMS's, under updates/dkms" \
	sh -c "modinfo -n -k $kver fz | grep -q '/lib/modules/$kver/updates/dkms/fz.ko'"
systemctl restart systemd-modules-load
check "modules-load.d loads fz" grep -q '^fz ' /proc/modules
check "the fzportal system user exists (sysusers.d)" id fzportal
check "/etc/fz and /etc/fzportal are root-only" \
	sh -c 'test "$(stat -c %a:%U /etc/fz /etc/fzportal | sort -u)" = 700:root'
check "fzportal.service is installed but neither enabled nor started" \
	sh -c '! systemctl is-enabled -q fzportal && ! systemctl is-active -q fzportal'

# --- The portal, as README.Debian sets it up ---
db=/var/lib/fzportal/fzportal.db
adm() { runuser -u fzportal -- env FZPORTAL_DB=$db fzportal admin "$@"; }
jget() { python3 -c 'import json, sys; o = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
portal_setup() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" -days 2 \
		-keyout /etc/fzportal/key.pem -out /etc/fzportal/cert.pem 2>/dev/null &&
		chmod 0600 /etc/fzportal/key.pem &&
		cp /etc/fzportal/cert.pem /etc/fz/portal.pem &&
		printf 'FZPORTAL_LISTEN=127.0.0.1:8443\n' >/etc/default/fzportal &&
		install -d -o fzportal -g fzportal -m 0700 /var/lib/fzportal &&
		runuser -u fzportal -- fzportal init --account acme --db $db
}
check "fzportal init, as the fzportal user" portal_setup
portal_data() {
	adm site create hq >/dev/null &&
		adm resource create --name web --type cidr --address 172.31.0.0/24 \
			--site hq --filters tcp/80 >/dev/null &&
		adm group create eng >/dev/null &&
		adm policy create --group eng --resource web >/dev/null &&
		adm service-account create --name ci >/dev/null &&
		adm member add --group eng --actor ci >/dev/null &&
		(umask 077 && jget "$(adm --json client-token create --actor ci)" 'o["token"]' >/etc/fz/cl0.token) &&
		(umask 077 && jget "$(adm --json gateway-token create --site hq)" 'o["token"]' >/etc/fz/gw0.token)
}
check "the portal's data: a site, a resource, a policy, two tokens" portal_data
check "systemctl enable --now fzportal" systemctl enable --now fzportal
check "... it answers /healthz" \
	wait_for 30 sh -c 'curl -s --cacert /etc/fz/portal.pem https://127.0.0.1:8443/healthz | grep -q ok'
check "... as the fzportal user, holding only CAP_NET_BIND_SERVICE (for 443)" sh -c '
	pid=$(systemctl show -p MainPID --value fzportal)
	test "$(stat -c %U /proc/$pid)" = fzportal &&
	grep -q "^CapEff:	0000000000000400" /proc/$pid/status'

# --- A gateway and a client ---
gw_setup() {
	(umask 077 && printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' \
		"$(fzagent genkey)" >/etc/fz/gw0.conf) &&
		cat >/etc/fz/gw0.env <<'ENV'
FZ_PORTAL=https://127.0.0.1:8443
FZ_GATEWAY_ARGS=--ca-file /etc/fz/portal.pem --endpoint 127.0.0.1:51820 --health 127.0.0.1:9090
ENV
}
check "the gateway's /etc/fz/gw0.{conf,env,token}" gw_setup
check "systemctl start fzagent-gateway@gw0" systemctl start fzagent-gateway@gw0
online() { # online gateway|client: the portal lists one of them online
	adm --json "$1" list | python3 -c 'import json, sys
sys.exit(0 if any(g.get("online") for g in json.load(sys.stdin)) else 1)'
}
check "... the portal lists the gateway online" wait_for 60 online gateway
check "... its health endpoint answers" \
	wait_for 30 sh -c 'curl -sf http://127.0.0.1:9090/healthz >/dev/null'
check "... gw0 is an fz link" sh -c 'ip -d link show gw0 | grep -qw fz'
check "... the agent holds CAP_NET_ADMIN and nothing else" sh -c '
	pid=$(systemctl show -p MainPID --value fzagent-gateway@gw0)
	grep -q "^CapEff:	0000000000001000" /proc/$pid/status'
cat >/etc/fz/cl0.env <<'ENV'
FZ_PORTAL=https://127.0.0.1:8443
FZ_CLIENT_ARGS=--ca-file /etc/fz/portal.pem --dns-control none
ENV
check "systemctl start fzagent-client@cl0" systemctl start fzagent-client@cl0
check "... it joins and applies its init" wait_for 60 sh -c \
	'journalctl -u fzagent-client@cl0 --no-pager | grep -q "portal: init: 1 resources"'
check "... the portal lists the client online" wait_for 30 online client
check "... its key was made in the state directory, root-only" \
	sh -c 'test "$(stat -c %a /var/lib/fz/cl0.key)" = 600'

# --- Stop, as systemctl stop and apt purge do ---
check "systemctl stop: the client, the gateway and the portal stop" \
	systemctl stop fzagent-client@cl0 fzagent-gateway@gw0 fzportal
for u in fzagent-client@cl0 fzagent-gateway@gw0 fzportal; do
	check "... $u is inactive, not failed" \
		sh -c "test \"\$(systemctl is-active $u)\" = inactive"
done
check "... the gateway said Goodbye on its way out" \
	sh -c 'journalctl -u fzagent-gateway@gw0 --no-pager | grep -qi goodbye'
check "... the client took its link away" sh -c '! ip link show cl0 2>/dev/null'
journalctl -u fzportal -u 'fzagent-*' --no-pager >"$D/units.log" 2>&1
if apt-get purge -y fzagent fzportal fz-dkms >"$D/apt-purge.log" 2>&1; then
	pass "apt purge fzagent fzportal fz-dkms"
else
	fail "apt purge fzagent fzportal fz-dkms (log: pkg/apt-purge.log)"
	tail -20 "$D/apt-purge.log" | sed 's/^/#   /'
fi
check "... DKMS took fz.ko back" \
	sh -c "test -z \"\$(dkms status fz)\" && ! test -e /lib/modules/$kver/updates/dkms/fz.ko"
check "... and the units are gone" \
	sh -c '! systemctl cat fzportal fzagent-gateway@x >/dev/null 2>&1'
ktap_done
