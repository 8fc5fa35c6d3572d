#!/bin/bash
# The job of a vm.sh -S guest, run by systemd (fz-job.service, written by
# vm-initramfs-init) once basic.target is up: COMMAND from job.env, then
# the kernel log and the journal into the result share, then power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
. /tmp/out/job.env
cd "$FZ_REPO" || exit 1
status=0
# From here a crash may be ours: vm.sh never boots such a guest again.
: >/tmp/out/job-started
bash -c "$FZ_CMD" || status=$?
dmesg >/tmp/out/dmesg.log
journalctl -b --no-pager >/tmp/out/journal.log 2>&1
echo "$status" >/tmp/out/exit-status
sync
echo 1 >/proc/sys/kernel/sysrq
echo o >/proc/sysrq-trigger
sleep 30
