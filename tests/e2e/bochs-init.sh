#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the Bochs runs (Intel VT-x emulated by Bochs, 2 CPUs). Runs the
# scenario named in /scenario:
#   main    Linux's MTRRs, check, load, start, the EPT map's memory types
#           (tests/e2e/memtype-check.sh), presence on every CPU, workload, MSR probes,
#           status/stats/dump, stop, state after stop, unload, rmmod; a
#           second insmod/load/start/stop/unload/rmmod; then the negative
#           path: start fails on purpose on CPU 1 (flank.ko's test_busy_cpu
#           hook) and CPU 0 must be rolled back.
#   broken  vmm.elf built with FLANK_E2E_BREAK_VMCS: start must fail with
#           Flank's own VM-entry diagnostic.
#   lockdown  signed images under a lockdown raised at run time: the
#           stage /lockdown.sh (tests/e2e/guest/lockdown.sh).
#   stress  tests/e2e/guest/stress.sh (/stress.sh): NMI storms, sysrq-l,
#           WAITPKG, KVM and CPU hotplug around start/stop rounds.
# In the main scenario, when the initramfs holds /selftests (bochs-run.sh,
# FLANK_E2E_SELFTESTS: Linux's tools/testing/selftests/x86, static), every
# test runs bare before flank.ko is loaded and again while Flank runs on
# every CPU; and every CPUID leaf and subleaf is dumped on each CPU before
# and under Flank (flank-probe cpuid-dump), the differences logged.
# Results go to /dev/kmsg (synchronous, in order) as "FLANK-E2E: ..." lines
# that tests/e2e/bochs-check.sh parses:
#   FLANK-E2E: say: TEXT           narration (make demo prints it)
#   FLANK-E2E: cmd.KEY: COMMAND    the command about to run
#   FLANK-E2E: out.KEY: LINE       one line of its output
#   FLANK-E2E: KEY=VALUE           a result (exit status or measurement)
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
echo 8 >/proc/sys/kernel/printk

r() { echo "FLANK-E2E: $*" >/dev/kmsg; }
say() { r "say: $*"; }
# run KEY COMMAND...: logs the command, each output line, its status.
run() {
	key=$1
	shift
	r "cmd.$key: $*"
	"$@" >/tmp/out 2>&1
	rc=$?
	while IFS= read -r line; do r "out.$key: $line"; done </tmp/out
	r "$key=$rc"
	return $rc
}
# probe KEY ARGS...: one flank-probe line, logged as output and as values.
probe() {
	key=$1
	shift
	run "$key" flank-probe "$@"
}

scenario=$(cat /scenario)
ncpu=$(grep -c ^processor /proc/cpuinfo)
cpus=$(seq 0 $((ncpu - 1)))
# ibt=1: the kernel enforces CET indirect-branch tracking (its "ibt" CPU flag
# stays set only then); pti=1: page-table isolation is on; la57=1: 5-level
# paging is on (the kernel clears its "la57" flag when it runs with 4
# levels). bochs-check.sh holds a cell to what it promises
# (FLANK_E2E_EXPECT_IBT, _PTI, _LA57).
flag() { if grep -qw "$1" /proc/cpuinfo; then echo 1; else echo 0; fi; }
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
r "begin scenario=$scenario cpus=$ncpu kernel=$(uname -r) ibt=$(flag ibt) pti=$(flag pti) la57=$(flag la57)"
run insmod_msr insmod /msr.ko

# The stress scenario (issue #14's NMI storm, issue #16 section 4) lives in
# its own file, tests/e2e/guest/stress.sh.
if [ "$scenario" = stress ]; then
	. /stress.sh
	r "end"
	poweroff -f
fi

