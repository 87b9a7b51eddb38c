#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bochs-diff.sh MODEL WORK_DIR FLANK_DIFF_KO SEED COUNT [FIRST]
#
# One Bochs run of the differential campaign (docs/differential.md): boots
# Debian's 6.1 kernel with one CPU of MODEL and an initramfs that loads
# flank_diff.ko (tests/diff/kmod/) with seed=SEED count=COUNT first=FIRST;
# the module's "FD:" lines land in WORK_DIR/serial.log, which
# diff_replay reads. Models:
#   skx27      Bochs 2.7 (Debian's `bochs`) corei7_skylake_x
#   penryn27   Bochs 2.7 core2_penryn_t9600 (no preemption timer, EPT, VPID)
#   spr30      Bochs 3.0 (scripts/bochs3.sh) sapphire_rapids, configured
#              as the e2e cells spr-61 (no AMX, IA32_MISC_ENABLE with fast
#              strings, `no5lvl`)
# Exits 0 when the module printed its end line, 2 otherwise. Bochs is
# killed after $FLANK_DIFF_TIMEOUT seconds (default 3600).
set -eu
model=${1:?usage: bochs-diff.sh MODEL WORK_DIR FLANK_DIFF_KO SEED COUNT [FIRST]}
work=${2:?}
ko=${3:?}
seed=${4:?}
count=${5:?}
first=${6:-0}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout_s=${FLANK_DIFF_TIMEOUT:-3600}
# shellcheck disable=SC2012 # Debian kernel file names, sorted by version
kernel=${FLANK_DIFF_KERNEL:-$(ls /boot/vmlinuz-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n 1)}
cmdline="console=ttyS0 quiet panic=-1 oops=panic"
msrs=
case $model in
skx27)
	bochs=bochs
	cpu="model=corei7_skylake_x, count=1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1"
	;;
penryn27)
	bochs=bochs
	cpu="model=core2_penryn_t9600, count=1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1"
	;;
spr30)
	bochs=$("$root/scripts/bochs3.sh" | tail -n 1)
	cpu="model=sapphire_rapids, count=1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1, exclude_features=\"amx amx_int8 amx_bf16 amx_fp16 amx_complex\""
	msrs=$root/tests/e2e/msrs-fast-strings.def
	cmdline="$cmdline no5lvl"
	;;
*)
	echo "bochs-diff: unknown model '$model' (skx27, penryn27, spr30)" >&2
	exit 2
	;;
esac
for f in "$ko" "$kernel" /bin/busybox /usr/lib/ISOLINUX/isolinux.bin \
	/usr/lib/syslinux/modules/bios/ldlinux.c32; do
	[ -r "$f" ] || { echo "bochs-diff: missing $f" >&2; exit 2; }
done
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
r=$work/root
mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$work/iso/isolinux"
cp /bin/busybox "$r/bin/busybox"
cp "$ko" "$r/flank_diff.ko"
cp "$here/init.sh" "$r/init"
chmod 755 "$r/init" "$r/bin/busybox"
echo "seed=$seed count=$count first=$first" >"$r/params"
(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/iso/initrd.gz"
cp "$kernel" "$work/iso/vmlinuz"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
cat >"$work/iso/isolinux/isolinux.cfg" <<CFG
DEFAULT diff
PROMPT 0
TIMEOUT 0
LABEL diff
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND $cmdline
CFG
xorriso -as mkisofs -quiet -o "$work/diff.iso" -b isolinux/isolinux.bin \
	-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
	"$work/iso" 2>"$work/xorriso.log"
if "$bochs" --help </dev/null 2>&1 | grep -q '^ *-rc '; then
	display='magic_break: enabled=0
display_library: rfb, options="timeout=0"'
	roms=
	printf 'c\nquit\n' >"$work/bochs.rc"
	set -- -rc "$work/bochs.rc"
else
	display=
	roms="romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest"
	set --
fi
if [ -n "$msrs" ]; then
	cp "$msrs" "$work/msrs.def"
	cpu="$cpu, msrs=\"$work/msrs.def\""
fi
cat >"$work/bochsrc" <<RC
megs: 512
cpu: $cpu
$roms
pci: enabled=1, chipset=i440fx
ata0-master: type=cdrom, path=$work/diff.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$work/serial.log
clock: sync=none, time0=local
mouse: enabled=0
$display
log: $work/bochs.log
panic: action=fatal
error: action=ignore
debug: action=ignore
RC
printf 'bochs: %s\ncpu: %s\nkernel: %s\ncmdline: %s\nseed=%s count=%s first=%s\n' \
	"$(command -v "$bochs")" "$cpu" "$kernel" "$cmdline" "$seed" "$count" "$first" >"$work/cell"
: >"$work/serial.log"
start=$(date +%s)
(cd "$work" && timeout "$timeout_s" "$bochs" -q -f "$work/bochsrc" "$@" \
	</dev/null >"$work/bochs.out" 2>&1) || true
echo "$(($(date +%s) - start))" >"$work/seconds"
tr -d '\r' <"$work/serial.log" >"$work/serial.txt"
if grep -q "FD: end cases=$count err=0" "$work/serial.txt"; then
	echo "bochs-diff($model): $count cases in $(cat "$work/seconds") s"
	exit 0
fi
echo "bochs-diff($model): the module did not finish (see $work/serial.txt, $work/bochs.log)" >&2
tail -n 15 "$work/serial.txt" >&2
grep -E "PANIC|FATAL|triple" "$work/bochs.log" 2>/dev/null | tail -n 5 >&2 || true
exit 2
