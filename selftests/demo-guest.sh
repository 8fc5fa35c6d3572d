#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: the seeds' four sequences through the real
# path, each step shown, then run.
# 1. Sign-in: alice signs in through OpenID Connect (a real provider, npm
#    oidc-provider, PKCE; the browser's part scripted over HTTP), bob with
#    a code the portal mails him (Debian's exim4, a mailbox of its own).
# 2. Policy: fzportal (SQLite, TLS) lets group eng, alice's, reach
#    gitlab.company.test; jenkins.company.test (same IP, same gateway)
#    only from an address she does not have. `fzagent gateway --portal`
#    serves the site; `fzagent client --portal`, on alice's token, reaches
#    gitlab on the first try and is refused jenkins.
# 3. DNS: the client's stub gives the resource's name mapped IPs, passes
#    any other name upstream; the gateway resolves the name itself and
#    translates (conntrack).
# 4. Failover: a second gateway joins the site; the client's gateway
#    crashes (link cut, agent SIGKILLed) and then one stops cleanly
#    (SIGTERM, Goodbye); the time from each to the first success through
#    the other is measured. At the end the policy goes and the flow is cut,
#    and a table says what was shown.
set -eo pipefail
export FZ_SELFTESTS=$PWD/selftests FZAGENT=$PWD/agent/fzagent
FZPORTAL=$PWD/portal/fzportal
. selftests/lib/ktap.sh
. selftests/lib/netns.sh
export FZ_RUN=/tmp/fzdemo
. selftests/lib/gateway.sh
D=$FZ_RUN/portal
export FZPORTAL_DB=$D/fz.db
PORTAL=10.251.0.1:8443
# The command as a user would type it.
shown() {
	local c="$*"
	c=${c//$FZPORTAL/fzportal}
	c=${c//$FZAGENT/fzagent}
	c=${c//$D\//}
	case $c in
	"adm "*) c="fzportal admin ${c#adm }" ;;
	"on_client "*) c="${c#on_client }    # in 'client', resolving through its stub" ;;
	esac
	echo "\$ $c"
}
step() {
	echo
	shown "$@"
	"$@"
}
# started WHAT LOG PATTERN: waits for PATTERN in LOG, else says why and ends.
started() {
	wait_for 60 grep -q "$3" "$2" && return
	echo "demo: $1 did not start; its log:" >&2
	cat "$2" >&2
	exit 1
}
# A step that is meant to be refused: shows how, and goes on.
refused() {
	echo
	shown "$@"
	echo "  (expected to be refused)"
	local status=0
	"$@" || status=$?
	if [ $status -eq 0 ]; then
		echo "demo: that should have been refused" >&2
		exit 1
	fi
	echo "(refused, exit status $status)"
}
say() {
	echo
	printf '# %s\n' "$@"
}
# On the client, resolving as its applications do: through the stub.
# (in_ns execs: a subshell keeps the demo's own shell.)
on_client() { (in_ns client "$D/stub-resolv.conf" "$@"); }
adm() { "$FZPORTAL" admin "$@"; }
jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
IDP=$PWD/portal/tests/integration
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	bash "$IDP/mta.sh" stop "$MTA" >/dev/null 2>&1 || :
	[ -f "$FZ_RUN/gw2-dnsmasq.pid" ] && { kill "$(cat "$FZ_RUN/gw2-dnsmasq.pid")" 2>/dev/null || :; }
	hosts_down gateway2
	portal_net_down
	gateway_down
}
trap cleanup EXIT
# What the table at the end says, filled in as the steps run.
declare -A shown_as
now_ms() { echo $(($(date +%s%N) / 1000000)); }

echo "== fz demo on Linux $(uname -r) =="
step modprobe fz
gateway_up
portal_net_up
rm -rf "$D" && mkdir -m 700 "$D"
# exim drops root: its directory's parents must be traversable.
MTA=$(mktemp -d /tmp/fzdemo-mta.XXXXXX)
chmod 711 "$MTA"
echo "192.0.2.77 plain.example.test" >"$D/up-hosts"
dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --addn-hosts="$D/up-hosts" \
	--bind-interfaces --listen-address=10.251.0.1 --port=53 --user=root \
	--group=root --pid-file="$D/up-dnsmasq.pid" -k </dev/null >/dev/null 2>&1 &
