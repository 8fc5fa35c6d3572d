#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh: boot a Debian kernel under QEMU/TCG with the host's root filesystem
# shared read-only over 9p, load a freshly built fz.ko inside it, run one
# command there, and bring its output back through a writable share.
#
#   vm.sh [-t SECONDS] [-m MiB] [-c CPUS] [-A] [-K DIR] [-S] KVER FZ_KO OUTDIR COMMAND...
#
# COMMAND runs as root in the guest (bash -c), with the repository shared
# at the same path as on the host (its own read-only share, so a clone
# under /tmp works too) and OUTDIR mounted writable at /tmp/out. The
# guest's console goes to OUTDIR/console.log; its kernel log to
# OUTDIR/dmesg.log; the command's exit status to OUTDIR/exit-status.
# The guest never gets a network card (-nic none): test traffic stays in
# network namespaces the tests create inside it.
#
# -K DIR boots a kernel that is not installed: DIR/vmlinuz, with its
# modules under DIR/root/lib/modules/KVER and its config in
# DIR/linux-source-6.12/.config (what selftests/debug/build-kernel.sh
# makes). Otherwise KVER is an installed kernel (/boot, /lib/modules).
#
# -A boots an installed kernel with the allocator debugging it carries
# (slub_debug=FZPU page_poison=1, KFENCE sampling when built in), as the
# tests and the demo do (not the benchmarks); FZ_ALLOC_DEBUG, when set,
# replaces those boot options ("" for none).
#
# -S boots systemd as PID 1 on a writable root (a tmpfs overlaid on the
# host's), as a Debian host boots, to a target of basic.target plus the
# job; COMMAND then runs as a systemd service and may install packages
# and start units. FZ_KO is not used: give "-" (the package test's
# module is built by DKMS in the guest).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# FZ_VM_CPUS: the vCPUs when -c is not given (make check's lanes).
timeout_s=900 mem=2048 cpus=${FZ_VM_CPUS:-2}

usage() {
	sed -n '3,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

kdir= want_alloc_debug= boot=
while getopts "t:m:c:AK:Sh" opt; do
	case $opt in
	A) want_alloc_debug=1 ;;
	S) boot=" fz_systemd=1 systemd.unit=fz-job.target systemd.show_status=0" ;;
	K) kdir=$(cd "$OPTARG" && pwd) ;;
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 4 ] || usage
kver=$1 ko=$2 outdir=$3
shift 3
cmd="$*"

die() { echo "vm.sh: $*" >&2; exit 1; }
if [ -n "$kdir" ]; then
	image=$kdir/vmlinuz config=$kdir/linux-source-6.12/.config
	modbase=$kdir/root cache=$kdir/vm
else
	image=/boot/vmlinuz-$kver config=/boot/config-$kver
	modbase= cache=$repo/build/vm
fi
moddir=$modbase/lib/modules/$kver
[ -e "$image" ] || die "no kernel image $image"
[ -d "$moddir" ] || die "no modules directory $moddir"
[ -f "$config" ] || die "no kernel config $config"
[ -n "$boot" ] || [ -f "$ko" ] || die "no module $ko"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"

# The initramfs only has to reach the 9p root: busybox plus the virtio/9p
# modules, in dependency order, decompressed for busybox's insmod.
make_initramfs() {
	local out=$1 dir mod path n=0
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,dev,proc,sys,mnt,modules}
	cp /bin/busybox "$dir/bin/busybox"
	for mod in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe --show-depends ${modbase:+-d "$modbase"} -S "$kver" "$mod"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
		while read -r path; do
			n=$((n + 1))
			case $path in
			*.xz) xz -dc "$path" >"$dir/modules/$(printf %02d $n).ko" ;;
			*.zst) zstd -qdc "$path" >"$dir/modules/$(printf %02d $n).ko" ;;
			*) cp "$path" "$dir/modules/$(printf %02d $n).ko" ;;
			esac
		done
	cp "$here/vm-initramfs-init" "$dir/init"
	chmod 755 "$dir/init"
	(cd "$dir" && find . | cpio --quiet -o -H newc | gzip -1) >"$out"
	rm -rf "$dir"
}

mkdir -p "$cache" "$outdir"
# Two guests of one kernel may start side by side (make check-debug's two
# lanes): the initramfs and the module index they share are made by one
# at a time. The lock goes once this guest's copies are in its outdir.
exec {cache_lock}>"$cache/setup-$kver.lock"
flock "$cache_lock"
initrd="$cache/initramfs-$kver.cpio.gz"
if [ ! -s "$initrd" ] || [ "$here/vm-initramfs-init" -nt "$initrd" ] ||
	[ "${BASH_SOURCE[0]}" -nt "$initrd" ] ||
	[ "$image" -nt "$initrd" ]; then
	make_initramfs "$initrd"
fi

