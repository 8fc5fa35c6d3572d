#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fzportal init and migrate, run for real on a fresh directory and
# checked with the sqlite3 CLI: file modes, WAL, the schema, the account
# and its admin, the one API token (printed once, stored only as its
# hash), refusals that change nothing, and --help.
#   FZPORTAL=/path/to/fzportal bash 10-init.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../selftests/lib/ktap.sh"
need sqlite3 sha256sum stat
FZPORTAL=${FZPORTAL:-$here/../../fzportal}
PY=/usr/bin/python3

tmp=$(mktemp -d /tmp/fzportal-init-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/state/fz.db
q() { sqlite3 "$db" "$@"; }
dump() { sqlite3 "$db" .dump | sha256sum; }

out=$("$FZPORTAL" init --account acme --db "$db" --name 'Acme Corp' \
	--admin alice 2>"$tmp/err")
status=$?
check "init exits 0" test $status -eq 0
check "init prints one line on stdout" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
check "the line is an fz1_ token" \
	grep -Eqx 'fz1_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}' <<<"$out"
check "init says on stderr that the token is shown once" \
	grep -q 'shown only this once' "$tmp/err"
token=$out

check "the database file has mode 0600" test "$(stat -c %a "$db")" = 600
check "its missing directory was made with mode 0700" \
	test "$(stat -c %a "$tmp/state")" = 700
check "journal_mode is wal" test "$(q 'PRAGMA journal_mode')" = wal
tables=$(q "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema
	WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)")
check "every table of the schema is there ($tables)" test "$tables" = \
	"accounts actors audit authorizations changes clients gateways groups identities memberships meta policies providers resources schema_migrations sites tokens tunnel_pool"
check "schema_migrations has 3 rows" \
	test "$(q 'SELECT count(*) FROM schema_migrations')" = 3
check "user_version mirrors it" test "$(q 'PRAGMA user_version')" = 3
check "foreign keys in the schema are consistent" \
	test -z "$(q 'PRAGMA foreign_key_check')"
check "the account is acme, 'Acme Corp'" \
	test "$(q "SELECT slug || '|' || name FROM accounts")" = "acme|Acme Corp"
check "its Everyone group is builtin" \
	test "$(q "SELECT name || builtin FROM groups")" = Everyone1
check "alice is its admin, a member of Everyone" \
	test "$(q "SELECT a.name || a.role || a.type FROM actors a JOIN memberships m
		ON m.actor_id = a.id JOIN groups g ON g.id = m.group_id
		WHERE g.builtin = 1")" = aliceadminuser
check "the portal secret is 32 bytes" \
	test "$(q "SELECT length(value) FROM meta WHERE key = 'psk_key'")" = 32
check "one api token, of alice, without expiry" \
	test "$(q "SELECT count(*) FROM tokens t JOIN actors a ON a.id = t.actor_id
		WHERE t.kind = 'api' AND a.name = 'alice' AND t.expires_at IS NULL")" = 1
check "the audit log records the init" \
	test "$(q "SELECT action FROM audit")" = account.init

# The stored hash is BLAKE2b-256("fz-token-v1" || id || secret).
expected=$("$PY" - "$token" <<'PY'
import base64, hashlib, sys, uuid
# By position: base64url's alphabet has '_' too, so splitting at '_' fails.
t = sys.argv[1]
i, s = t[4:26], t[27:]
dec = lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
idb, sec = dec(i), dec(s)
h = hashlib.blake2b(b"fz-token-v1" + idb + sec, digest_size=32).hexdigest()
print(str(uuid.UUID(bytes=idb)), h.upper())
PY
)
check "the token's id is its row's id, the row holds its hash" \
	test "$(q "SELECT id || ' ' || hex(hash) FROM tokens")" = "$expected"
check "the token's text is nowhere in the database" \
	bash -c "! sqlite3 '$db' .dump | grep -qF -- '${token:4:22}' &&
		! sqlite3 '$db' .dump | grep -qF -- '${token:27}' &&
		! grep -qaF -- '$token' '$db' '$db-wal'"

before=$(dump)
check_fails "init again on the same database is refused" \
	"$FZPORTAL" init --account other --db "$db"
msg=$("$FZPORTAL" init --account other --db "$db" 2>&1 >/dev/null)
check "the refusal says why" grep -q "fzportal: init: .*already initialised" <<<"$msg"
check "and nothing changed" test "$(dump)" = "$before"
check "the mode is still 0600" test "$(stat -c %a "$db")" = 600

for slug in Acme 'a b' -acme '' "$(printf 'a%.0s' {1..64})" 'a_b' 'é'; do
	check_fails "slug '$slug' is refused" \
		"$FZPORTAL" init --account "$slug" --db "$tmp/bad.db"
done
check "a refused slug creates no file" test ! -e "$tmp/bad.db"
msg=$("$FZPORTAL" init --account Acme --db "$tmp/bad.db" 2>&1)
check "the slug error names the rule" \
	grep -q "fzportal: init: --account 'Acme': the slug may hold only" <<<"$msg"
check_fails "init without --db is refused" "$FZPORTAL" init --account acme
check_fails "init with an unknown option is refused" \
	"$FZPORTAL" init --account acme --db "$tmp/x.db" --frob
check "a 63-character slug is accepted" \
	"$FZPORTAL" init --account "$(printf 'a%.0s' {1..63})" --db "$tmp/long.db"

help=$("$FZPORTAL" init --help)
check "init --help exits 0" test $? -eq 0
check "init --help has the synopsis and options" \
	bash -c 'grep -q "fzportal init --account SLUG --db PATH" <<<"$1" &&
		grep -q -- "--admin NAME" <<<"$1"' _ "$help"
check "fzportal help init is the same" \
	test "$("$FZPORTAL" help init)" = "$help"
check "migrate --help exits 0" "$FZPORTAL" migrate --help

out=$("$FZPORTAL" migrate --db "$db")
check "migrate on the latest schema has nothing to do" \
	grep -q "schema version 3, the latest; nothing to do" <<<"$out"
check_fails "migrate on a missing database is refused" \
	"$FZPORTAL" migrate --db "$tmp/none.db"
check "and creates nothing" test ! -e "$tmp/none.db"

# An older database: version 3 taken back to 1 (SQLite >= 3.35 drops
# columns), as a version 1 fzportal left it, with its account.
old=$tmp/old.db
cp "$db" "$old"
sqlite3 "$old" "DROP TABLE providers; DROP INDEX identities_provider;
	DROP INDEX actors_email; ALTER TABLE accounts DROP COLUMN self_signup;
	DROP INDEX clients_external_id; DROP INDEX changes_at;
	ALTER TABLE clients DROP COLUMN external_id;
	DELETE FROM schema_migrations WHERE version >= 2;
	PRAGMA user_version = 1;" >/dev/null
out=$("$FZPORTAL" migrate --db "$old")
check "migrate takes a version 1 database to 3" \
	grep -q "schema migrated from version 1 to 3" <<<"$out"
check "accounts.self_signup exists afterwards, off" \
	test "$(sqlite3 "$old" "SELECT self_signup FROM accounts")" = 0
check "the providers table exists afterwards" \
	sqlite3 "$old" "SELECT count(*) FROM providers"
check "its account is still there" \
	test "$(sqlite3 "$old" "SELECT slug FROM accounts")" = acme
check "clients.external_id exists afterwards" \
	test "$(sqlite3 "$old" "SELECT count(*) FROM pragma_table_info('clients')
		WHERE name = 'external_id'")" = 1
sqlite3 "$old" "INSERT INTO schema_migrations VALUES (4, 'future', 0)"
check_fails "a database newer than fzportal is refused" \
	"$FZPORTAL" migrate --db "$old"
msg=$("$FZPORTAL" migrate --db "$old" 2>&1)
check "the refusal names both versions" grep -q "version 4, newer than this fzportal knows (3)" <<<"$msg"
ktap_done
