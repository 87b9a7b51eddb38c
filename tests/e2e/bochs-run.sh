#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bochs-run.sh SCENARIO WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE [STRESS]
#
# Boots Debian's kernel under Bochs (Intel VT-x in software, 2 CPUs,
# corei7_skylake_x) from an ISOLINUX ISO whose initramfs holds busybox-static,
# flank.ko, msr.ko, a static flankctl, vmm.elf, the example module, the
# kernel text guard module (textguard.elf, found next to EXAMPLE_ELF's
# directory: ../textguard/textguard.elf, or $FLANK_E2E_TEXTGUARD), the
# vmcs_check module (CHECK_ELF, next to vmm.elf as installed, so that
# `flankctl load /vmm.elf` loads it too) and flank-probe; tests/e2e/bochs-init.sh runs SCENARIO (main or broken) in the
# guest and writes "FLANK-E2E:" lines to the serial log (WORK_DIR/serial.log).
# STRESS (the stress scenario only): the flank-stress program; the guest
# also gets tests/e2e/guest/stress.sh and $FLANK_E2E_STRESS_ROUNDS (default
# 50) start/stop rounds.
#
# Never hangs: Bochs is killed after $FLANK_E2E_BOCHS_TIMEOUT seconds (default
# 1800), at once on a kernel panic or a Bochs panic (triple fault), and a few
# seconds after the scenario's end line if poweroff did not end it. The
# verdict is left to bochs-check.sh; this script exits 0 when the guest
# reached its end line, 2 when it did not (the reason on stderr).
#
# $FLANK_E2E_LIVE names a command that receives every serial line as it
# arrives on stdin (make demo's transcript); by default the FLANK-E2E result
# lines are echoed with an "e2e-bochs:" prefix.
#
# The "cell" (emulator, CPU, kernel, command line) comes from the
# environment; what is unset keeps the default below. bochs-run.sh writes
# the cell to WORK_DIR/cell.
#   FLANK_E2E_BOCHS       the Bochs binary (default: `bochs` on PATH, Debian
#                         12's 2.7), e.g. the Bochs 3.0 that
#                         scripts/bochs3.sh builds and prints.
#   FLANK_E2E_BOCHS_NOGUI 1: a Bochs built without GUI and debugger, as
#                         scripts/bochs3.sh builds it: no `-rc FILE`, no
#                         `magic_break`, no `display_library: rfb`, and
#                         Debian 12's ROMs named (romimage, vgaromimage from
#                         /usr/share/bochs, packages bochsbios and vgabios:
#                         that build's own share/ has none). 0: a Bochs like
#                         Debian's (debugger prompt, rfb). Unset: 1 when the
#                         binary's --help lacks the debugger's `-rc` option,
#                         0 when it lists it.
#   FLANK_E2E_CPU         the value of the `cpu:` line (default: model=
#                         corei7_skylake_x, count=2, ips=50000000,
#                         reset_on_triple_fault=0, ignore_bad_msrs=1).
#                         bochs-check.sh expects 2 CPUs: keep count=2.
#   FLANK_E2E_MSRS        a Bochs msrs file (msrs.def format), copied to
#                         WORK_DIR/msrs.def and added to the cpu line as
#                         msrs="WORK_DIR/msrs.def".
#   FLANK_E2E_CMDLINE     the kernel command line (default: the
#                         distribution's, `console=ttyS0 quiet panic=-1
#                         oops=panic` and nothing else: PTI, KASLR, read-only
#                         data and every mitigation as on users' machines;
#                         keep panic=-1 oops=panic: the watcher relies on them).
#   FLANK_E2E_FAST        1: the fast line instead (adds cryptomgr.notests
#                         rodata=off mitigations=off nokaslr: boots in a third
#                         of the time, but hides PTI's CR3 conventions,
#                         read-only data and address-dependent bugs). An
#                         explicit option for quick iterations, never the
#                         default.
#   FLANK_E2E_KERNEL      the kernel image (default: the newest
#                         /boot/vmlinuz-6.1.0-*-amd64). msr.ko comes from
#                         /lib/modules/VERSION of that kernel, VERSION taken
#                         from its file name vmlinuz-VERSION, unless
#                         FLANK_E2E_MSR_KO names it.
#   FLANK_E2E_BOCHS_EXTRA more bochsrc lines, appended.
#   FLANK_E2E_EXTRA_ROOT  a directory whose contents are copied into the
#                         initramfs root as well (a scenario's own files:
#                         bochs-lockdown.sh).
#   FLANK_E2E_SELFTESTS   a directory of Linux's x86 selftests
#                         (scripts/selftests.sh builds it): its *_32 and
#                         *_64 binaries go to /selftests in the initramfs,
#                         and the main scenario runs them bare and under
#                         Flank and dumps CPUID before and under Flank
#                         (bochs-init.sh; bochs-check.sh compares).
#   FLANK_E2E_SELFTEST_RERUNS  how many more times the guest runs each
#                         selftest whose result differs bare and under
#                         Flank, in each of the two (default 4; 0: none,
#                         any difference fails). docs/e2e.md, "Selftests
#                         that race".
#   FLANK_E2E_SELFTEST_SOAK  NAME:COUNT (off by default): the guest runs the
#                         selftest NAME COUNT times bare before the
#                         selftests and COUNT times under Flank after them,
#                         and logs every failing run's FAIL lines: the
#                         evidence for a nondeterministic selftest.
set -eu
scenario=${1:?usage: bochs-run.sh SCENARIO WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE}
work=${2:?}
ko=${3:?}
ctl=${4:?}
elf=${5:?}
example=${6:?}
check=${7:?}
probe=${8:?}
stress=${9:-}
here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${FLANK_E2E_BOCHS_TIMEOUT:-1800}
kernel=${FLANK_E2E_KERNEL:-$(ls /boot/vmlinuz-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n 1)}
kver=${kernel##*/}
kver=${kver#vmlinuz-}
msrko=${FLANK_E2E_MSR_KO:-/lib/modules/$kver/kernel/arch/x86/kernel/msr.ko}
busybox=${FLANK_E2E_BUSYBOX:-/bin/busybox}
isolinux=/usr/lib/ISOLINUX/isolinux.bin
ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
bochs=${FLANK_E2E_BOCHS:-bochs}
cpu=${FLANK_E2E_CPU:-model=corei7_skylake_x, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}
msrs=${FLANK_E2E_MSRS:-}
# oops=panic + panic=-1: any oops becomes a panic, which the watcher below
# sees; it kills Bochs before the reboot would boot the ISO again.
cmdline_default="console=ttyS0 quiet panic=-1 oops=panic"
[ "${FLANK_E2E_FAST:-0}" = 1 ] &&
	cmdline_default="$cmdline_default cryptomgr.notests rodata=off mitigations=off nokaslr"
cmdline=${FLANK_E2E_CMDLINE:-$cmdline_default}
romdir=/usr/share/bochs

die() {
	echo "e2e-bochs: $*" >&2
	exit 2
}

for f in "$ko" "$ctl" "$elf" "$example" "$check" "$probe" "$kernel" "$busybox" \
	"$isolinux" "$ldlinux"; do
	[ -r "$f" ] || die "missing $f (packages: linux-image-amd64 busybox-static isolinux syslinux-common)"
done
[ -r "$msrko" ] || [ -r "$msrko.xz" ] ||
	die "missing $msrko for $kernel (package linux-image-$kver; or set FLANK_E2E_MSR_KO)"
if [ -z "${FLANK_E2E_BOCHS:-}" ]; then
	command -v bochs >/dev/null || die "bochs is not installed (packages: bochs bochsbios vgabios bochs-x)"
else
	command -v "$bochs" >/dev/null || die "FLANK_E2E_BOCHS=$bochs is not an executable (scripts/bochs3.sh builds one)"
fi
nogui=${FLANK_E2E_BOCHS_NOGUI:-}
if [ -z "$nogui" ]; then
	# Only a Bochs with the internal debugger lists -rc in its usage.
	if "$bochs" --help </dev/null 2>&1 | grep -q '^ *-rc '; then nogui=0; else nogui=1; fi
fi
case $nogui in
0)
	# magic_break belongs to the debugger (a no-debugger build logs an
	# error for it).
	display='magic_break: enabled=0
display_library: rfb, options="timeout=0"'
	roms=""
	;;
1)
	display=""
	for f in "$romdir/BIOS-bochs-latest" "$romdir/VGABIOS-lgpl-latest"; do
		[ -r "$f" ] || die "missing $f (packages: bochsbios vgabios)"
	done
	roms="romimage: file=$romdir/BIOS-bochs-latest
