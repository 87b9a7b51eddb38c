#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# campaign.sh RESULTS WORK_BASE FLANK_DIFF_KO REPLAY
#
# `make diff-campaign` (docs/differential.md): for each Bochs model, one
# boot that runs $FLANK_DIFF_CASES (default 10000) seeded cases in
# flank_diff.ko (bochs-diff.sh), then flank-diff-replay (REPLAY) on its
# serial log; writes RESULTS: date, command, commit, and per model the seed,
# the figures and the disagreements grouped by kind. Logs stay in
# WORK_BASE/MODEL/.
#   FLANK_DIFF_MODELS  models to run (default: skx27 penryn27 spr30)
#   FLANK_DIFF_REUSE=1 replay the logs of the last run without booting
#   FLANK_DIFF_SEED    base seed (default 20261207): skx27 runs base + 1,
#                      penryn27 base + 2, spr30 base + 3
# Exits 1 if a run did not complete, 0 otherwise (disagreements are
# reported, and each is documented in docs/emulator.md).
set -u
results=${1:?usage: campaign.sh RESULTS WORK_BASE FLANK_DIFF_KO REPLAY}
base=${2:?}
ko=${3:?}
replay=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
models=${FLANK_DIFF_MODELS:-skx27 penryn27 spr30}
cases=${FLANK_DIFF_CASES:-10000}
seed0=${FLANK_DIFF_SEED:-20261207}
mkdir -p "$base" "$(dirname "$results")"
tmp=$results.tmp
{
	echo "# Differential campaign: emulated VT-x against Bochs"
	echo
	echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') by \`make diff-campaign\` (tests/diff/campaign.sh), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)${FLANK_DIFF_REUSE:+, FLANK_DIFF_REUSE=$FLANK_DIFF_REUSE}. How to read it: docs/differential.md."
	echo
} >"$tmp"
failed=0
for m in $models; do
	case $m in
	skx27) seed=$((seed0 + 1)) ;;
	penryn27) seed=$((seed0 + 2)) ;;
	spr30) seed=$((seed0 + 3)) ;;
	*) seed=$seed0 ;;
	esac
	work=$base/$m
	echo "diff-campaign: $m, seed $seed, $cases cases"
	if [ "${FLANK_DIFF_REUSE:-0}" != 1 ]; then
		"$here/bochs-diff.sh" "$m" "$work" "$ko" "$seed" "$cases" || failed=1
	fi
	{
		echo "## $m"
		echo
		echo '```'
		sed -n 's/^bochs: /bochs: /p; s/^cpu: /cpu: /p; s/^kernel: /kernel: /p; s/^cmdline: /cmdline: /p' "$work/cell" 2>/dev/null
		echo "case stream: version $(sed -n 's/^.*FD: begin v\([0-9]*\) .*$/\1/p' "$work/serial.txt" 2>/dev/null | head -n 1)"
		echo "boot and run: $(cat "$work/seconds" 2>/dev/null || echo ?) s"
		sed -n '/FD: end/q; s/^.*FD: \(msr .*\)$/\1/p' "$work/serial.txt" 2>/dev/null | paste -sd' ' - | fold -w 100 -s
		"$replay" --show 0 --min-cases "$cases" "$work/serial.txt" >"$work/replay.txt" 2>&1 || failed=1
		cat "$work/replay.txt"
		echo "replay: $(basename "$replay") --show 0 --min-cases $cases $work/serial.txt (seed $seed)"
		echo '```'
		echo
	} >>"$tmp"
done
# A table of the figures first, then each model's details.
{
	sed -n '1,/^$/p' "$tmp"
	echo "| model | seed | cases | agree | disagree | groups of disagreements |"
	echo "|---|---|---|---|---|---|"
	for m in $models; do
		r=$base/$m/replay.txt
		line=$(grep -m 1 '^seed ' "$r" 2>/dev/null)
		seed=$(echo "$line" | sed -n 's/^seed \([0-9]*\),.*/\1/p')
		n=$(echo "$line" | sed -n 's/.*: \([0-9]*\) replayed.*/\1/p')
		agree=$(echo "$line" | sed -n 's/.* \([0-9]*\) agree.*/\1/p')
		dis=$(echo "$line" | sed -n 's/.* \([0-9]*\) disagree.*/\1/p')
		groups=$(sed -n 's/^disagreements by kind (\([0-9]*\) groups):$/\1/p' "$r" 2>/dev/null)
		echo "| $m | ${seed:-?} | ${n:-?} | ${agree:-?} | ${dis:-?} | ${groups:-0} |"
	done
	echo
	sed -n '/^$/,$p' "$tmp" | tail -n +2
} >"$tmp.2"
mv "$tmp.2" "$tmp"
# Paths relative to the checkout and the cache: the file does not depend on them.
sed -e "s|$root/|./|g" -e "s|$HOME/|~/|g" "$tmp" >"$results"
rm -f "$tmp"
echo "diff-campaign: results in $results"
exit "$failed"
