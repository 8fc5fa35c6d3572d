#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real MTA for the tests: Debian's exim4 (exim4-daemon-light), run as a
# daemon of the test's own, with a configuration file, spool, logs and
# mailbox all under DIR, listening on 127.0.0.1 at a free port only. It
# accepts mail for any recipient (no relay check: nothing but loopback can
# reach it) but refused@ANYWHERE (550 at RCPT, for tests of refusals), and
# appends every message to one mbox file, DIR/mail/mailbox, with an
# Envelope-to: header naming the recipient.
#
#   mta.sh start DIR [tls]   starts it, prints the port. With tls, it
#                            offers STARTTLS with a fresh self-signed
#                            certificate for 127.0.0.1 and localhost,
#                            DIR/tls/cert.pem (the CA file for clients).
#   mta.sh stop DIR          stops it (only the daemon it started).
#   mta.sh wait-mail DIR RCPT TIMEOUT [MIN]
#                            waits up to TIMEOUT seconds until MIN (1)
#                            messages for RCPT are there, then prints the
#                            newest one. Exits 1 on timeout.
#   mta.sh count DIR RCPT    prints how many messages RCPT has.
#
# Why exim: it is Debian's default MTA and, unlike OpenSMTPD (whose queue
# is /var/spool/smtpd and which needs its users and privilege separation
# set up system-wide), runs entirely from a configuration file given on
# its command line (-C), with spool, logs and pid under a directory of
# our choosing, on a port given with -oX. The system's exim4 service is
# not used and need not run: with -C exim drops root and runs as its own
# user (Debian-exim), so mta.sh hands DIR's working directories to that
# user and makes DIR itself traversable (o+x, not readable); DIR's parents
# must be traversable already (mktemp -d makes 0700: chmod 711 it).
set -euo pipefail
PY=/usr/bin/python3
EXIM=${EXIM:-/usr/sbin/exim4}
EXIM_USER=Debian-exim

die() { echo "mta.sh: $*" >&2; exit 1; }

free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_conf() {
	local dir=$1 tls=$2
	{
		echo "# mta.sh: a test MTA, everything under $dir"
		echo "primary_hostname = mta.fz.test"
		echo "spool_directory = $dir/spool"
		echo "log_file_path = $dir/log/%slog"
		echo "pid_file_path = $dir/exim.pid"
		echo "local_interfaces = <; 127.0.0.1"
		# No DNS, no ident, nothing from the environment.
		echo "host_lookup ="
		echo "rfc1413_hosts ="
		echo "keep_environment ="
		echo "acl_smtp_rcpt = acl_rcpt"
		if [ "$tls" = tls ]; then
			echo "tls_advertise_hosts = *"
			echo "tls_certificate = $dir/tls/cert.pem"
			echo "tls_privatekey = $dir/tls/key.pem"
		else
			echo "tls_advertise_hosts ="
		fi
		cat <<'CONF'
begin acl
acl_rcpt:
  deny local_parts = refused
       message = refused for the test
  accept
begin routers
everyone:
  driver = accept
  transport = mailbox
begin transports
mailbox:
  driver = appendfile
CONF
		echo "  file = $dir/mail/mailbox"
		cat <<'CONF'
  envelope_to_add
  return_path_add
  delivery_date_add
  mode = 0644
begin retry
*  *  F,1m,5s
CONF
	} >"$dir/exim.conf"
}

make_cert() {
	local dir=$1
	mkdir -p "$dir/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" -days 2 \
		-subj /CN=localhost \
		-addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null ||
		die "openssl could not make a certificate"
}

# The directories exim writes, owned by the user it will run as.
prepare_dirs() {
	local dir=$1
	mkdir -p "$dir/spool" "$dir/log" "$dir/mail"
	[ "$(id -u)" -eq 0 ] || return 0
	chown "$EXIM_USER:" "$dir/spool" "$dir/log" "$dir/mail"
	[ -d "$dir/tls" ] && chown "$EXIM_USER:" "$dir/tls/key.pem"
	chmod o+x "$dir"
	runuser -u "$EXIM_USER" -- test -w "$dir/mail" ||
		die "$EXIM_USER cannot reach $dir/mail (a parent directory not searchable?)"
}