vgaromimage: file=$romdir/VGABIOS-lgpl-latest"
	;;
*) die "FLANK_E2E_BOCHS_NOGUI must be 0 or 1, not '$nogui'" ;;
esac
[ -z "$msrs" ] || [ -r "$msrs" ] || die "FLANK_E2E_MSRS: cannot read $msrs"
command -v xorriso >/dev/null || die "xorriso is not installed"

rm -rf "$work"
# Absolute from here on: Bochs runs in WORK_DIR and the files name it.
mkdir -p "$work"
work=$(cd "$work" && pwd)
root="$work/root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$work/iso/isolinux"
cp "$busybox" "$root/bin/busybox"
cp "$ctl" "$root/bin/flankctl"
cp "$probe" "$root/bin/flank-probe"
cp "$ko" "$root/flank.ko"
if [ -r "$msrko" ]; then cp "$msrko" "$root/msr.ko"; else xz -dc "$msrko.xz" >"$root/msr.ko"; fi
# KVM next to Flank (bochs-init.sh): irqbypass, kvm, kvm-intel of the kernel.
mkdir -p "$root/kvm"
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel; do
	f=/lib/modules/$kver/kernel/$m.ko
	if [ -r "$f" ]; then
		cp "$f" "$root/kvm/"
	elif [ -r "$f.xz" ]; then
		xz -dc "$f.xz" >"$root/kvm/${m##*/}.ko"
	else
		die "missing $f (package linux-image-$kver)"
	fi
