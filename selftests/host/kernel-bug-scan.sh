#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The scanners see what they must: selftests/lib/kernel-bugs.sh's
# patterns (used by guest-run.sh on each test's dmesg, by run.sh and
# demo.sh on the guest's console) match the reports of every kernel
# debugging facility the VMs boot with, in the form the kernel prints
# them, and not the tests' own output.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/kernel-bugs.sh"

# The first three are what 6.12 printed for a real red-zone write and a
# write after free (a throwaway module under slub_debug=FZPU), and
# KFENCE's report of a read after free; the rest are the other forms.
bugs=(
	'[  127.059918] [kmalloc Redzone overwritten] 0xffff8c2d01ec416c-0xffff8c2d01ec416c @offset=364. First byte 0x42 instead of 0xcc'
	'[  144.184778] [Poison overwritten] 0xffff8c2d01ec4648-0xffff8c2d01ec4648 @offset=1608. First byte 0x42 instead of 0x6b'
	'[  160.168055] BUG: KFENCE: use-after-free read in slubtest_init+0xaf/0xff0 [slubtest]'
	'[  127.062639] BUG kmalloc-64 (Tainted: G           OE     ): Object corrupt'
	'[   12.345678] BUG kmalloc-64 (Tainted: G    B      O       ): Poison overwritten'
	'[   12.345678] BUG kmalloc-64 (Not tainted): Right Redzone overwritten'
	'[   12.345678] BUG kmalloc-96 (Tainted: G           O       ): Redzone overwritten'
	'[   12.345678] BUG skbuff_head_cache (Tainted: G O): Object padding overwritten'
	'[   12.345678] BUG fz_peer (Tainted: G O): Freepointer corrupt'
	'[   12.345678] BUG kmalloc-128 (Tainted: G O): Object already free'
	'[   12.345678] BUG: KFENCE: use-after-free read in fz_peer_put+0x1c/0x40 [fz]'
	'[   12.345678] BUG: KFENCE: out-of-bounds write in fz_send+0x3a/0x80 [fz]'
	'[   12.345678] BUG: KASAN: slab-use-after-free in fz_packet_send_staged+0x1c/0x40 [fz]'
	'[   12.345678] pagealloc: memory corruption'
	'[   12.345678] pagealloc: single bit error'
	'[   12.345678] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
	'[   12.345678] WARNING: CPU: 1 PID: 234 at net/core/dev.c:11000 netdev_run_todo+0x3f/0x4e0'
	'[   12.345678] Oops: general protection fault, probably for non-canonical address 0xdead000000000100'
	'[   12.345678] refcount_t: underflow; use-after-free.'
	'[   12.345678] UBSAN: array-index-out-of-bounds in kmod/peer.c:42:3'
	'[   12.345678] BUG: unable to handle page fault for address: ffffc90000123000'
	'[   12.345678] Kernel panic - not syncing: Fatal exception in interrupt'
)
clean=(
	'ok - 05-datapath: kernel log clean'
	'# kernel 6.12.117+deb12-amd64'
	'ok 3 03-netlink # 41s'
	'vm-static-keys: kernel text patched for memalloc_socks_key by ip-2498'
	'[    0.000000] Kernel command line: console=ttyS0 quiet panic=-1 oops=panic fz_vm=1 slub_debug=FZPU page_poison=1 kfence.sample_interval=100'
	'[    0.123456] kfence: initialized - using 2097152 bytes for 255 objects at 0x(____ptrval____)-0x(____ptrval____)'
	'[    0.123456] SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1'
)
# scan NAME WANT LINE...: every LINE matches (WANT=1) or not (WANT=0).
scan() {
	local re=$1 want=$2 line wrong=()
	shift 2
	for line in "$@"; do
		if grep -Eq -- "${!re}" <<<"$line"; then
			[ "$want" = 1 ] || wrong+=("$line")
		else
			[ "$want" = 0 ] || wrong+=("$line")
		fi
	done
	if [ ${#wrong[@]} -eq 0 ]; then
		pass "$re $([ "$want" = 1 ] && echo catches || echo passes) all $# sample lines"
	else
		fail "$re $([ "$want" = 1 ] && echo misses || echo flags) ${#wrong[@]} of $# sample lines"
		printf '#   %s\n' "${wrong[@]}"
	fi
}
scan KBUG_DMESG 1 "${bugs[@]}"
scan KBUG_CONSOLE 1 "${bugs[@]}"
scan KBUG_CONSOLE 0 "${clean[@]}"
# dmesg holds only the kernel's lines: the boot ones must pass.
scan KBUG_DMESG 0 "${clean[@]:4}"
ktap_done