if [ "$scenario" = broken ]; then
	say "vmm.elf was built with FLANK_E2E_BREAK_VMCS: one VMCS field is wrong on purpose"
	run insmod insmod /flank.ko
	say "Loading the image alone: flankctl loads /vmcs_check.elf next to it, the checker that names the failing rule"
	run load flankctl load /vmm.elf
	run start flankctl start
	run status flankctl status
	run dump flankctl dump
	for c in $cpus; do probe cpuid_after.$c cpuid $c; done
	run unload flankctl unload
	run rmmod rmmod flank
	r "end"
	poweroff -f
fi

if [ "$scenario" = lockdown ]; then
	. /lockdown.sh
	r "end"
	poweroff -f
fi
# selftest PHASE NAME: one run of /selftests/NAME, one result line
# "selftest.PHASE.NAME=rc=RC fail=LINES" (LINES: its lines holding "FAIL"),
# also kept in /tmp/selftests.PHASE. A test that runs longer than 300 s is
# killed (rc 124 or 143). A test that exits non-zero or prints FAIL leaves
# its evidence as "out.selftest.PHASE.NAME: LINE" lines, bounded: each of
# its first 5 FAIL lines after the [RUN] line it belongs to (or, with no
# FAIL line, its last 3 lines), then what its exit status means.
selftest() {
	timeout 300 "/selftests/$2" >/tmp/selftest.out 2>&1 </dev/null
	rc=$?
	fails=$(grep -c 'FAIL' /tmp/selftest.out)
	r "selftest.$1.$2=rc=$rc fail=$fails"
	echo "$2 rc=$rc fail=$fails" >>"/tmp/selftests.$1"
	[ "$rc" != 0 ] || [ "$fails" != 0 ] || return 0
	if [ "$fails" != 0 ]; then
		awk '/^\[RUN\]/ { run = $0; next }
			/FAIL/ && n < 5 { if (run != "") print run; run = ""; print; n++ }' /tmp/selftest.out
	else
		tail -n 3 /tmp/selftest.out
	fi | while IFS= read -r line; do r "out.selftest.$1.$2: $line"; done
	case $rc in
	0) why="success" ;;
	124 | 143) why="killed by timeout after 300 s" ;;
	125 | 126 | 127) why="timeout could not run it" ;;
	129 | 1[3-9]? | 2??) why="killed by signal $((rc - 128)) (SIG$(kill -l $((rc - 128))))" ;;
	*) why="the test's own failure status" ;;
	esac
	r "out.selftest.$1.$2: exit status $rc: $why"
}
# selftests PHASE: every one of Linux's x86 selftests, once.
selftests() {
	for t in /selftests/*; do
		[ -x "$t" ] || continue
		selftest "$1" "${t##*/}"
	done
	r "selftests_$1=done"
}
# Some selftests are nondeterministic by design on some CPUs (docs/e2e.md,
# "Selftests that race": fsgsbase_64 without FSGSBASE fails when another
# task runs between two of its steps), so a result that differs bare and
# under Flank may be chance. Each selftest whose result differs is run
# again $reruns times under Flank at once, and $reruns times bare after
# flank.ko is gone; bochs-check.sh decides from all the runs.
# FLANK_E2E_SELFTEST_RERUNS (bochs-run.sh, default 4) sets $reruns; 0 turns
# the reruns off. selftest_reruns PHASE: those runs, "rerun_PHASE" results.
reruns=$(cat /selftest_reruns 2>/dev/null || echo 0)
selftest_reruns() {
	for name in $differ; do
		i=0
		while [ "$i" -lt "$reruns" ]; do
			selftest "rerun_$1" "$name"
			i=$((i + 1))
		done
	done
	r "selftests_rerun_$1=done"
}
# Selftest soak (FLANK_E2E_SELFTEST_SOAK=NAME:COUNT, bochs-run.sh; off by
# default): NAME runs COUNT times bare before the selftests and COUNT times
# under Flank after them, each run a "soak_bare" or "soak_flank" result,
# then "selftest_soak_PHASE=NAME runs=COUNT failed=K". Evidence for a
# nondeterministic selftest; bochs-check.sh prints the summary.
soak=$(cat /selftest_soak 2>/dev/null || true)
selftest_soak() {
	[ -n "$soak" ] || return 0
	name=${soak%%:*}
	count=${soak##*:}
	i=0
	while [ "$i" -lt "$count" ]; do
		selftest "soak_$1" "$name"
		i=$((i + 1))
	done
	r "selftest_soak_$1=$name runs=$count failed=$(grep -vc ' rc=0 fail=0$' "/tmp/selftests.soak_$1")"
}

say "Linux booted on $ncpu emulated Intel CPUs (Bochs: $model)"
say "Before Flank: the CPUs report VT-x and no Flank presence leaf"
for c in $cpus; do probe cpuid_before.$c cpuid $c; done
if [ -d /selftests ]; then
	for c in $cpus; do probe cpuid_dump_before.$c cpuid-dump $c /tmp/cpuid.before.$c; done
	say "Linux's x86 selftests, bare (no flank.ko loaded): $(ls /selftests | wc -l) binaries"
	selftest_soak bare
	t0=$(cut -d. -f1 /proc/uptime)
	selftests bare
	r "selftests_bare_seconds=$(($(cut -d. -f1 /proc/uptime) - t0))"
fi
probe rdmsr_vmxbasic_before.0 rdmsr 0 0x480

# KVM next to Flank (issue #14 item 3): distributions load kvm_intel at
# boot. KVM before 6.12 enables VT-x only when a VM is created; 6.12 does
# it when it loads unless kvm.enable_virt_at_load=0, and Flank's start then
# refuses (CR4.VMXE set). Load it before Flank starts in the lazy way (the
# default on 6.1, the parameter on 6.12): creating a VM under Flank then
# makes KVM write CR4.VMXE (a control-register exit) and run VMXON, and
# must fail cleanly. Then kvm_intel is loaded again under Flank, where it
# must refuse (CPUID hides VT-x).
case $(uname -r) in
6.1.*) kvm_args= ;;
*) kvm_args=enable_virt_at_load=0 ;;
esac
say "kvm_intel is loaded before Flank starts, as distributions do at boot (KVM enabling VT-x only for a VM: $(uname -r) ${kvm_args:-default})"
run insmod_kvm sh -c "insmod /kvm/irqbypass.ko && insmod /kvm/kvm.ko $kvm_args && insmod /kvm/kvm-intel.ko"

