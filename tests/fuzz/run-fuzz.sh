#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-fuzz.sh FUZZER WORKDIR SEEDS...
#
# Runs the libFuzzer binary for FUZZ_SECONDS (default 60) over the growing
# corpus WORKDIR/corpus and the read-only seed directories; crash inputs
# land in WORKDIR/artifacts (copy them to tests/fuzz/regressions/ to keep
# them as regression tests). Exits non-zero if the fuzzer found a crash.
set -u
fuzzer=${1:?usage: run-fuzz.sh FUZZER WORKDIR SEEDS...}
work=${2:?usage: run-fuzz.sh FUZZER WORKDIR SEEDS...}
shift 2
seconds=${FUZZ_SECONDS:-60}
mkdir -p "$work/corpus" "$work/artifacts" || exit 1
echo "fuzz: running $fuzzer for $seconds s; corpus $work/corpus"
"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" -timeout=10 -rss_limit_mb=2048 \
	"$work/corpus" "$@"
rc=$?
if [ $rc -ne 0 ]; then
	echo "fuzz: the fuzzer failed (exit $rc); inputs in $work/artifacts/" >&2
fi
exit $rc
