#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fzportal admin through the real binary on a fresh `fzportal init`
# database: every noun and verb, tables and --json, --help at each level,
# refusals that exit 1 and change no row, and one changes row and one
# audit row per change, in the shape of the contract in admin/admin.h.
#   FZPORTAL=/path/to/fzportal bash 30-admin-cli.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
need sqlite3 timeout
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3

tmp=$(mktemp -d /tmp/fzportal-admin-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export FZPORTAL_DB=$tmp/fz.db
unset FZPORTAL_ACCOUNT
q() { sqlite3 "$FZPORTAL_DB" "$@"; }
adm() { timeout 10 "$FZPORTAL" admin "$@"; }
# jget JSON-TEXT PY-EXPR: a value of the parsed output (o is the object).
jget() { "$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
counts() { q "SELECT (SELECT count(*) FROM changes) || ' ' || (SELECT count(*) FROM audit)"; }
rows() {
	q "SELECT group_concat(n, ' ') FROM (SELECT count(*) n FROM sites UNION ALL
		SELECT count(*) FROM resources UNION ALL SELECT count(*) FROM policies
		UNION ALL SELECT count(*) FROM actors UNION ALL SELECT count(*) FROM groups
		UNION ALL SELECT count(*) FROM memberships UNION ALL SELECT count(*) FROM tokens
		UNION ALL SELECT count(*) FROM changes UNION ALL SELECT count(*) FROM audit
		UNION ALL SELECT count(*) FROM accounts)"
}

# changed DESC ENTITY OP CMD...: CMD succeeds and adds exactly one changes
# row (ENTITY, OP) and one audit row (ENTITY.OP), the data's shape right.
changed() {
	local desc=$1 entity=$2 op=$3 before after out last
	shift 3
	before=$(counts)
	if ! out=$("$@" 2>"$tmp/stderr"); then
		fail "$desc"
		sed 's/^/#   /' "$tmp/stderr"
		return 1
	fi
	after=$(counts)
	last=$(q "SELECT entity || ' ' || op FROM changes ORDER BY seq DESC LIMIT 1")
	set -- $before
	local c=$1 a=$2
	set -- $after
	if [ "$1" -eq $((c + 1)) ] && [ "$2" -eq $((a + 1)) ] &&
		[ "$last" = "$entity $op" ] &&
		[ "$(q "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" = "$entity.$op" ] &&
		shape_ok "$op"; then
		pass "$desc"
	else
		fail "$desc (changes/audit $before -> $after, last '$last')"
	fi
	LAST_OUT=$out
}

# The newest changes row: before/after null exactly as op says, never a hash.
shape_ok() {
	q "SELECT data FROM changes ORDER BY seq DESC LIMIT 1" | "$PY" -c '
import json, sys
op = sys.argv[1]
d = json.loads(sys.stdin.read())
assert set(d) == {"before", "after"}, d
assert (d["before"] is None) == (op == "create"), d
assert (d["after"] is None) == (op == "delete"), d
assert "hash" not in json.dumps(d) and "fz1_" not in json.dumps(d), d
' "$1"
}

# refused DESC PATTERN CMD...: exit 1, PATTERN on stderr, no row changed.
refused() {
	local desc=$1 pattern=$2 before out status=0
	shift 2
	before=$(rows)
	out=$("$@" 2>&1 >/dev/null) || status=$?
	if [ $status -eq 1 ] && grep -q -- "$pattern" <<<"$out" &&
		[ "$(rows)" = "$before" ]; then
		pass "$desc"
	else
		fail "$desc (exit $status, rows $before -> $(rows))"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

"$FZPORTAL" init --account acme --db "$FZPORTAL_DB" --admin alice \
	>"$tmp/token" 2>/dev/null
check "init made the database" test -s "$FZPORTAL_DB"

# --- help at every level
check "admin --help lists every noun" bash -c "'$FZPORTAL' admin --help |
	grep -q 'service-account' && '$FZPORTAL' admin --help | grep -q '^EXIT STATUS'"
for n in account site gateway-token gateway client resource group member \
	actor service-account client-token api-token policy audit; do
	out=$("$FZPORTAL" admin "$n" --help) && grep -q "^VERBS" <<<"$out" ||
		{ fail "admin $n --help"; continue; }
	ok=1
	for v in $(sed -n '/^VERBS/,/^$/p' <<<"$out" | awk 'NR > 1 && NF {print $1}'); do
		"$FZPORTAL" admin "$n" "$v" --help | grep -q "^OPTIONS" || ok=0
	done
	[ $ok = 1 ] && pass "admin $n --help and each of its verbs' --help" ||
		fail "admin $n VERB --help"
done
check "a verb's help has its options" bash -c "'$FZPORTAL' admin resource create --help |
	grep -q -- '--address ADDRESS'"
check_fails "an unknown noun is refused" adm frob list
check_fails "an unknown verb is refused" adm site frob
check_fails "an unknown option is refused" adm site list --frob
check_fails "a missing database is refused" adm --db "$tmp/none.db" site list
check "and not created" test ! -e "$tmp/none.db"

# --- account
changed "account update" account update adm account update \
	--upstream-dns 1.1.1.1,2606:4700::1111 --search-domain corp.example \
	--client-token-ttl 2w
out=$(adm --json account show)
check "account show --json has the settings" test \
	"$(jget "$out" 'o["upstream_dns"], o["search_domain"], o["client_token_ttl"]')" = \
	"(['1.1.1.1', '2606:4700::1111'], 'corp.example', 1209600)"
refused "a bad upstream DNS is refused" "upstream_dns: 'x' is not an IP" \
	adm account update --upstream-dns 1.1.1.1,x
refused "a bad search domain is refused" "search_domain" \
	adm account update --search-domain 'a b'

# --- sites
changed "site create" site create adm site create hq
changed "site create (json)" site create adm --json site create branch
site_id=$(jget "$LAST_OUT" 'o["id"]')
check "site list is a table with an upper-case header" \
	bash -c "'$FZPORTAL' admin site list | head -1 | grep -q '^ID  *NAME  *CREATED_AT'"
check "site list --json is an array of both" test \
	"$(jget "$(adm --json site list)" 'sorted(s["name"] for s in o)')" = "['branch', 'hq']"
check "site show by id and by name agree" test \
	"$(adm --json site show "$site_id")" = "$(adm --json site show branch)"
changed "site update" site update adm site update branch --name branch2
refused "a duplicate site is refused" "already exists" adm site create hq
refused "an empty site name is refused" "name" adm site create ''
refused "a site name with a newline is refused" "name" adm site create $'a\nb'
refused "show of a missing site is not found" "no site 'nope'" adm site show nope

# --- resources
changed "resource create dns" resource create adm resource create --name wiki \
	--type dns --address '*.Wiki.corp.example' --site hq --filters 'tcp/443, icmp'
out=$(adm --json resource show wiki)
check "resource show --json: address and filters" test \
	"$(jget "$out" 'o["address"], [f["protocol"] for f in o["filters"]]')" = \
	"('*.wiki.corp.example', ['tcp', 'icmp'])"
changed "resource create cidr" resource create adm resource create --name net \
	--type cidr --address 10.1.0.0/16 --site hq
changed "resource create ip" resource create adm resource create --name db \
	--type ip --address 10.1.2.3 --site branch2 --description 'the database'
refused "a bad domain is refused" "address: not a domain name" \
	adm resource create --name bad --type dns --address 'a..b' --site hq
refused "cidr host bits are refused" "host bits" \
	adm resource create --name bad --type cidr --address 10.1.2.3/16 --site hq
refused "an ip type with a range is refused" "address" \
	adm resource create --name bad --type ip --address 10.0.0.0/8 --site hq
refused "an unknown type is refused" "type" \
	adm resource create --name bad --type web --address x.example --site hq
refused "a bad filter is refused" "filters" \
	adm resource create --name bad --type dns --address x.example --site hq --filters 'tcp/0'
refused "an unknown site is refused" "site_id: no site" \
	adm resource create --name bad --type dns --address x.example --site nope
refused "a missing --address is a usage error" "--address ADDRESS is required" \
	adm resource create --name bad --type dns --site hq
changed "resource update" resource update adm resource update net --filters udp/53
refused "an update that breaks type and address is refused" "address" \
	adm resource update net --type ip
check "resource list has every one" test \
	"$(adm resource list | tail -n +2 | wc -l)" = 3
refused "a site with resources cannot be deleted" "resources" adm site delete hq

# --- actors, service accounts, groups, members
changed "actor create" actor create adm actor create --name bob --email bob@example.com
changed "service-account create" actor create adm service-account create --name ci
changed "actor update" actor update adm actor update bob --role admin
refused "a bad role is refused" "role" adm actor update bob --role boss
refused "a bad email is refused" "email" adm actor create --name eve --email nope
check "actor list shows users only" test \
	"$(jget "$(adm --json actor list)" 'sorted(a["name"] for a in o)')" = "['alice', 'bob']"
check "service-account list shows ci only" test \
	"$(jget "$(adm --json service-account list)" '[a["name"] for a in o]')" = "['ci']"
refused "a service account is not an actor" "no actor" adm actor show ci
changed "group create" group create adm group create eng
changed "member add" member create adm member add --group eng --actor bob
check "the member change's object is the group" test \
	"$(q "SELECT object_id FROM changes ORDER BY seq DESC LIMIT 1")" = \
	"$(q "SELECT id FROM groups WHERE name = 'eng'")"
check "member list" test "$(jget "$(adm --json member list --group eng)" 'len(o)')" = 1
refused "a double membership is refused" "already" adm member add --group eng --actor bob
refused "Everyone cannot be left" "cannot be left" \
	adm member remove --group Everyone --actor bob
refused "Everyone cannot be deleted" "cannot be deleted" adm group delete Everyone
refused "Everyone cannot be renamed" "cannot be renamed" \
	adm group update Everyone --name All
changed "member remove" member delete adm member remove --group eng --actor bob
changed "group update" group update adm group update eng --name engineering

# --- policies
cond='{"property":"remote_ip","operator":"is_in_cidr","values":["10.0.0.0/8"]}'
changed "policy create" policy create adm --json policy create --group engineering \
	--resource wiki --condition "$cond"
pol=$(jget "$LAST_OUT" 'o["id"]')
refused "an unknown condition is refused" "unknown property" \
	adm policy create --group Everyone --resource net \
	--condition '{"property":"region","operator":"is_in","values":["EU"]}'
refused "a condition that is not JSON is refused" "not JSON" \
	adm policy create --group Everyone --resource net --condition '{'
refused "a second policy for the pair is refused" "already exists" \
	adm policy create --group engineering --resource wiki
changed "policy disable" policy update adm policy disable "$pol"
check "it is disabled" test "$(jget "$(adm --json policy show "$pol")" 'o["enabled"]')" = False
changed "policy enable" policy update adm policy enable "$pol"
changed "policy update" policy update adm policy update "$pol" --clear-conditions
check "its conditions are gone" test \
	"$(jget "$(adm --json policy show "$pol")" 'o["conditions"]')" = "[]"
changed "policy create (disabled)" policy create adm policy create --group Everyone \
	--resource net --disabled
check "policy list" test "$(jget "$(adm --json policy list)" 'len(o)')" = 2

# --- tokens
changed "gateway-token create" token create adm --json gateway-token create --site hq
gt=$(jget "$LAST_OUT" 'o["id"]')
text=$(jget "$LAST_OUT" 'o["token"]')
check "the token text is printed once and is an fz1_ token" \
	grep -Eqx 'fz1_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}' <<<"$text"
check "the token text is nowhere in the database" \
	bash -c "! sqlite3 '$FZPORTAL_DB' .dump | grep -qF -- '${text:27}'"
check "token list shows no text" bash -c "! '$FZPORTAL' admin --json gateway-token list | grep -q fz1_"
changed "client-token create (default ttl)" token create adm --json client-token create --actor ci
check "its expiry is the account's ttl (2w)" "$PY" -c '
import json, sys, datetime as d
o = json.loads(sys.argv[1])
f = lambda s: d.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
assert abs((f(o["expires_at"]) - f(o["created_at"])).total_seconds() - 14 * 86400) < 5
' "$LAST_OUT"
changed "client-token create --expires-in" token create adm client-token create \
	--actor bob --expires-in 12h
refused "a bad duration is refused" "expires_in" adm client-token create --actor bob --expires-in 3x
# A unit alone, or two units, is no duration (the parser once read
# before its buffer for these).
for d in s ds dms 1ds 12hh; do
	refused "a duration '$d' is refused" "expires_in" \
		adm client-token create --actor bob --expires-in "$d"
done
changed "api-token create for an admin" token create adm api-token create --actor bob
refused "an api token for a member is refused" "admins only" adm api-token create --actor ci
check "api-token list filtered by actor" test \
	"$(jget "$(adm --json api-token list --actor bob)" 'len(o)')" = 1
refused "a gateway token is not a client token" "no client token" \
	adm client-token show "$gt"
changed "gateway-token delete" token delete adm gateway-token delete "$gt"

# --- gateways and clients (registered by the server; here by SQL)
hq=$(q "SELECT id FROM sites WHERE name = 'hq'")
bob=$(q "SELECT id FROM actors WHERE name = 'bob'")
acc=$(q "SELECT id FROM accounts")
q "INSERT INTO tunnel_pool VALUES ('$acc', 7, 'gateway', 'g0000000-0000-4000-8000-000000000001');
   INSERT INTO gateways (id, account_id, site_id, name, public_key, tunnel_offset, endpoints,
	online_since, last_seen_at, created_at) VALUES ('00000000-0000-4000-8000-000000000001',
	'$acc', '$hq', 'gw1', zeroblob(32), 7, '[]', 1700000000000000000, 1700000000000000000, 1);
   INSERT INTO tunnel_pool VALUES ('$acc', 8, 'client', 'c');
   INSERT INTO clients (id, account_id, actor_id, name, public_key, tunnel_offset,
	created_at) VALUES ('00000000-0000-4000-8000-000000000002', '$acc', '$bob',
	'laptop', randomblob(32), 8, 1)" 2>"$tmp/sqlerr" ||
	diag "$(cat "$tmp/sqlerr")"
out=$(adm --json gateway list)
check "gateway list shows presence and tunnel addresses" test \
	"$(jget "$out" 'o[0]["online"], o[0]["ipv4"], o[0]["ipv6"]')" = \
	"(True, '100.64.0.7', 'fd00:2021:1111::7')"
check "gateway list --site" test "$(jget "$(adm --json gateway list --site branch2)" 'len(o)')" = 0
check "gateway show by name" test "$(jget "$(adm --json gateway show gw1)" 'o["name"]')" = gw1
changed "client update --verified" client update adm client update laptop --verified
check "it is verified" test "$(jget "$(adm --json client show laptop)" 'o["verified"]')" = True
check "client list --actor bob" test "$(jget "$(adm --json client list --actor bob)" 'len(o)')" = 1
refused "--verified and --unverified together are refused" "given twice" \
	adm client update laptop --verified --unverified
changed "client delete" client delete adm client delete laptop
changed "gateway delete" gateway delete adm gateway delete gw1

# --- deletes, cascades and the audit log
changed "policy delete" policy delete adm policy delete "$pol"
changed "resource delete" resource delete adm resource delete net
changed "service-account delete (cascades its tokens)" actor delete adm service-account delete ci
check "its tokens went with it" test \
	"$(q "SELECT count(*) FROM tokens t JOIN actors a ON a.id = t.actor_id WHERE a.name = 'ci'")" = 0
changed "group delete" group delete adm group delete engineering
changed "actor delete" actor delete adm actor delete bob
changed "resource delete by id" resource delete adm resource delete \
	"$(q "SELECT id FROM resources WHERE name = 'db'")"
changed "site delete" site delete adm site delete branch2
refused "site delete of a missing site" "no site" adm site delete branch2
check "one changes row per audit row since init" test \
	"$(q "SELECT count(*) FROM changes")" = "$(q "SELECT count(*) FROM audit")"
check "audit list --limit 2 has two rows, newest first" test \
	"$(jget "$(adm --json audit list --limit 2)" '[a["action"] for a in o]')" = \
	"['site.delete', 'resource.delete']"
check "audit entries name the cli and the user" test \
	"$(jget "$(adm --json audit list --limit 1)" 'o[0]["source"]')" = cli
check "audit list --since 1h" test "$(jget "$(adm --json audit list --since 1h)" 'len(o) > 5')" = True
refused "a bad --since is refused" "since" adm audit list --since yesterday
check "every changes row has the contract's shape" "$PY" -c '
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ents = {"account","actor","group","member","site","resource","policy","token","gateway","client"}
for e, op, oid, data in db.execute("SELECT entity, op, object_id, data FROM changes WHERE seq > 1"):
    assert e in ents and op in ("create", "update", "delete"), (e, op)
    d = json.loads(data)
    obj = d["after"] or d["before"]
    if e == "member":
        assert set(obj) == {"group_id", "actor_id"} and obj["group_id"] == oid
    else:
        assert obj["id"] == oid, (e, oid)
    if e == "token":
        assert {"id","kind","actor_id","site_id","name","expires_at"} <= set(obj)
' "$FZPORTAL_DB"
ktap_done