start() {
	local dir=$1 tls=${2:-} port pid i try
	[ -x "$EXIM" ] || die "no $EXIM: install exim4-daemon-light (.ci/install-deps.sh)"
	[ -f "$dir/mta.pid" ] && kill -0 "$(cat "$dir/mta.pid")" 2>/dev/null &&
		die "an MTA of $dir runs already (pid $(cat "$dir/mta.pid"))"
	if ss -Hltn 'sport = :25' 2>/dev/null | grep -q .; then
		echo "mta.sh: note: something listens on port 25 (the system's exim4 service?); the tests do not use it" >&2
	fi
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ "$tls" = tls ] && make_cert "$dir"
	write_conf "$dir" "$tls"
	prepare_dirs "$dir"
	# A free port can be taken between the probe and exim's bind: try again.
	for try in 1 2 3 4 5; do
		port=$(free_port)
		"$EXIM" -C "$dir/exim.conf" -bdf -oX "$port" \
			</dev/null >>"$dir/log/stderr" 2>&1 &
		pid=$!
		for i in $(seq 50); do
			listening "$port" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if listening "$port" && kill -0 "$pid" 2>/dev/null; then
			echo "$pid" >"$dir/mta.pid"
			echo "$port" >"$dir/port"
			echo "$port"
			return 0
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	tail -5 "$dir/log/stderr" "$dir/log/mainlog" "$dir/log/paniclog" >&2 2>/dev/null || true
	die "exim did not start (see $dir/log)"
}

# Whether pid is gone; a zombie nobody reaped (its parent, mta.sh start,
# has exited, and in a container PID 1 may not reap) counts as gone.
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]
}

stop() {
	local dir=$1 pid i
	[ -f "$dir/mta.pid" ] || return 0
	pid=$(cat "$dir/mta.pid")
	kill "$pid" 2>/dev/null || true
	for i in $(seq 50); do
		gone "$pid" && break
		sleep 0.1
	done
	gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$dir/mta.pid"
}

# mailbox.py DIR RCPT MIN: prints the newest message of RCPT if it has MIN
# at least (exit 0), else exits 3; with MIN 0 prints the count. Reads
# under the mailbox's locks (exim's are fcntl and a .lock file, as
# Python's), so a message being written is never half read.
read_mail() {
	"$PY" - "$@" <<'PY'
import mailbox, os, sys
d, rcpt, least = sys.argv[1], sys.argv[2].lower(), int(sys.argv[3])
path = os.path.join(d, "mail", "mailbox")
if not os.path.exists(path):
    if least == 0:
        print(0)
    sys.exit(3 if least else 0)
box = mailbox.mbox(path, create=False)
try:
    box.lock()
except mailbox.ExternalClashError:
    sys.exit(3)
try:
    mine = [k for k in box.iterkeys()
            if any(a.strip().lower() == rcpt for a in
                   str(box.get_message(k).get("Envelope-to", "")).split(","))]
    if least == 0:
        print(len(mine))
        sys.exit(0)
    if len(mine) < least:
        sys.exit(3)
    sys.stdout.buffer.write(box.get_bytes(mine[-1]))
finally:
    box.unlock()
PY
}

wait_mail() {
	local dir=$1 rcpt=$2 timeout=$3 least=${4:-1} deadline status
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	while :; do
		status=0
		read_mail "$dir" "$rcpt" "$least" || status=$?
		[ $status -ne 3 ] && return $status
		[ "$(date +%s%N)" -ge $deadline ] && break
		sleep 0.1
	done
	echo "mta.sh: no mail for $rcpt in ${timeout}s" >&2
	return 1
}

[ $# -ge 2 ] || die "usage: mta.sh start DIR [tls] | stop DIR | wait-mail DIR RCPT TIMEOUT [MIN] | count DIR RCPT"
case $1 in
start) start "$2" "${3:-}" ;;
stop) stop "$2" ;;
wait-mail)
	[ $# -ge 4 ] || die "usage: mta.sh wait-mail DIR RCPT TIMEOUT [MIN]"
	wait_mail "$2" "$3" "$4" "${5:-1}"
	;;
count)
	[ $# -ge 3 ] || die "usage: mta.sh count DIR RCPT"
	read_mail "$2" "$3" 0
	;;
*) die "unknown command $1" ;;
esac
