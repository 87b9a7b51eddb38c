#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bochs-matrix.sh RESULTS WORK_BASE KO_61 KO_612 KO_612_RT FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE STRESS
#
# `make e2e-matrix`: every cell of bochs-cell.sh, one after the other (two
# Bochs runs at once would only share this machine's cores), each with the
# main scenario and Linux's x86 selftests bare and under Flank
# (scripts/selftests.sh; bochs-check.sh compares them and the CPUID dumps),
# then, in a second boot of the same cell, the stress scenario
# (guest/stress.sh, stress-check.sh: 50 start/stop rounds under NMI storms
# and sysrq-l, CPU 1 offline/online, the workload, UMWAIT/TPAUSE where the
# model has WAITPKG, kvm_intel loaded before start; STRESS is the
# flank-stress program). A cell that does not boot, as documented, gets no
# stress run. FLANK_MATRIX_STRESS=0 leaves the stress runs out.
# Each cell gets the flank.ko of its kernel: KO_612_RT for *-612-rt, KO_612
# for other *-612*, KO_61 otherwise; and the x86 selftests of its kernel's
# source series (6.12's for *-612*, 6.1's otherwise). One tab-separated line per cell goes to
# RESULTS (columns in its header), written as each cell ends, with the date
# and the command; scripts/matrix-status.sh turns a results file into
# docs/status.md's matrix table. Logs stay in WORK_BASE/cell-CELL/.
#
# FLANK_MATRIX_CELLS overrides the list of cells (space-separated);
# FLANK_MATRIX_REUSE=1 writes RESULTS from the logs of the last run of each
# cell (its exit status and time are kept next to its logs) without
# running it again.
# Exits 1 when a cell failed (every cell runs regardless), 0 otherwise; a
# cell documented as not booting (bochs-cell.sh, FLANK_E2E_NOBOOT) that
# fails for its documented reason is recorded as "no boot", not a failure.
set -u
results=${1:?usage: bochs-matrix.sh RESULTS WORK_BASE KO_61 KO_612 KO_612_RT FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE STRESS}
base=${2:?}
ko61=${3:?}
ko612=${4:-}
ko612rt=${5:-}
shift 5
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cells=${FLANK_MATRIX_CELLS:-penryn-61 hsw-61 skx-61-strict-msrs skx-61-nopti skx-61-4cpu \
tgl-61 icl-61 spr-61 spr-612-ibt arl-612 spr-612-la57 skx-612-rt}

# Linux's x86 selftests of both source series: a cell booting 6.12 runs
# 6.12's, the others 6.1's (bochs-cell.sh picks the same way).
for series in 6.1 6.12; do
	dir=$("$root/scripts/selftests.sh" "$series" | tail -n 1)
	[ -d "$dir" ] || {
		echo "e2e-matrix: scripts/selftests.sh $series could not provide the selftests" >&2
		exit 2
	}
	case $series in
	6.1) selftests61=$dir ;;
	6.12) selftests612=$dir ;;
	esac
done
mkdir -p "$base" "$(dirname "$results")"
{
	echo "# Flank e2e matrix: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# command: ${FLANK_MATRIX_CELLS:+FLANK_MATRIX_CELLS=\"$cells\" }${FLANK_MATRIX_REUSE:+FLANK_MATRIX_REUSE=$FLANK_MATRIX_REUSE }${FLANK_MATRIX_STRESS:+FLANK_MATRIX_STRESS=$FLANK_MATRIX_STRESS }make e2e-matrix (tests/e2e/bochs-matrix.sh); commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	printf '# cell\tmodel\tcpus\tkernel\tcmdline\tresult\tboot\tcheck\tstart_stop\tworkload\tselftests\tcpuid\texits\tseconds\tstress\n'
} >"$results"

