# SPDX-License-Identifier: GPL-2.0
# What a kernel bug looks like in the log, for every scanner of the
# project (guest-run.sh after each test, run.sh and demo.sh on the
# console and the guest's dmesg). Sourced; defines two extended regexes.
#
# KBUG_DMESG is for the kernel log alone (dmesg), so it can be broad: any
# BUG, WARNING, Oops, refcount or leak report, a stack trace, SLUB's
# reports (they read "BUG kmalloc-64 (Tainted: ...): Poison overwritten",
# "... Redzone overwritten", "Object padding overwritten", "Freepointer
# corrupt", "Object already free"), page poisoning's, KFENCE's and the
# sanitizers'.
KBUG_DMESG='BUG|WARNING|Oops|refcount|leak|Call Trace|general protection|KFENCE|KASAN|UBSAN|overwritten|Freepointer corrupt|Object already free|pagealloc: |Kernel panic'
# KBUG_CONSOLE is for the serial console, which carries the tests' own
# output too: only what the kernel prints there.
KBUG_CONSOLE='BUG:|BUG [^ ]+ \(|WARNING:|Oops|refcount_t|Kernel panic|Call Trace|general protection|KFENCE:|KASAN:|UBSAN:|Poison overwritten|Redzone overwritten|padding overwritten|Freepointer corrupt|Object already free|pagealloc: (memory corruption|single bit error)|suspected memory leak'

# console_until_poweroff FILE: a guest's console up to its "sysrq: Power
# Off" line. After it the 9p shares are gone: PID 1 (bash, from the share)
# may fault (SIGBUS) or fail to read its script and exit, which panics the
# guest on its way down. That is the VM's end, not fz's: not scanned.
console_until_poweroff() {
	sed '/sysrq: Power Off/q' "$1" 2>/dev/null
}