pids+=($!)
echo "nameserver 10.251.0.1" >"$D/cl-resolv.conf"
printf 'nameserver 100.100.111.1\noptions timeout:2 attempts:1\n' >"$D/stub-resolv.conf"
say "namespace 'res':      nginx at 172.31.0.10 serving gitlab.company.test and" \
	"                      jenkins.company.test by name (one IP, two resources)" \
	"namespace 'gateway':  10.251.0.2, fz.ko + fzagent gateway, dnsmasq as its resolver" \
	"namespace 'client':   10.251.0.3, fz.ko + fzagent client; its system resolver" \
	"                      (10.251.0.1) knows plain.example.test only" \
	"root namespace:       fzportal at https://$PORTAL, the OpenID provider and" \
	"                      a mail server on 127.0.0.1 (alice's and bob's machine)"

echo
echo "=================== 1. Sign-in ==================="
say "The portal: an account, two users in group eng, an OpenID Connect provider" \
	"(npm oidc-provider: PKCE required, a fresh signing key) and a mail server" \
	"(Debian's exim4) for emailed codes."
step "$FZPORTAL" init --account acme --db "$FZPORTAL_DB"
step adm actor create --name alice --email alice@example.test
step adm actor create --name bob --email bob@example.test
step adm group create eng
step adm member add --group eng --actor alice
step adm member add --group eng --actor bob
bash "$IDP/idp/install.sh" >/dev/null
secret=$(openssl rand -hex 24)
(umask 077 && printf '%s\n' "$secret" >"$D/idp.secret")
echo
echo "\$ node idp.mjs --client-id fzportal --redirect-uri https://$PORTAL/auth/oidc/callback &"
node "$IDP/idp/idp.mjs" --port 0 --client-id fzportal --client-secret "$secret" \
	--redirect-uri "https://$PORTAL/auth/oidc/callback" >"$D/idp.out" 2>"$D/idp.err" &
pids+=($!)
# node and oidc-provider start slowly under TCG (35 s seen on two vCPUs;
# make check runs the demo on one, beside another VM).
wait_for 240 grep -q issuer "$D/idp.out" ||
	{ echo "demo: the OpenID provider did not start:" >&2; cat "$D/idp.out" "$D/idp.err" >&2; exit 1; }
issuer=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    try: print(json.loads(l)["issuer"]); break
    except Exception: pass' "$D/idp.out")
step adm provider add Test --issuer "$issuer" --client-id fzportal \
	--client-secret-file "$D/idp.secret" --link-by-email
mport=$(bash "$IDP/mta.sh" start "$MTA")
echo "(exim4 listens on 127.0.0.1:$mport)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=10.251.0.1" -addext "subjectAltName=IP:10.251.0.1" -days 2 \
	-keyout "$D/key.pem" -out "$D/cert.pem" 2>/dev/null
echo
echo "\$ fzportal serve --listen $PORTAL --cert cert.pem --key key.pem --smtp-url smtp://127.0.0.1:$mport --smtp-from fz@example.test &"
"$FZPORTAL" serve --listen "$PORTAL" --cert "$D/cert.pem" --key "$D/key.pem" \
	--db "$FZPORTAL_DB" --smtp-url "smtp://127.0.0.1:$mport" \
	--smtp-from fz@example.test 2>"$D/portal.log" &
pids+=($!)
started fzportal "$D/portal.log" listening

# sign_in WHO: `fzagent sign-in` in the background; its URL in $url.
sign_in() {
	echo
	echo "\$ FZ_TOKEN_FILE=$1.token fzagent sign-in --portal https://$PORTAL --account acme --no-browser &"
	FZ_TOKEN_FILE=$D/$1.token "$FZAGENT" sign-in --portal "https://$PORTAL" \
		--account acme --no-browser --timeout 100 >"$D/$1.signin" 2>&1 &
	signin_pid=$!
	wait_for 10 grep -q 'https://[^ ]*/sign_in?' "$D/$1.signin" ||
		{ cat "$D/$1.signin" >&2; exit 1; }
	url=$(grep -o 'https://[^ ]*/sign_in?[^ ]*' "$D/$1.signin" | head -1)
	echo "(it prints the sign-in URL: ${url%%\?*}?state=...&nonce=...&redirect_uri=...)"
}
# signed_in WHO: the agent kept a token, root-only.
signed_in() {
	wait "$signin_pid" || { cat "$D/$1.signin" >&2; exit 1; }
	step ls -l "$D/$1.token"
	[ "$(stat -c %a "$D/$1.token")" = 600 ]
}
say "alice signs in with the OpenID provider; the browser's part (the portal's" \
	"page, the provider's login and consent, back to the agent on 127.0.0.1)" \
	"is scripted over HTTP."
sign_in alice
echo "\$ (the browser) $url    # as alice"
python3 "$IDP/signin.py" browse "$D/cert.pem" "$url" alice | grep -v '^#'
signed_in alice
shown_as[signin-oidc]="alice: OpenID Connect (PKCE) -> token, mode 600"

