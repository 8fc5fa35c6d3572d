# SPDX-License-Identifier: GPL-2.0
# What the portal's integration tests share (sourced, after ktap.sh).

# portal_cert DIR: a self-signed P-256 certificate for 127.0.0.1 in
# DIR/cert.pem, its key in DIR/key.pem.
portal_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
		-keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}

# portal_serve DIR LOG [OPTION...]: `fzportal serve` on 127.0.0.1, a port
# of the kernel's choice, with DIR's certificate, its log in LOG. Sets
# PORTAL_PID and PORTAL_PORT; returns 1 (log shown) if it does not listen
# within 5 s. Run it in the test's own shell, not in $(...).
portal_serve() {
	local dir=$1 log=$2
	shift 2
	"$FZPORTAL" serve --listen 127.0.0.1:0 --cert "$dir/cert.pem" \
		--key "$dir/key.pem" "$@" 2>"$log" &
	PORTAL_PID=$!
	PORTAL_PORT=
	for _ in $(seq 50); do
		PORTAL_PORT=$(sed -n 's/.* listening .*port=\([0-9]*\).*/\1/p' "$log")
		[ -n "$PORTAL_PORT" ] && return 0
		kill -0 "$PORTAL_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/#   /' "$log"
	return 1
}
