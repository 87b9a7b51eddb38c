#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the QEMU TCG run (a CPU without VT-x): load flank.ko, check that
# Flank explains why it cannot run, that start refuses, and that unloading
# leaves nothing behind. Results go to /dev/kmsg (synchronous, in order) as
# "FLANK-E2E: key=value" lines that tests/e2e/qemu-refusal.sh parses.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 8 >/proc/sys/kernel/printk

r() { echo "FLANK-E2E: $*" >/dev/kmsg; }
# Runs a command, sends each output line to the log, records its status.
run() {
	key=$1
	shift
	"$@" >/tmp/out 2>&1
	rc=$?
	while IFS= read -r line; do r "out.$key: $line"; done </tmp/out
	r "$key=$rc"
}

r "begin cpus=$(grep -c ^processor /proc/cpuinfo)"
run insmod insmod /flank.ko
r "devmode=$(stat -c %a /dev/flank 2>/dev/null || echo none)"
run check flankctl check
run load flankctl load /vmm.elf
run check_loaded flankctl check
# --json from the real driver (validated on the host against docs/schema/).
run check_json flankctl check --json
run status_json flankctl status --json
run stats_json flankctl stats --json
run dump_json flankctl dump --json
run start flankctl start
run status flankctl status
run unload flankctl unload
run rmmod rmmod flank
r "devnode_after=$([ -e /dev/flank ] && echo present || echo gone)"
r "module_after=$(grep -c '^flank ' /proc/modules)"
r "end"
poweroff -f