# Memory types (issue 18 section 2, tests/e2e/memtype-check.sh): Linux's
# view before Flank, then the EPT map's types right after start.
say "Linux's memory types: /proc/mtrr (the variable ranges the kernel read at boot), the default type and fixed ranges through the msr driver"
run mtrr cat /proc/mtrr
run mtrr_msrs sh -c 'for m in 0xfe 0x2ff 0x250 0x258 0x259 0x268 0x269 0x26a 0x26b 0x26c 0x26d 0x26e 0x26f; do flank-probe rdmsr 0 $m || exit 1; done'
run iomem_ram sh -c "grep 'System RAM' /proc/iomem"

say "Loading the driver and asking whether Flank can run here"
run insmod insmod /flank.ko
run check flankctl check
say "Loading the VMM image, the example extension module and the kernel text guard module"
run load flankctl load /vmm.elf /example.elf /textguard.elf
run check_loaded flankctl check
# Where flank.ko's vmalloc areas are: the host stacks (kp_stack_alloc; each
# CPU's HOST_RSP) and the image (HOST_RIP). With 5-level paging they lie
# above the 4-level range, which bochs-check.sh checks (FLANK_E2E_EXPECT_LA57).
# kptr_restrict=1 shows root the real addresses (0 hashes them), then back.
run vmalloc_flank sh -c 'k=$(cat /proc/sys/kernel/kptr_restrict); echo 1 >/proc/sys/kernel/kptr_restrict; grep "\[flank\]" /proc/vmallocinfo; rc=$?; echo "$k" >/proc/sys/kernel/kptr_restrict; exit $rc'
say "Starting Flank: every CPU becomes a guest of the VMM, Linux keeps running"
run start flankctl start
run status_running flankctl status
say "The memory types of Flank's EPT map, from the debug ring (compared with Linux's by the verdict)"
run ept_dump flankctl dump