say "bob signs in with a code the portal mails him."
sign_in bob
code_file=$D/bob.code
(bash "$IDP/mta.sh" wait-mail "$MTA" bob@example.test 60 >"$D/bob.mail" &&
	sed -n 's/^ *\([0-9]\{6\}\) *$/\1/p' "$D/bob.mail" | head -1 >"$code_file.tmp" &&
	mv "$code_file.tmp" "$code_file") &
mailer=$!
echo "\$ (the browser) $url    # as bob: asks for a code, reads it from his mailbox"
python3 "$IDP/signin.py" email "$D/cert.pem" "$url" bob@example.test \
	"code-from:$code_file" follow | grep -v '^#'
wait "$mailer"
echo "(the mail bob got:)"
sed -n '/^Subject:/p; /^ *[0-9]\{6\} *$/p' "$D/bob.mail" | sed 's/^/    /'
signed_in bob
shown_as[signin-email]="bob: a 6-digit code by email (exim4) -> token"

echo
echo "=================== 2. Policy ==================="
say "gitlab is allowed to group eng; jenkins only from 192.0.2.0/24, where" \
	"alice is not."
step adm site create hq
step adm resource create --name gitlab --type dns --address gitlab.company.test \
	--site hq --filters tcp/80
step adm resource create --name jenkins --type dns --address jenkins.company.test \
	--site hq --filters tcp/80
echo
echo "\$ fzportal admin --json policy create --group eng --resource gitlab"
pol=$(adm --json policy create --group eng --resource gitlab)
echo "$pol"
pol=$(jget "$pol" id)
step adm policy create --group eng --resource jenkins --condition \
	'{"property":"remote_ip","operator":"is_in_cidr","values":["192.0.2.0/24"]}'
(umask 077 && jget "$(adm --json gateway-token create --site hq)" token >"$D/gw.token")
(umask 077 && jget "$(adm --json gateway-token create --site hq)" token >"$D/gw2.token")
say "two gateway tokens for site hq, saved mode 600 (tokens never go on a" \
	"command line)"