# serial-log helpers (the format of bochs-init.sh's lines).
val() { sed -n "s/^.*FLANK-E2E: $1=\(.*\)$/\1/p" "$log" | tr -d '\r' | tail -n 1; }
out() { sed -n "s/^.*FLANK-E2E: out\.$1: \(.*\)$/\1/p" "$log" | tr -d '\r'; }
okif() { if "$@"; then echo ok; else echo fail; fi; }
check_ok() {
	[ "$(val check)" = 0 ] && [ "$(val check_loaded)" = 0 ] &&
		! out check | grep -qF "[FAIL]" && ! out check_loaded | grep -qF "[FAIL]"
}
workload_ok() { out workload | grep -q "workload=ok"; }

failed=0
for cell in $cells; do
	case $cell in
	*-612-rt*) ko=$ko612rt selftests=$selftests612 ;;
	*-612*) ko=$ko612 selftests=$selftests612 ;;
	*) ko=$ko61 selftests=$selftests61 ;;
	esac
	work=$base/cell-$cell
	log=$work/serial.log
	echo "e2e-matrix: cell $cell"
	start=$(date +%s)
	if [ "${FLANK_MATRIX_REUSE:-0}" = 1 ] && [ -f "$base/cell-$cell.rc" ]; then
		rc=$(cat "$base/cell-$cell.rc")
	elif [ -z "$ko" ]; then
		echo "e2e-matrix: $cell: no flank.ko for its kernel (scripts/deps.sh kernel, then reconfigure)" >&2
		rc=2
		rm -rf "$work"
	else
		FLANK_E2E_SELFTESTS=$selftests "$here/bochs-cell.sh" "$cell" "$work" "$ko" "$@" \
			>"$base/cell-$cell.out" 2>&1
		rc=$?
	fi
	if [ "${FLANK_MATRIX_REUSE:-0}" = 1 ] && [ -f "$base/cell-$cell.seconds" ]; then
		seconds=$(cat "$base/cell-$cell.seconds")
	else
		seconds=$(($(date +%s) - start))
		echo "$rc" >"$base/cell-$cell.rc"
		echo "$seconds" >"$base/cell-$cell.seconds"
	fi
	tail -n 3 "$base/cell-$cell.out" 2>/dev/null | sed "s/^/e2e-matrix: $cell: /"
	model=$(sed -n 's/^cpu: model=\([^,]*\),.*/\1/p' "$work/cell" 2>/dev/null)
	kernel=$(sed -n 's/^kernel: .*vmlinuz-//p' "$work/cell" 2>/dev/null)
	cmdline=$(sed -n 's/^cmdline: console=ttyS0 quiet panic=-1 oops=panic *//p' "$work/cell" 2>/dev/null)
	[ -n "$cmdline" ] || cmdline=defaults
	boot=no check=- startstop=- workload=- st=- cpuid=- exits=- cpus=-
	if [ -f "$log" ] && grep -q "FLANK-E2E: begin" "$log"; then
		boot=yes
		cpus=$(val "begin scenario=main cpus" | cut -d' ' -f1)
		check=$(okif check_ok)
		startstop=$(okif [ "$(val start)/$(val stop)/$(val start2)/$(val stop2)" = 0/0/0/0 ])
		workload=$(okif workload_ok)
		if grep -q "FLANK-E2E: selftests_flank=done" "$log"; then
			sed -n 's/^.*FLANK-E2E: selftest\.bare\.\([^=]*\)=\(.*\)$/\1 \2/p' "$log" | tr -d '\r' >"$work/m.bare"
			sed -n 's/^.*FLANK-E2E: selftest\.flank\.\([^=]*\)=\(.*\)$/\1 \2/p' "$log" | tr -d '\r' >"$work/m.flank"
			n=$(wc -l <"$work/m.bare")
			pass=$(grep -c ' rc=0 ' "$work/m.bare")
			if cmp -s "$work/m.bare" "$work/m.flank"; then
				st="$n same ($pass pass)"
			else
				# Which tests differ: "NAME rc BARE->FLANK".
				sort -o "$work/m.bare.sorted" "$work/m.bare"
				sort -o "$work/m.flank.sorted" "$work/m.flank"
				st="$n, differ: $(join "$work/m.bare.sorted" "$work/m.flank.sorted" |
					awk '$2 != $4 || $3 != $5 { sub(/^rc=/, "", $2); sub(/^rc=/, "", $4); printf "%s%s rc %s->%s", sep, $1, $2, $4; sep = ", " }')"
			fi
			cpuid=$(out 'cpuid_diff\.[0-9]*' | sed -n 's/^cpuid_diff=ok .*differences=\([0-9]*\).*/\1/p' | paste -sd/ -)
			cpuid="diffs ${cpuid:-?}"
		fi
		# Exits per reason, summed over the CPUs, from `flankctl stats`
		# ("CPU NAME (REASON) COUNT", as bochs-check.sh reads it).
		exits=$(out stats | sed -n 's/^ *[0-9][0-9]* \{1,\}\(.*[^ ]\) \{1,\}( *\([0-9][0-9]*\)) \{1,\}\([0-9][0-9]*\)$/\1(\2) \3/p' |
			awk '{ n = $NF; $NF = ""; sub(/ +$/, ""); sum[$0] += n } END { for (k in sum) print k " " sum[k] }' |
			sort | paste -sd, - | sed 's/,/, /g')
		[ -n "$exits" ] || exits=-
	fi
	# The stress scenario, in a boot of its own, on every cell that boots
	# (Bochs's info messages off: with thousands of NMIs logged at that
	# level Bochs hung on its own stdio lock, tests/e2e/CMakeLists.txt).
	stress=-
	swork=$base/cell-$cell-stress
	if [ "${FLANK_MATRIX_STRESS:-1}" != 0 ] && [ -n "$ko" ] && [ ! -f "$work/noboot" ] &&
		[ -f "$log" ] && grep -q "FLANK-E2E: begin" "$log"; then
		echo "e2e-matrix: cell $cell, stress scenario"
		sstart=$(date +%s)
		if [ "${FLANK_MATRIX_REUSE:-0}" = 1 ] && [ -f "$swork.rc" ]; then
			src=$(cat "$swork.rc")
		else
			FLANK_E2E_SCENARIO=stress FLANK_E2E_SELFTESTS=none \
				FLANK_E2E_BOCHS_EXTRA='info: action=ignore' \
				"$here/bochs-cell.sh" "$cell" "$swork" "$ko" "$@" >"$swork.out" 2>&1
			src=$?
		fi
		if [ "${FLANK_MATRIX_REUSE:-0}" = 1 ] && [ -f "$swork.seconds" ]; then
			sseconds=$(cat "$swork.seconds")
		else
			sseconds=$(($(date +%s) - sstart))
			echo "$src" >"$swork.rc"
			echo "$sseconds" >"$swork.seconds"
		fi
		tail -n 3 "$swork.out" 2>/dev/null | sed "s/^/e2e-matrix: $cell (stress): /"
		log=$swork/serial.log
		if [ "$src" -eq 0 ]; then
			stress="pass: $(val loop_rounds) rounds, $(val bg_nmis_received) NMIs ($(val bg_nmis_root) in VMX root)"
			stress="$stress, WAITPKG $(out waitpkg_bare | tail -n 1 | tr ' ' '\n' | sed -n 's/^waitpkg=//p')"
		else
			stress=FAIL
			rc=1
		fi
		stress="$stress; $sseconds s"
	fi
	if [ "$rc" -eq 0 ] && [ -f "$work/noboot" ]; then
		result="no boot: $(cat "$work/noboot")"
	elif [ "$rc" -eq 0 ]; then
		result=pass
	else
		result=FAIL
		failed=1
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cell" "${model:--}" \
		"$cpus" "${kernel:--}" "$cmdline" "$result" "$boot" "$check" "$startstop" \
		"$workload" "$st" "$cpuid" "$exits" "$seconds" "$stress" >>"$results"
	echo "e2e-matrix: $cell: $result in $seconds s"
done
echo "e2e-matrix: results in $results (scripts/matrix-status.sh $results regenerates docs/status.md's matrix table)"
exit "$failed"