say "Under Flank: each CPU answers the presence leaf 0x4000f000 and hides VMX"
for c in $cpus; do probe cpuid.$c cpuid $c; done
if [ -d /selftests ]; then
	say "Every CPUID leaf and subleaf under Flank against the dump before it: only Flank's own may differ"
	for c in $cpus; do
		probe cpuid_dump_under.$c cpuid-dump $c /tmp/cpuid.under.$c
		probe cpuid_diff.$c cpuid-diff /tmp/cpuid.before.$c /tmp/cpuid.under.$c
	done
	say "Linux's x86 selftests again, Flank running on every CPU: every result must be the bare one"
	t0=$(cut -d. -f1 /proc/uptime)
	selftests flank
	r "selftests_flank_seconds=$(($(cut -d. -f1 /proc/uptime) - t0))"
	differ=$(sort /tmp/selftests.bare /tmp/selftests.flank | uniq -u | cut -d' ' -f1 | sort -u | tr '\n' ' ' | sed 's/ $//')
	r "selftests_reruns=$reruns"
	r "selftests_differ=${differ:-none}"
	if [ -n "$differ" ] && [ "$reruns" -gt 0 ]; then
		say "Selftests whose result differs ($differ): $reruns more runs each under Flank now, and bare after flank.ko is gone"
		selftest_reruns flank
	fi
	selftest_soak flank
fi
say "A VM next to Flank: KVM enables VT-x now; its CR4.VMXE write must not oops, and creating the VM fails cleanly"
probe kvm_vm kvm
say "kvm_intel loaded again under Flank must refuse (CPUID hides VT-x), and there is no /dev/kvm"
run rmmod_kvm rmmod kvm_intel kvm
run insmod_kvm_under sh -c 'insmod /kvm/kvm.ko && insmod /kvm/kvm-intel.ko'
probe kvm_vm_under kvm
say "Each CPU sets and clears CR4.VMXE (flank.ko's test_cr4_vmxe): control-register exits, which Flank completes in the guest's view"
run test_cr4 sh -c 'echo 1 >/sys/module/flank/parameters/test_cr4_vmxe'
say "A workload: processes, file I/O, syscalls, /proc/cpuinfo on every CPU"
probe workload workload 200
say "CPU 1 goes offline and comes back while Flank runs: it leaves Flank, and the driver virtualises it again when it returns"
run cpu1_offline sh -c 'echo 0 >/sys/devices/system/cpu/cpu1/online'
run status_offline flankctl status
run cpu1_online sh -c 'echo 1 >/sys/devices/system/cpu/cpu1/online'
probe cpuid_hotplug.1 cpuid 1
say "An MSR outside the MSR bitmap's ranges (0x12345678) always exits and Flank passes it to the CPU:"
say "Bochs reads unknown MSRs as 0 and drops writes (hardware would raise #GP, which Flank injects)"
for c in $cpus; do
	probe rdmsr.$c rdmsr $c 0x12345678
	probe wrmsr.$c wrmsr $c 0x12345678 0x1
