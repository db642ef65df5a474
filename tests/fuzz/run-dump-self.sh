#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded libFuzzer run over the dump reader without a vmlinux (klpscan
# --no-debuginfo): seeds are minikernel dumps that describe themselves as
# a 6.0+ kernel does, kallsyms tables located by VMCOREINFO and BTF
# (tests/mkkdump.py --self-btf), kdump-compressed and ELF.  The whole path
# runs: container, kallsyms decode, BTF, the kernel probe, task lists,
# walks.  Fails on any finding (crash, sanitizer report, timeout).
set -eu
fuzzer=$1
vmlinux=$2
btf=$3
seconds=${4:-30}
work=build/fuzz/dump-self
mkdir -p "$work/corpus" "$work/artifacts" "$work/seeds"
rm -f "$work/artifacts"/*
export KLPSTACK_FUZZ_NO_DEBUGINFO=1
# leaks inside libkdumpfile's own failed open are upstream's (lsan.supp)
export LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
mk=tests/mkkdump.py
python3 "$mk" "$work/seeds/self.kdump" --vmlinux "$vmlinux" --self-btf "$btf"
python3 "$mk" "$work/seeds/self.elf" --vmlinux "$vmlinux" --self-btf "$btf" --format elf
cp "$work/seeds"/* "$work/corpus/"
set +e
nice -n 19 "$fuzzer" "$work/corpus" \
	-seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 \
	>"$work/fuzz.log" 2>&1
rc=$?
set -e
grep -aE '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$work/fuzz.log" || true
if [ "$rc" -ne 0 ] || [ -n "$(ls "$work/artifacts")" ]; then
	echo "fuzz-dump-self: FINDING (exit $rc); log tail:"
	tail -40 "$work/fuzz.log"
	ls -l "$work/artifacts"
	exit 1
fi
echo "fuzz-dump-self: clean after ${seconds}s"