done
cp "$elf" "$root/vmm.elf"
cp "$example" "$root/example.elf"
# The kernel text guard module, built next to the example module (the image
# part's libvmm/modules/textguard); FLANK_E2E_TEXTGUARD overrides.
textguard=${FLANK_E2E_TEXTGUARD:-${example%/example/example.elf}/textguard/textguard.elf}
[ -r "$textguard" ] || die "no text guard module at $textguard (make image builds it)"
cp "$textguard" "$root/textguard.elf"
cp "$check" "$root/vmcs_check.elf"
cp "$here/bochs-init.sh" "$root/init"
[ -z "${FLANK_E2E_EXTRA_ROOT:-}" ] || cp -r "$FLANK_E2E_EXTRA_ROOT/." "$root/"
selftests=${FLANK_E2E_SELFTESTS:-}
if [ -n "$selftests" ]; then
	mkdir -p "$root/selftests"
	for t in "$selftests"/*_32 "$selftests"/*_64; do
		[ -x "$t" ] || die "FLANK_E2E_SELFTESTS=$selftests: no *_32/*_64 binaries (scripts/selftests.sh builds them)"
		cp "$t" "$root/selftests/"
	done
	echo "${FLANK_E2E_SELFTEST_RERUNS:-4}" >"$root/selftest_reruns"
	if [ -n "${FLANK_E2E_SELFTEST_SOAK:-}" ]; then
		soak_name=${FLANK_E2E_SELFTEST_SOAK%%:*}
		soak_count=${FLANK_E2E_SELFTEST_SOAK##*:}
		[ -x "$root/selftests/$soak_name" ] && [ "$soak_count" -gt 0 ] 2>/dev/null ||
			die "FLANK_E2E_SELFTEST_SOAK=$FLANK_E2E_SELFTEST_SOAK: not NAME:COUNT with NAME one of the selftests"
		echo "$soak_name:$soak_count" >"$root/selftest_soak"
	fi
fi
echo "$scenario" >"$root/scenario"
if [ "$scenario" = stress ]; then
	[ -r "$stress" ] || die "the stress scenario needs flank-stress (argument 9)"
	cp "$stress" "$root/bin/flank-stress"
	chmod 755 "$root/bin/flank-stress"
	cp "$here/guest/stress.sh" "$root/stress.sh"
	echo "${FLANK_E2E_STRESS_ROUNDS:-50}" >"$root/stress_rounds"
fi
chmod 755 "$root/init" "$root/bin/busybox" "$root/bin/flankctl" "$root/bin/flank-probe"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/iso/initrd.gz"
cp "$kernel" "$work/iso/vmlinuz"
cp "$isolinux" "$ldlinux" "$work/iso/isolinux/"
cat >"$work/iso/isolinux/isolinux.cfg" <<EOF
DEFAULT flank
PROMPT 0
TIMEOUT 0
LABEL flank
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND $cmdline
EOF
xorriso -as mkisofs -quiet -o "$work/flank.iso" -b isolinux/isolinux.bin \
	-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
	"$work/iso" 2>"$work/xorriso.log" || die "xorriso failed: $(cat "$work/xorriso.log")"

# ignore_bad_msrs=1: with 0 the kernel's own early RDMSR of an MSR Bochs
# does not model triple-faults before the IDT exists (measured). Bochs then
# reads unknown MSRs as 0 and drops writes, in VMX root as well, so the
# VMM's pass-through of MSR 0x12345678 succeeds there (bochs-check.sh).
if [ -n "$msrs" ]; then
	cp "$msrs" "$work/msrs.def"
	cpu="$cpu, msrs=\"$work/msrs.def\""
fi
cat >"$work/cell" <<EOF
bochs: $(command -v "$bochs") (nogui=$nogui)
cpu: $cpu
kernel: $kernel
cmdline: $cmdline
selftests: ${selftests:-none}
EOF
cat >"$work/bochsrc" <<EOF
megs: 512
cpu: $cpu
$roms
pci: enabled=1, chipset=i440fx
ata0-master: type=cdrom, path=$work/flank.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$work/serial.log
clock: sync=none, time0=local
mouse: enabled=0
$display
log: $work/bochs.log
panic: action=fatal
error: action=ignore
debug: action=ignore
${FLANK_E2E_BOCHS_EXTRA:-}
EOF
# Debian's Bochs has its debugger compiled in: continue, then quit.
[ "$nogui" = 1 ] || printf 'c\nquit\n' >"$work/bochs.rc"
: >"$work/serial.log"

start=$(date +%s)
# The hard limit: timeout(1) ends a silent or looping guest (status 124)
# and passes on the TERM the watcher below sends.
(
	cd "$work"
	set --
	[ "$nogui" = 1 ] || set -- -rc "$work/bochs.rc"
	timeout "$timeout_s" "$bochs" -q -f "$work/bochsrc" "$@" \
		</dev/null >"$work/bochs.out" 2>&1 &
	echo $! >"$work/timeout.pid"
	# set -e would end this subshell at a nonzero status (124 = timeout).
	rc=0
	wait $! || rc=$?
	echo "$rc" >"$work/bochs.status"
) &
bpid=$!
stop_bochs() { kill "$(cat "$work/timeout.pid")" 2>/dev/null || true; }
live=${FLANK_E2E_LIVE:-}
# tail --pid ends with Bochs; the loop kills Bochs on a verdict.
tail --pid="$bpid" -n +1 -F "$work/serial.log" 2>/dev/null | tr -d '\r' |
	while IFS= read -r line; do
		if [ -n "$live" ]; then
			printf '%s\n' "$line" | $live
		else
			case $line in
			*"FLANK-E2E: out."* | *"FLANK-E2E: cmd."* | *"FLANK-E2E: say:"*) ;;
			*"FLANK-E2E: "*) echo "e2e-bochs: ${line#*FLANK-E2E: }" ;;
			esac
		fi
		case $line in
		*"Kernel panic"*)
			echo panic >"$work/verdict"
			sleep 1
			stop_bochs
			;;
		*"FLANK-E2E: end"*)
			echo end >"$work/verdict"
			(sleep 15 && stop_bochs) >/dev/null 2>&1 &
			;;
		esac
	done
wait "$bpid" 2>/dev/null || true
end=$(date +%s)
echo "$((end - start))" >"$work/seconds"
verdict=$(cat "$work/verdict" 2>/dev/null || echo bochs-exited)
[ "$verdict" = bochs-exited ] && [ "$(cat "$work/bochs.status")" = 124 ] && verdict=timeout
case $verdict in
end) exit 0 ;;
timeout) echo "e2e-bochs: the guest did not finish within ${timeout_s}s" >&2 ;;
panic) echo "e2e-bochs: the guest kernel panicked" >&2 ;;
*) echo "e2e-bochs: Bochs exited before the scenario's end (triple fault or Bochs panic?):" >&2
	tail -n 5 "$work/bochs.out" >&2 ;;
esac
grep -E "PANIC|FATAL|triple" "$work/bochs.log" 2>/dev/null | tail -n 5 >&2 || true
exit 2
