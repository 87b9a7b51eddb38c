# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154
# ($cpus, r, run, probe and say come from the /init that sources this file.)
#
# The stress scenario (issue #14's NMI storm, issue #16 section 4), sourced
# by the guest's /init (tests/e2e/bochs-init.sh) when /scenario says
# "stress", after the common start (mounts, the begin line, msr.ko); it
# uses init's r/say/run/probe and $cpus. tests/e2e/stress-check.sh gives
# the verdict. Three parts:
#   1. bare, before Flank: the programs prove themselves (KVM runs a guest
#      to its HLT, UMWAIT/TPAUSE run, every NMI of a storm is counted);
#   2. under Flank: NMI storms at a CPU running a CPUID loop (NMIs land in
#      VMX root and non-root), sysrq-l NMI backtraces, UMWAIT/TPAUSE, a VM
#      creation attempt, then the exit statistics and stop;
#   3. $rounds (>= 50) start/stop rounds while a background loop fires NMI
#      storms and sysrq-l at both CPUs; within the rounds CPU 1 goes offline
#      and online, the workload, UMWAIT/TPAUSE and the VM attempt run.

# stress KEY ARGS...: one flank-stress line, logged like probe.
stress() {
	key=$1
	shift
	run "$key" flank-stress "$@"
}

rounds=$(cat /stress_rounds 2>/dev/null || echo 50)
t0=$(cut -d. -f1 /proc/uptime)
# elapsed KEY: seconds (guest time) since the scenario's start.
elapsed() { r "time.$1=$(($(cut -d. -f1 /proc/uptime) - t0))"; }

say "Stress: every program first proves itself without Flank"
case $(uname -r) in
6.1.*) kvm_args= ;;
*) kvm_args=enable_virt_at_load=0 ;;
esac
run insmod_kvm sh -c "insmod /kvm/irqbypass.ko && insmod /kvm/kvm.ko $kvm_args && insmod /kvm/kvm-intel.ko"
stress kvm_bare kvm
stress waitpkg_bare waitpkg 200
run insmod insmod /flank.ko
stress nmi_bare.1 nmistorm 1 200
run load flankctl load /vmm.elf
elapsed bare

say "Under Flank: NMI storms at a CPU in a CPUID loop (each CPUID exits: NMIs land in VMX root and in the guest)"
run start flankctl start
for c in $cpus; do probe cpuid.$c cpuid $c; done
stress nmi_spin.1 nmistorm 1 200 spin
stress nmi_slow.1 nmistorm 1 100 slow
stress nmi.1 nmistorm 1 2000
stress nmi.0 nmistorm 0 2000
say "sysrq l: the kernel's NMI backtrace of every CPU, under Flank"
for i in 1 2 3; do run sysrq.$i sh -c 'echo l >/proc/sysrq-trigger'; done
say "UMONITOR/UMWAIT/TPAUSE in user mode under Flank (where the CPU has WAITPKG): no #UD"
stress waitpkg waitpkg 200
say "A VM next to Flank: kvm_intel was loaded before start; creating a VM must fail cleanly"
stress kvm kvm
run stats flankctl stats
run stop flankctl stop
elapsed flank

say "$rounds start/stop rounds while NMI storms and sysrq-l fire in the background, CPU 1 goes offline and online, the workload runs"
rm -f /tmp/bg.stop /tmp/bg.out
(
	n=0
	while [ ! -e /tmp/bg.stop ]; do
		flank-stress nmistorm $((n % 2)) 100 >>/tmp/bg.out 2>&1
		echo l >/proc/sysrq-trigger
		n=$((n + 1))
	done
	echo "$n" >/tmp/bg.rounds
) &
bg=$!
fails=0
# step KEY COMMAND...: run, counting failures (logged only then).
step() {
	key=$1
	shift
	"$@" >/tmp/step 2>&1 && return 0
	fails=$((fails + 1))
	r "loop.$key: failed: $*"
	while IFS= read -r line; do r "out.loop.$key: $line"; done </tmp/step
	return 1
}
i=1
while [ "$i" -le "$rounds" ]; do
	step start.$i flankctl start
	case $((i % 10)) in
	0) step workload.$i flank-probe workload 10 ;;
	3) step waitpkg.$i flank-stress waitpkg 20 ;;
	5)
		step offline.$i sh -c 'echo 0 >/sys/devices/system/cpu/cpu1/online'
		step online.$i sh -c 'echo 1 >/sys/devices/system/cpu/cpu1/online'
		step hotplug_cpuid.$i sh -c 'flank-probe cpuid 1 | grep -q " flank=1 "'
		;;
	7) step kvm.$i sh -c 'flank-stress kvm | grep -q "result=error step=create_vm"' ;;
	esac
	step stop.$i flankctl stop
	# Once: CPU 1 is offline at start and joins the running VMM later.
	if [ "$i" = 25 ]; then
		step offline_stopped sh -c 'echo 0 >/sys/devices/system/cpu/cpu1/online'
		step start_one flankctl start
		step online_running sh -c 'echo 1 >/sys/devices/system/cpu/cpu1/online'
		step join_cpuid sh -c 'flank-probe cpuid 1 | grep -q " flank=1 "'
		step stop_two flankctl stop
	fi
	i=$((i + 1))
done
touch /tmp/bg.stop
wait "$bg"
r "loop_rounds=$rounds"
r "loop_fails=$fails"
r "bg_rounds=$(cat /tmp/bg.rounds)"
r "bg_storms_ok=$(grep -c '^nmistorm=ok ' /tmp/bg.out)"
r "bg_storms_fail=$(grep -vc '^nmistorm=ok ' /tmp/bg.out)"
r "bg_nmis_received=$(sed -n 's/.* received=\([0-9]*\) .*/\1/p' /tmp/bg.out | awk '{ s += $1 } END { print s + 0 }')"
r "bg_nmis_root=$(sed -n 's/.* root=\([0-9]*\) .*/\1/p' /tmp/bg.out | awk '{ s += $1 } END { print s + 0 }')"
grep -v '^nmistorm=ok ' /tmp/bg.out | while IFS= read -r line; do r "out.bg: $line"; done
elapsed loop

say "After the rounds: VT-x back on every CPU, the NMI handler still counts every NMI, the driver unloads"
for c in $cpus; do probe cpuid_after.$c cpuid $c; done
stress nmi_after.1 nmistorm 1 200
run unload flankctl unload
run rmmod rmmod flank
r "module_after=$(grep -c '^flank ' /proc/modules)"
elapsed end
