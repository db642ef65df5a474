#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded libFuzzer run over the sample loader and the unwinders, seeded
# with the bundled samples.  Fails on any finding (crash, sanitizer
# report, timeout, memory blow-up).
set -eu
fuzzer=$1
seconds=${2:-60}
work=build/fuzz
mkdir -p "$work/corpus" "$work/artifacts"
cp samples/*/*.sample "$work/corpus/" 2>/dev/null || true
[ -d tests/fuzz/corpus ] && cp tests/fuzz/corpus/* "$work/corpus/" 2>/dev/null || true
rm -f "$work/artifacts"/*
set +e
nice -n 19 "$fuzzer" "$work/corpus" -dict=tests/fuzz/sample.dict \
	-seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 \
	>"$work/fuzz.log" 2>&1
rc=$?
set -e
grep -aE '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$work/fuzz.log" || true
corpus=$(ls "$work/corpus" | wc -l)
echo "fuzz: corpus $corpus inputs"
if [ "$rc" -ne 0 ] || [ -n "$(ls "$work/artifacts")" ]; then
	echo "fuzz: FINDING (exit $rc); log tail:"
	tail -40 "$work/fuzz.log"
	ls -l "$work/artifacts"
	exit 1
fi
echo "fuzz: clean after ${seconds}s"
