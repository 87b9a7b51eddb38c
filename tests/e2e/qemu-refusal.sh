#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-refusal.sh FLANK_KO FLANKCTL_STATIC VMM_ELF CHECK_ELF WORK_DIR
#
# Whole-system run on a CPU without VT-x: boots Debian's kernel in QEMU TCG
# with an initramfs of busybox-static, flank.ko, a static flankctl,
# vmm.elf and the vmcs_check module next to it (CHECK_ELF: `flankctl load
# /vmm.elf` loads it too, so the real driver links it and runs its init);
# tests/e2e/qemu-init.sh runs the scenario in the guest. Fails, with
# the guest's log, on any unexpected result, a kernel warning or oops, or a
# guest that does not finish within $FLANK_E2E_TIMEOUT seconds (default 180).
set -eu
ko=${1:?usage: qemu-refusal.sh FLANK_KO FLANKCTL_STATIC VMM_ELF CHECK_ELF WORK_DIR}
ctl=${2:?}
elf=${3:?}
check=${4:?}
work=${5:?}
here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${FLANK_E2E_TIMEOUT:-180}
kernel=${FLANK_E2E_KERNEL:-$(ls /boot/vmlinuz-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n 1)}
busybox=${FLANK_E2E_BUSYBOX:-/bin/busybox}

fail() {
	echo "e2e-qemu: FAIL: $*" >&2
	if [ -f "$work/serial.log" ]; then
		echo "----- guest log ($work/serial.log) -----" >&2
		cat "$work/serial.log" >&2
		echo "----- end of guest log -----" >&2
		echo "e2e-qemu: FAIL (repeated after the guest log): $*" >&2
	fi
	exit 1
}

for f in "$ko" "$ctl" "$elf" "$check" "$kernel" "$busybox"; do
	[ -r "$f" ] || fail "missing $f (packages: linux-image-amd64, busybox-static)"
done
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is not installed (package qemu-system-x86)"
file -L "$busybox" | grep -q "statically linked" || fail "$busybox is not static (package busybox-static)"

start=$(date +%s)
rm -rf "$work"
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev" "$work/root/tmp"
cp "$busybox" "$work/root/bin/busybox"
cp "$ctl" "$work/root/bin/flankctl"
cp "$ko" "$work/root/flank.ko"
cp "$elf" "$work/root/vmm.elf"
cp "$check" "$work/root/vmcs_check.elf"
cp "$here/qemu-init.sh" "$work/root/init"
chmod 755 "$work/root/init" "$work/root/bin/busybox" "$work/root/bin/flankctl"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

# -no-reboot + panic=-1: a panic ends QEMU at once instead of hanging.
set +e
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 512 \
	-kernel "$kernel" -initrd "$work/initramfs.gz" \
	-nographic -no-reboot -monitor none \
	-append "console=ttyS0 quiet panic=-1 oops=panic cryptomgr.notests" \
	>"$work/serial.log" 2>&1 </dev/null
qrc=$?
set -e
end=$(date +%s)
[ "$qrc" -eq 124 ] && fail "the guest did not finish within ${timeout_s}s"

log="$work/serial.log"
# Kernel lines look like "[    1.234567] FLANK-E2E: key=value".
val() {
	sed -n "s/^.*FLANK-E2E: $1=\(.*\)$/\1/p" "$log" | tr -d '\r' | tail -n 1
}
out() {
	sed -n "s/^.*FLANK-E2E: out\.$1: \(.*\)$/\1/p" "$log" | tr -d '\r'
}
expect() { # KEY VALUE
	got=$(val "$1")
	[ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"
}
expect_out() { # KEY TEXT
	out "$1" | grep -qF -- "$2" || fail "$1: output lacks '$2'"
}

grep -q "FLANK-E2E: end" "$log" || fail "the scenario did not reach its end"
if grep -nE "BUG:|Oops|WARNING:|Call Trace|general protection|Kernel panic" "$log" >&2; then
	fail "the kernel reported a problem"
fi
expect insmod 0
expect devmode 600
expect check 1
expect_out check "[FAIL] vmx-cpuid"
expect_out check "no Intel VT-x"
expect_out check "Flank can NOT be used on this machine"
expect load 0
expect_out load "loaded /vmm.elf: 2 modules"
expect_out load "with /vmcs_check.elf (found next to the image)"
expect check_loaded 1
expect_out check_loaded "VMM image checks:"
for cmd in check status stats dump; do
	out ${cmd}_json >"$work/$cmd.json"
done
expect check_json 1
expect status_json 0
expect stats_json 0
expect dump_json 0
python3 "$here/../unit/flankctl/check_json.py" --files "$here/../../docs/schema" \
	check="$work/check.json" status="$work/status.json" \
	stats="$work/stats.json" dump="$work/dump.json" ||
	fail "flankctl --json output of the real driver does not match docs/schema/"
grep -q '"usable": false' "$work/check.json" || fail "check --json: not 'usable: false'"
grep -q '"driver": "loaded"' "$work/status.json" || fail "status --json: not 'driver: loaded'"
expect start 1
expect_out start "flankctl: start: this machine cannot run Flank: CPUID.1:ECX.VMX[bit 5] is 0"
expect status 0
expect_out status "driver: loaded (not running)"
expect unload 0
expect rmmod 0
expect devnode_after gone
expect module_after 0
grep -q "flank: unloaded" "$log" || fail "no 'flank: unloaded' message from the module"

echo "e2e-qemu: PASS in $((end - start)) s (guest log: $log)"
echo "e2e-qemu: check said:"
out check | sed 's/^/    /'
echo "e2e-qemu: start said:"
out start | sed 's/^/    /'