say "The gateway joins the portal (its key and listen port in gw.conf)."
(umask 077 && printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' \
	"$(wg genkey)" >"$D/gw.conf")
# gw_start NS STEM ADDR: the agent of gateway NS (again), resolving
# through its own dnsmasq; STEM names its files; its pid in gw_pid[STEM].
declare -A gw_pid
gw_start() {
	[ -n "${gw_pid[$2]:-}" ] || echo "\$ fzagent gateway $2.conf -i fz0 --portal https://$PORTAL --token-file $2.token --endpoint $3:51820 &    # in '$1'"
	in_ns "$1" "$FZ_RUN/gw-resolv.conf" "$FZAGENT" gateway "$D/$2.conf" -i fz0 \
		--portal "https://$PORTAL" --ca-file "$D/cert.pem" --token-file "$D/$2.token" \
		--endpoint "$3:51820" >>"$D/$2.log" 2>&1 &
	gw_pid[$2]=$!
	pids+=("${gw_pid[$2]}")
}
echo
gw_start gateway gw 10.251.0.2
started "fzagent gateway" "$D/gw.log" "portal: init_done"

say "alice's client runs on her token: it makes fz0, routes the mapped ranges" \
	"and puts its DNS stub on 100.100.111.1 (its upstream: the system's resolver)."
echo
echo "\$ fzagent client --portal https://$PORTAL --token-file alice.token -i fz0 --dns-control none &    # in 'client'"
in_ns client "$D/cl-resolv.conf" "$FZAGENT" client \
	--portal "https://$PORTAL" --ca-file "$D/cert.pem" --key-file "$D/client.key" \
	--token-file "$D/alice.token" --dns-control none -i fz0 >"$D/cl.log" 2>&1 &
pids+=($!)
started "fzagent client" "$D/cl.log" "portal: init complete"
step ip netns exec client ip route show dev fz0

say "The first packet to a mapped IP is held in fz.ko while the client asks the" \
	"portal; the portal picks the site's gateway, both sides set up the tunnel" \
	"and the translation, and the held SYN goes out: the first try works."
step on_client curl -sS -m 15 http://gitlab.company.test/
echo
shown_as[policy-allow]="gitlab, allowed to eng: reached on the first try"
step ip netns exec client "$FZAGENT" show fz0

say "jenkins: visible, but its policy's condition does not hold: refused at once," \
	"through its mapped IP and by its real IP (not routed into the tunnel)."
refused on_client curl -sS -m 8 http://jenkins.company.test/
refused ip netns exec client curl -sS -m 3 -H "Host: jenkins.company.test" http://172.31.0.10/
shown_as[policy-deny]="jenkins, condition not met: refused"

echo
echo "=================== 3. DNS ==================="
say "The stub gives a resource's name mapped IPs (4 IPv4, 4 IPv6); any other" \
	"name goes to the upstream, unchanged."
step ip netns exec client dig +short @100.100.111.1 gitlab.company.test A
mapped=$(ip netns exec client dig +short @100.100.111.1 gitlab.company.test A | head -1)
[[ $mapped == 100.* ]] || { echo "demo: no mapped IP for gitlab ('$mapped')" >&2; exit 1; }
step ip netns exec client dig +short @100.100.111.1 gitlab.company.test AAAA
step on_client dig +short plain.example.test
say "The gateway resolved the name itself and translates the mapped IP to the" \
	"address it got (conntrack: the client's packets to $mapped reach 172.31.0.10)."
step ip netns exec gateway "$FZAGENT" show fz0
step ip netns exec gateway conntrack -L -p tcp
shown_as[dns]="gitlab.company.test -> $mapped (stub) -> 172.31.0.10 (gateway's NAT)"

echo
echo "=================== 4. Failover ==================="
say "A second gateway joins site hq: namespace 'gateway2', 10.251.0.4, its own" \
	"path to nginx and its own resolver."
gw2_up() {
	ip netns add gateway2 &&
		ip link add vgateway2 type veth peer name eth0 netns gateway2 &&
		ip link set vgateway2 master brfz up &&
		ip -n gateway2 addr add 10.251.0.4/24 dev eth0 &&
		ip -n gateway2 link set eth0 up && ip -n gateway2 link set lo up &&
		ip link add vres2 netns gateway2 type veth peer name vgw2 netns res &&
		ip -n gateway2 addr add 172.31.1.1/24 dev vres2 &&
		ip -n res addr add 172.31.1.10/24 dev vgw2 &&
		ip -n gateway2 link set vres2 up && ip -n res link set vgw2 up &&
		ip -n gateway2 route add 172.31.0.0/24 via 172.31.1.10 &&
		ip netns exec gateway2 sysctl -qw net.ipv4.ip_forward=1 &&
		ip netns exec gateway2 dnsmasq --conf-file=/dev/null --no-resolv \
			--no-hosts --addn-hosts="$FZ_RUN/gw-hosts" --bind-interfaces \
			--listen-address=127.0.0.1 --port=53 --local=/company.test/ \
			--local-ttl=0 --user=root --group=root \
			--pid-file="$FZ_RUN/gw2-dnsmasq.pid" </dev/null >/dev/null 2>&1
}
gw2_up
(umask 077 && printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' \
	"$(wg genkey)" >"$D/gw2.conf")
echo
gw_start gateway2 gw2 10.251.0.4
started "the second gateway" "$D/gw2.log" "portal: init_done"
step adm gateway list

# The probe: from the client, a GET of gitlab by its mapped IP started
# every 100 ms (a thread each, 0.5 s timeout); one line per try, "START-NS
# END-NS ok|fail".
ip netns exec client python3 -c '
import socket, sys, threading, time
f = open(sys.argv[1], "a", buffering=1)
req = b"GET / HTTP/1.0\r\nHost: gitlab.company.test\r\n\r\n"
def one(t):
    try:
        s = socket.create_connection((sys.argv[2], 80), timeout=0.5)
        s.settimeout(0.5)
        s.sendall(req)
        ok = b"gitlab" in s.recv(4096)
        s.close()
    except OSError:
        ok = False
    f.write("%d %d %s\n" % (t, time.time_ns(), "ok" if ok else "fail"))
while True:
    threading.Thread(target=one, args=(time.time_ns(),), daemon=True).start()
    time.sleep(0.1)
' "$D/probe.log" "$mapped" &
probe=$!
pids+=("$probe")
# first_ok_after NS: when the first try started at or after NS that
# worked ended.
# (None yet, and no log yet while the probe starts: nothing, status 0.)
first_ok_after() {
	[ -s "$D/probe.log" ] || return 0
	sort -n "$D/probe.log" | awk -v t0="$1" '$1 >= t0 && $3 == "ok" { print $2; exit }' || :
}
# ms_to_ok FROM_NS AFTER_NS: ms from FROM_NS to the end of the first
# success of a try started at or after AFTER_NS (waits up to 30 s).
ms_to_ok() {
	local t="" _
	for _ in $(seq 300); do
		t=$(first_ok_after "$2") || :
		[ -n "$t" ] && break
		sleep 0.1
	done
	[ -n "$t" ] && echo $(((t - $1) / 1000000)) || echo none
}
ms_to_ok "$(date +%s%N)" "$(date +%s%N)" >/dev/null
echo
echo "(the client fetches gitlab every 100 ms, through 'gateway', the one it has)"

say "Graceful: the client's gateway stops cleanly (SIGTERM): it says Goodbye" \
	"to its clients, and the client asks the portal for another at once."
t0=$(date +%s%N)
step kill -TERM "${gw_pid[gw]}"
wait "${gw_pid[gw]}" 2>/dev/null || :
# Counted from SIGTERM to the first answer of a try started once the
# gateway had gone (one started before could still go through it).
graceful_ms=$(ms_to_ok "$t0" "$(date +%s%N)")
echo "first answer of a try started after 'gateway' exited: $graceful_ms ms after SIGTERM"
[ "$graceful_ms" != none ] || { echo "demo: the client did not move after the Goodbye" >&2; exit 1; }
grep -i "goodbye" "$D/cl.log" | tail -2 | sed 's/^/    /' || :
shown_as[failover-graceful]="graceful (SIGTERM, Goodbye): served again $graceful_ms ms after (bound: 1 s)"

say "'gateway' comes back; the client stays where it is (no moving back)."
gw_start gateway gw 10.251.0.2
rejoined() { [ "$(grep -c 'portal: init: [0-9]* clients' "$D/gw.log")" -ge 2 ]; }
wait_for 60 rejoined ||
	{ echo "demo: 'gateway' did not rejoin; its log:" >&2; cat "$D/gw.log" >&2; exit 1; }
echo "('gateway' rejoined the portal)"
sleep 1

say "Crash: the client's gateway, now 'gateway2', loses its link and its agent" \
	"is killed (SIGKILL; fz.ko's state stays, as on a frozen host). The client" \
	"hears nothing back for 9 s while it sends, drops that gateway and asks" \
	"the portal for another."
# The client's gateway is 'gateway2' (its peer's endpoint), or the crash
# below would measure nothing.
on_gw2() { ip netns exec client "$FZAGENT" show fz0 | grep 'endpoint: 10\.251\.0\.4:51820' >/dev/null; }
on_gw2 || { echo "demo: the client is not on 'gateway2':" >&2; ip netns exec client "$FZAGENT" show fz0 >&2; exit 1; }
echo "(the client's gateway peer is at 10.251.0.4:51820, 'gateway2')"
step ip link set vgateway2 down
t0=$(date +%s%N)
step kill -KILL "${gw_pid[gw2]}"
wait "${gw_pid[gw2]}" 2>/dev/null || :
crash_ms=$(ms_to_ok "$t0" "$t0")
echo "first success through 'gateway': $crash_ms ms after the cut"
[ "$crash_ms" != none ] || { echo "demo: the client did not move after the crash" >&2; exit 1; }
grep -E "dead|quiet|failed" "$D/cl.log" | tail -3 | sed 's/^/    /' || :
shown_as[failover-crash]="crash (link cut, SIGKILL): served again $crash_ms ms after (bound: 10 s + 100 ms)"
kill "$probe" 2>/dev/null || :
wait "$probe" 2>/dev/null || :
echo "(the probe: $(grep -c ' ok$' "$D/probe.log") tries answered, $(grep -c ' fail$' "$D/probe.log") not)"

echo
echo "=================== and the policy goes ==================="
say "The portal revokes it; the gateway cuts the flow."
step adm policy delete "$pol"
wait_for 10 grep -q "resource gitlab .*removed" "$D/cl.log" || true
refused ip netns exec client curl -sS -m 3 -H "Host: gitlab.company.test" "http://$mapped/"
shown_as[revoke]="the policy deleted: the flow cut"

say "The logs say what happened (keys shortened, tokens never logged):"
for l in cl gw gw2; do
	echo "--- fzagent ${l/cl/client}"
	cat "$D/$l.log"
done
echo "--- fzportal"
cat "$D/portal.log"
cleanup
trap - EXIT
pids=()
step modprobe -r fz

echo
echo "== what the demo showed =="
printf '  %-10s %s\n' \
	"sign-in" "${shown_as[signin-oidc]}" \
	"" "${shown_as[signin-email]}" \
	"policy" "${shown_as[policy-allow]}" \
	"" "${shown_as[policy-deny]}" \
	"DNS" "${shown_as[dns]}" \
	"failover" "${shown_as[failover-graceful]}" \
	"" "${shown_as[failover-crash]}" \
	"revocation" "${shown_as[revoke]}" \
	"fz.ko" "unloaded cleanly"
echo "== the demo ran to its end =="
