#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded libFuzzer run over the dump reader: seeds are dumps of the
# minikernel written by tests/mkkdump.py (kdump-compressed and ELF,
# healthy and with each container corruption), plus every input a past
# run found (tests/fuzz/dump-regressions/), which must all pass first.
# Fails on any finding (crash, sanitizer report, timeout, memory blow-up).
set -eu
fuzzer=$1
vmlinux=$2
seconds=${3:-90}
work=build/fuzz/dump
mkdir -p "$work/corpus" "$work/artifacts" "$work/seeds"
rm -f "$work/artifacts"/*
export KLPSTACK_FUZZ_VMLINUX="$vmlinux"
# leaks inside libkdumpfile's own failed open are upstream's (lsan.supp)
export LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
mk=tests/mkkdump.py
python3 "$mk" "$work/seeds/mini.kdump" --vmlinux "$vmlinux"
python3 "$mk" "$work/seeds/mini.elf" --vmlinux "$vmlinux" --format elf
for kind in $(python3 "$mk" --help | awk '/^  [a-z]/ {print $1}'); do
	python3 "$mk" "$work/seeds/mini-$kind.kdump" --vmlinux "$vmlinux" --corrupt "$kind"
	python3 "$mk" "$work/seeds/s390x-$kind.kdump" --arch s390x --corrupt "$kind"
done
cp "$work/seeds"/* "$work/corpus/"
# past findings: each input once, no fuzzing
if [ -d tests/fuzz/dump-regressions ] && [ -n "$(ls tests/fuzz/dump-regressions)" ]; then
	if ! "$fuzzer" -runs=1 tests/fuzz/dump-regressions/* >"$work/regressions.log" 2>&1; then
		echo "fuzz-dump: a past finding fails again:"
		tail -40 "$work/regressions.log"
		exit 1
	fi
	echo "fuzz-dump: $(ls tests/fuzz/dump-regressions | wc -l) past findings pass"
	cp tests/fuzz/dump-regressions/* "$work/corpus/"
fi
set +e
nice -n 19 "$fuzzer" "$work/corpus" \
	-seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 \
	>"$work/fuzz.log" 2>&1
rc=$?
set -e
grep -aE '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$work/fuzz.log" || true
echo "fuzz-dump: corpus $(ls "$work/corpus" | wc -l) inputs"
if [ "$rc" -ne 0 ] || [ -n "$(ls "$work/artifacts")" ]; then
	echo "fuzz-dump: FINDING (exit $rc); log tail:"
	tail -40 "$work/fuzz.log"
	ls -l "$work/artifacts"
	echo "keep it: cp $work/artifacts/<file> tests/fuzz/dump-regressions/"
	exit 1
fi
echo "fuzz-dump: clean after ${seconds}s"
