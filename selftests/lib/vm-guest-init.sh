#!/bin/bash
# PID 1 in the guest after switch_root: a minimal system on the host's
# read-only root, the fresh fz.ko made visible to modprobe, then the job.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
. /tmp/out/job.env

# /tmp, /var/tmp, /run and /root are tmpfs already (vm-initramfs-init),
# with the repository's own share mounted over them where it lives.
mkdir -p /dev/pts /dev/shm /run/netns
mount -t devpts devpts /dev/pts
# devtmpfs has no /dev/fd: bash's <(...) and tools opening /dev/stdin need it.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up
# Under QEMU's multi-threaded TCG, a static key patched while the other
# vCPU runs the patched code can leave it executing a stale int3: the
# guest dies with "Oops: int3" in __netif_receive_skb_core. The key that
# flips there is netstamp_needed_key, switched on and off by every ping
# (SO_TIMESTAMP). One socket holding timestamps on for the whole boot
# keeps it on, so ping never patches kernel text under load. Two more
# sockets with UDP encapsulation on do the same for udp_encap_needed_key
# and udpv6_encap_needed_key, which every tunnel socket created or
# closed while no other exists would flip in the UDP receive path.
# Python's socket module lacks SO_TIMESTAMP and UDP_ENCAP: 29 and 100
# are their numbers on x86 (UDP_ENCAP_ESPINUDP is 2; these sockets are
# never bound, so nothing is ever decapsulated on them). Each is held on
# its own, so one refused leaves the others; the holder says what it
# could not hold on the console, and that it holds all by creating a file.
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
		sys.stderr.write("vm-guest-init: cannot hold %s on: %s\n" % (what, e))
		ok = False
if ok:
	open("/run/fz-static-keys-held", "w").close()
time.sleep(1e9)' </dev/null >/dev/null &
for _ in $(seq 100); do
	[ -e /run/fz-static-keys-held ] && break
	sleep 0.1
done
[ -e /run/fz-static-keys-held ] ||
	echo "vm-guest-init: static keys not held on; a text patch under load may crash this guest" >&2
# Netfilter's hooks are static keys too (nf_hooks_needed), switched on by
# the first hook of a kind in any namespace (conntrack, NAT, a base chain)
# and off with the last, which the gateway tests do again and again.
# Empty base chains in the initial namespace, where no test traffic
# flows, keep every IPv4 and IPv6 one on for the whole boot.
nft -f - <<'NFT' ||
table inet fz_vm_static_keys {
	chain prerouting { type filter hook prerouting priority 0; }
	chain input { type filter hook input priority 0; }
	chain forward { type filter hook forward priority 0; }
	chain output { type filter hook output priority 0; }
	chain postrouting { type filter hook postrouting priority 0; }
}
NFT
	echo "vm-guest-init: netfilter hooks not held on; a text patch under load may crash this guest" >&2
hostname fz-vm 2>/dev/null

# /lib/modules is read-only: overlay a tmpfs so the fresh fz.ko can be
# installed where modprobe and the kernel's autoloader look for it. A
# kernel that is not installed (vm.sh -K) brings its modules from
# FZ_MODBASE, layered above the host's.
grep -qw overlay /proc/filesystems || modprobe overlay
mkdir -p /tmp/modules/{upper,work}
lower=/lib/modules
[ -n "${FZ_MODBASE:-}" ] && lower=$FZ_MODBASE/lib/modules:/lib/modules
mount -t overlay overlay \
	-o lowerdir="$lower",upperdir=/tmp/modules/upper,workdir=/tmp/modules/work \
	/lib/modules
find "/lib/modules/$FZ_KVER" -name 'fz.ko*' -delete
mkdir -p "/lib/modules/$FZ_KVER/updates/fz-selftest"
cp "$FZ_KO" "/lib/modules/$FZ_KVER/updates/fz-selftest/fz.ko"
cp /tmp/out/modindex/modules.* "/lib/modules/$FZ_KVER/"

cd "$FZ_REPO" || exit 1
status=0
bash -c "$FZ_CMD" || status=$?
dmesg >/tmp/out/dmesg.log
echo "$status" >/tmp/out/exit-status
# One block, read whole before it runs: the poweroff takes the 9p shares
# away (this script's and /usr/bin's), and PID 1 reading or running a file
# then fails and exits, which panics the guest. Builtins only, after it.
{
	sync
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
	while :; do read -r -t 1 _ </dev/console 2>/dev/null || :; done
}
