#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded libFuzzer run over the kallsyms and BTF decoders (klpscan
# --no-debuginfo), seeded with a minimal BTF blob of each byte order and a
# tiny kallsyms table.  Fails on any finding.
set -eu
fuzzer=$1
seconds=${2:-30}
work=build/fuzz/decoders
mkdir -p "$work/corpus" "$work/artifacts"
rm -f "$work/artifacts"/*
# seeds: an empty BTF (header and a one-byte string section) of each byte
# order, a tiny kallsyms table
printf '\200\031\000\237\353\001\000\030\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\001\000\000\000\000' >"$work/corpus/btf-le"
printf '\200\031\000\353\237\001\000\000\000\000\030\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\001\000' >"$work/corpus/btf-be"
printf '\001\000\000\040\000\000\001\000\002\000\003\000\000\000\000\000\001\000\000\000' >"$work/corpus/kallsyms"
set +e
"$fuzzer" "$work/corpus" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
	-max_len=65536 -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
	>"$work/fuzz.log" 2>&1
rc=$?
set -e
grep -aE '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$work/fuzz.log" || true
if [ "$rc" -ne 0 ] || [ -n "$(ls "$work/artifacts")" ]; then
	echo "fuzz-decoders: FINDING (exit $rc); log tail:"
	tail -40 "$work/fuzz.log"
	ls -l "$work/artifacts"
	exit 1
fi
echo "fuzz-decoders: clean after ${seconds}s"
