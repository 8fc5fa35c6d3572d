# SPDX-License-Identifier: GPL-2.0
# Sourced by vm-guest-init.sh at boot, before any test: keeps the kernel's
# text from being patched while tests load the guest.
#
# Under QEMU's multi-threaded TCG, a static key patched while the other
# vCPU runs the patched code can leave that vCPU executing a stale int3:
# the guest dies with "Oops: int3" (so far in __netif_receive_skb_core
# and __alloc_skb). Real CPUs do not; the tests must not depend on luck.
# A static key is patched only when its count goes from 0 to 1 or back,
# so each key the tests switch is held on for the whole boot, and the
# one-time keys (DO_ONCE: hash secrets drawn on first use) are spent
# here, before any load. Which keys the tests switch was found by tracing
# a whole run (README, "Tests"); the watcher, started first, reports
# every patch, with its key, on the console: those made here at boot,
# and any that a test still makes.

# fz_keys_warn WHAT: says on the console what could not be held.
fz_keys_warn() {
	echo "vm-static-keys: $1; a text patch under load may crash this guest" >&2
}

# netstamp_needed_key: every ping switches timestamps on and off
# (SO_TIMESTAMP). udp_encap_needed_key, udpv6_encap_needed_key: every
# tunnel socket created or closed while no other exists. Python's socket
# module lacks SO_TIMESTAMP and UDP_ENCAP: 29 and 100 are their numbers
# on x86 (UDP_ENCAP_ESPINUDP is 2; these sockets are never bound, so
# nothing is ever decapsulated on them). Each is held on its own, so one
# refused leaves the others; the holder creates a file when it holds all.
fz_keys_hold_sockets() {
	/usr/bin/python3 -c 'import socket, sys, time
held, ok = [], True
for family, level, opt, val, what in (
		(socket.AF_INET, socket.SOL_SOCKET, 29, 1, "socket timestamps"),
		(socket.AF_INET, socket.IPPROTO_UDP, 100, 2, "UDP encapsulation"),
		(socket.AF_INET6, socket.IPPROTO_UDP, 100, 2, "UDPv6 encapsulation")):
	try:
		s = socket.socket(family, socket.SOCK_DGRAM)
		s.setsockopt(level, opt, val)
		held.append(s)
	except OSError as e:
		sys.stderr.write("vm-static-keys: cannot hold %s on: %s\n" % (what, e))
		ok = False
if ok:
	open("/run/fz-static-keys-held", "w").close()
time.sleep(1e9)' </dev/null >/dev/null &
	for _ in $(seq 100); do
		[ -e /run/fz-static-keys-held ] && return
		sleep 0.1
	done
	fz_keys_warn "socket keys not held on"
}

# nf_hooks_needed: the first hook of a kind in any namespace (conntrack,
# NAT, a base chain) switches it on and the last off, which the gateway
# tests do again and again. Empty base chains in the initial namespace,
# where no test traffic flows, keep every IPv4 and IPv6 one on.
fz_keys_hold_netfilter() {
	nft -f - <<'NFT' && return
table inet fz_vm_static_keys {
	chain prerouting { type filter hook prerouting priority 0; }
	chain input { type filter hook input priority 0; }
	chain forward { type filter hook forward priority 0; }
	chain output { type filter hook output priority 0; }
	chain postrouting { type filter hook postrouting priority 0; }
}
NFT
	fz_keys_warn "netfilter hooks not held on"
}

# memalloc_socks_key, read by every skb allocation: in-kernel WireGuard
# marks its UDP sockets SOCK_MEMALLOC, so each WireGuard link brought up
# or down while no other is up switches it (the interop and handshake
# tests, 16 patches a run). A WireGuard link that is up here, without
# peers (it sends nothing), holds its sockets open.
fz_keys_hold_memalloc() {
	# Opening it also turns off send_redirects in the initial namespace
	# ("all"), which new namespaces copy: put back.
	modprobe wireguard && ip link add fzvmkeys type wireguard &&
		ip link set fzvmkeys up &&
		sysctl -qw net.ipv4.conf.all.send_redirects=1 && return
	fz_keys_warn "memalloc_socks_key not held on"
}

# memcg_sockets_enabled_key and its kin: the first memory cgroup made
# (10-teardown charges peers to one) switches them. One more, empty and
# never removed, holds them.
fz_keys_hold_memcg() {
	{ grep -q cgroup2 /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup; } &&
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
		mkdir -p /sys/fs/cgroup/fz-vm-static-keys && return
	fz_keys_warn "memory cgroup keys not held on"
}

