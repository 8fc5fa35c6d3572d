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

# Static keys held on, one-time keys spent, patches reported (after the
# overlay: a debug kernel's modules are found only through it).
. "$FZ_REPO/selftests/lib/vm-static-keys.sh"

cd "$FZ_REPO" || exit 1
status=0
# From here a crash may be ours: vm.sh never boots such a guest again.
: >/tmp/out/job-started
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