# depmod over every module takes a minute under TCG but seconds here: index
# a tree of symlinks to the kernel's modules plus the fresh fz.ko, and let
# the guest drop the resulting modules.* files into its overlay.
make_module_index() {
	local root="$cache/modroot-$kver" idx
	idx="$root/lib/modules/$kver"
	if [ ! -f "$idx/.complete" ] || [ "$image" -nt "$idx/.complete" ]; then
		rm -rf "$root"
		mkdir -p "$root/lib/modules"
		cp -as "$moddir" "$root/lib/modules/"
		touch "$idx/.complete"
	fi
	find "$idx" -name 'fz.ko*' -delete
	rm -f "$idx"/modules.*
	cp "$moddir"/modules.{order,builtin,builtin.modinfo} "$idx/"
	mkdir -p "$idx/updates/fz-selftest"
	cp "$ko" "$idx/updates/fz-selftest/fz.ko"
	depmod -b "$root" "$kver"
	rm -rf "$outdir/modindex"
	mkdir -p "$outdir/modindex"
	cp "$idx"/modules.* "$outdir/modindex/"
}

outdir=$(cd "$outdir" && pwd)
case $repo in
/tmp/out | /tmp/out/*) die "the repository cannot live under /tmp/out (the guest's result share)" ;;
esac
rm -f "$outdir"/{console.log,console-boot1.log,dmesg.log,exit-status,job-started}
if [ -z "$boot" ]; then
	make_module_index
	# The guest's /tmp is its own tmpfs: hand the module over in the share.
	cp "$ko" "$outdir/fz.ko"
fi
flock -u "$cache_lock"
exec {cache_lock}>&-
cat >"$outdir/job.env" <<JOB
FZ_REPO=$(printf %q "$repo")
FZ_KVER=$(printf %q "$kver")
FZ_KO=/tmp/out/fz.ko
FZ_CMD=$(printf %q "$cmd")
FZ_MODBASE=$(printf %q "$modbase")
JOB

# Allocator debugging the kernel already carries, switched on: SLUB's
# consistency checks, red zones and poisoning, page poisoning, and KFENCE
# sampling every 100 ms. Not owner tracking (U): a stack trace saved at
# every allocation and free is the dearest part under TCG, and CI has 90
# minutes; FZ_ALLOC_DEBUG="slub_debug=FZPU ..." turns it on. A corruption they find is
# logged ("BUG kmalloc-64 ...: Poison overwritten", "BUG: KFENCE: ...")
# and fails the test (selftests/lib/kernel-bugs.sh). The -K kernels have
# KASAN, which finds the same and more, so they get none of this.
alloc_debug=
if [ -n "$want_alloc_debug" ] && [ -z "$kdir" ]; then
	grep -q '^CONFIG_SLUB_DEBUG=y' "$config" && alloc_debug+=" slub_debug=FZP"
	grep -q '^CONFIG_PAGE_POISONING=y' "$config" && alloc_debug+=" page_poison=1"
	grep -q '^CONFIG_KFENCE=y' "$config" && alloc_debug+=" kfence.sample_interval=100"
fi
alloc_debug=${FZ_ALLOC_DEBUG-$alloc_debug}
# QEMU splits -fsdev options at commas; a comma in a path is doubled.
qpath() { printf '%s' "${1//,/,,}"; }

# TCG: KVM hangs on these machines (shared/notes/vm-testing.md).
boot_guest() {
	timeout --foreground "$timeout_s" qemu-system-x86_64 \
		-accel tcg -m "$mem" -smp "$cpus" -nographic -no-reboot -nic none \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 oops=panic fz_vm=1$alloc_debug$boot" \
		-fsdev local,id=host,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=host,mount_tag=host \
		-fsdev local,id=repo,path="$(qpath "$repo")",security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=repo,mount_tag=repo \
		-fsdev local,id=out,path="$(qpath "$outdir")",security_model=none \
		-device virtio-9p-pci,fsdev=out,mount_tag=out \
		</dev/null >"$outdir/console.log" 2>&1
}
# A guest whose kernel died before its job began is booted once more:
# under QEMU's multi-threaded TCG, Debian's kernel can die of its own
# boot-time text patching ("Oops: int3" in sched_clock_cpu, with two
# vCPUs), before the job began and so before fz.ko was loaded. The
# first console is kept and the retry is said on stderr. A guest that
# died once its job had begun, or with fz.ko loaded (a systemd guest
# whose host has the fzagent package loads it at boot), is never booted
# again: that could hide a bug of ours.
status=0
boot_guest || status=$?
if [ $status -ne 124 ] && [ ! -e "$outdir/job-started" ] &&
	grep -Eq 'Oops|Kernel panic' "$outdir/console.log" &&
	! grep -Eq 'Modules linked in:.*\<fz\>' "$outdir/console.log"; then
	mv "$outdir/console.log" "$outdir/console-boot1.log"
	first=$(grep -Em1 'Oops|Kernel panic' "$outdir/console-boot1.log" | tr -d '\r')
	echo "vm.sh: guest ($kver) died before its job began: $first;" \
		"booting it again (first console: $outdir/console-boot1.log)" >&2
	status=0
	boot_guest || status=$?
fi
if [ $status -eq 124 ]; then
	echo "vm.sh: guest did not finish within ${timeout_s}s" >>"$outdir/console.log"
	die "guest ($kver) timed out after ${timeout_s}s; see $outdir/console.log"
fi
[ -s "$outdir/exit-status" ] || die "guest ($kver) ended without a result; see $outdir/console.log"
exit "$(cat "$outdir/exit-status")"