# The one-time keys: hash secrets of TCP and UDP over IPv4 and IPv6, of
# fragment ids, of conntrack and of NAT, each drawn by its first user.
# A namespace of its own, deleted afterwards, sends one of each through
# conntrack and NAT on its loopback.
fz_keys_spend_once() {
	local ns=fz-vm-warmup ok=1
	ip netns add $ns && ip -n $ns link set lo up || return
	ip netns exec $ns nft -f - <<'NFT' || ok=
table inet warm {
	chain pre { type nat hook prerouting priority -100; }
	chain out { type nat hook output priority -100; }
	chain in { type nat hook input priority 100; }
	chain post { type nat hook postrouting priority 100; }
	chain filter { type filter hook output priority 0; ct state new,established accept; }
}
NFT
	ip netns exec $ns /usr/bin/python3 -c '
import socket
for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
	srv = socket.socket(family)
	srv.bind((host, 0))
	srv.listen(1)
	c = socket.create_connection((host, srv.getsockname()[1]))
	a, _ = srv.accept()
	c.sendall(b"x")
	a.recv(1)
	for s in (c, a, srv):
		s.close()
	u = socket.socket(family, socket.SOCK_DGRAM)
	u.bind((host, 0))
	v = socket.socket(family, socket.SOCK_DGRAM)
	v.connect(u.getsockname())
	v.send(b"y")
	u.recv(16)
	v.close()
	u.close()' || ok=
	# Fragments: larger than loopback's MTU.
	ip -n $ns link set lo mtu 1500
	ip netns exec $ns /usr/bin/python3 -c '
import socket
for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
	u = socket.socket(family, socket.SOCK_DGRAM)
	u.bind((host, 0))
	v = socket.socket(family, socket.SOCK_DGRAM)
	v.connect(u.getsockname())
	v.send(b"z" * 4000)
	u.recv(65535)' || ok=
	ip netns del $ns
	[ -n "$ok" ] || fz_keys_warn "one-time keys not all drawn"
}

# Every patch of kernel text by a static key, reported on the console as
# it happens with the key it was for, so a test that switches a new one
# is seen before it costs a crash: kprobes on the key functions (their
# argument names the key) and on the x86 function that applies a patch.
# A patch with no key before it in its task is most often a module's own
# sites being set as it loads (code not yet running).
fz_keys_watch() {
	local t=/sys/kernel/tracing f
	mountpoint -q $t || mount -t tracefs nodev $t ||
		{ fz_keys_warn "no tracefs: patches not reported"; return; }
	# Some are inlined into others on some kernels: all are probed.
	for f in jump_label_update static_key_slow_inc \
		static_key_slow_inc_cpuslocked static_key_enable \
		static_key_enable_cpuslocked static_key_disable \
		static_key_disable_cpuslocked static_key_slow_dec \
		static_key_slow_dec_cpuslocked __static_key_slow_dec_cpuslocked; do
		echo "p:fz_key_$f $f key=%di:symbol" 2>/dev/null >>$t/kprobe_events
	done
	echo "p:fz_key_patch arch_jump_label_transform_apply" 2>/dev/null >>$t/kprobe_events ||
		{ fz_keys_warn "no kprobe on arch_jump_label_transform_apply: patches not reported"; return; }
	for f in "$t"/events/kprobes/fz_key_*/enable; do echo 1 >"$f"; done
	# bash, not awk: Debian's mawk reads a pipe 4 KiB at a time, so its
	# reports would wait for later events, and be lost in a crash.
	fz_keys_report <$t/trace_pipe >/dev/console 2>&1 &
}

# fz_keys_report: trace lines in, one console line per patch out. A
# task's last key names the patch it applies next.
fz_keys_report() {
	local line task
	local -A key=()
	while IFS= read -r line; do
		[[ $line =~ ^\ *([^ ]+)\ +\[ ]] || continue
		task=${BASH_REMATCH[1]}
		if [[ $line =~ \ key=([^ +]+) ]]; then
			key[$task]=${BASH_REMATCH[1]}
		elif [[ $line == *" fz_key_patch: "* ]]; then
			echo "vm-static-keys: kernel text patched for ${key[$task]:-a key not seen} by $task"
			unset "key[$task]"
		fi
	done
}

fz_keys_watch
fz_keys_hold_sockets
fz_keys_hold_netfilter
fz_keys_hold_memalloc
fz_keys_hold_memcg
fz_keys_spend_once