done
say "MSRs Flank protects: IA32_VMX_BASIC (0x480) gives #GP, as on a CPU without VMX;"
say "IA32_FEATURE_CONTROL (0x3a) reads without its VMX-enable bits, and writing it gives #GP (locked)"
probe rdmsr_vmxbasic.0 rdmsr 0 0x480
probe rdmsr_fc.0 rdmsr 0 0x3a
probe wrmsr_fc.0 wrmsr 0 0x3a 0x5
probe cpuid_alive.0 cpuid 0
say "The example module registered CPUID leaf 0x4000f100 from its init array: every CPU answers it"
for c in $cpus; do probe example.$c cpuid $c; done
say "The kernel text guard (textguard.elf) write-protected the pages of the SYSCALL entry and of the #GP and #PF handlers at load."
say "flank.ko's test_text_write patches the SYSCALL entry's first byte through a writable alias of its page (vmap):"
say "with EPT the guard refuses it, the store gets #GP (caught by its exception fixup), the byte stays and the ring says so;"
say "without EPT (page hooks have no effect) the write lands and is undone at once, under stop_machine()."
run text_write sh -c 'echo 1 >/sys/module/flank/parameters/test_text_write'
say "The text guard's MSR hook guards IA32_LSTAR (0xc0000082): WRMSR gets #GP (the msr driver's EIO),"
say "LSTAR keeps the kernel's entry point, the debug ring says so, and the kernel carries on."
say "The write repeats LSTAR's own value, so that a guard that failed to refuse would change nothing."
for c in $cpus; do
	probe lstar.$c rdmsr $c 0xc0000082
	v=$(sed -n 's/.*value=//p' /tmp/out)
	probe wrlstar.$c wrmsr $c 0xc0000082 "${v:-0}"
	probe lstar_after.$c rdmsr $c 0xc0000082
done
probe workload_lstar workload 20
say "The VMM's own pages through the kernel's direct map (flank.ko's test_hide): with EPT they read as zeros,"
say "the writes to them are dropped and counted, and the VMM keeps running"
run test_hide sh -c 'echo 1 >/sys/module/flank/parameters/test_hide'
probe workload_hide workload 20
say "What the VMM saw: status, exit statistics, debug ring"
run status flankctl status
run stats flankctl stats
run dump flankctl dump

say "Stopping Flank: every CPU leaves VMX operation"
run stop flankctl stop
for c in $cpus; do probe cpuid_after.$c cpuid $c; done
# Every VM exit left TR's limit at 67H: an ioperm() user must still work.
for c in $cpus; do probe ioperm_after.$c ioperm $c; done
run status_after flankctl status
run check_after flankctl check
run unload flankctl unload
run rmmod rmmod flank
r "module_after=$(grep -c '^flank ' /proc/modules)"
if [ -n "${differ:-}" ] && [ "$reruns" -gt 0 ]; then
	say "flank.ko is gone: the selftests whose result differed ($differ) again bare, $reruns runs each"
	selftest_reruns bare
fi

say "Second round: insmod, load, start, stop, unload, rmmod again"
run insmod2 insmod /flank.ko
run load2 flankctl load /vmm.elf /example.elf
# The kernel has one crash-callback slot, which KVM may hold: flank.ko takes
# it only while kvm.ko is not loaded (round one had it, so it said so).
say "kvm.ko goes (left from the refused kvm_intel): flank.ko then installs its crash callback at start"
run rmmod_kvm2 rmmod kvm
run start2 flankctl start
for c in $cpus; do probe cpuid2.$c cpuid $c; done
say "A crash's CPU shutdown without the crash (flank.ko's test_crash_off): every CPU runs the crash callback kdump would run and leaves VMX operation; Linux keeps running"
run crash_off sh -c 'echo 1 >/sys/module/flank/parameters/test_crash_off'
for c in $cpus; do probe cpuid2_crash.$c cpuid $c; done
probe workload2 workload 20
run stop2 flankctl stop
for c in $cpus; do probe cpuid2_after.$c cpuid $c; done
run unload2 flankctl unload
run rmmod2 rmmod flank

say "Negative path: start fails on CPU 1 on purpose (test_busy_cpu=1 sets CR4.VMXE there, as another hypervisor would)"
run insmod3 insmod /flank.ko test_busy_cpu=1
run load3 flankctl load /vmm.elf
run start3 flankctl start
run status3 flankctl status
for c in $cpus; do probe cpuid3.$c cpuid $c; done
run check3 flankctl check
probe workload3 workload 20
run unload3 flankctl unload
run rmmod3 rmmod flank
r "module_after3=$(grep -c '^flank ' /proc/modules)"
r "end"
poweroff -f
