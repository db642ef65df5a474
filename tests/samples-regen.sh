#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The committed samples are exactly what their generators write: every
# samples/*/mksamples.py is run into a scratch directory and each file it
# writes must equal the committed one, and each committed sample of that
# directory must come from it.  Closing line: "samples-regen: N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/klpstack-regen.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for gen in samples/*/mksamples.py; do
	dir=$(dirname "$gen")
	out=$work/$(basename "$dir")
	mkdir -p "$out"
	if ! python3 "$gen" "$out" >"$work/log" 2>&1; then
		echo "FAIL: $gen: $(tail -n 3 "$work/log")"
		failed=$((failed + 1))
		continue
	fi
	for f in "$out"/*.sample; do
		if cmp -s "$f" "$dir/$(basename "$f")"; then
			passed=$((passed + 1))
		else
			echo "FAIL: $dir/$(basename "$f") differs from what $gen writes"
			failed=$((failed + 1))
		fi
	done
	for f in "$dir"/*.sample; do
		[ -e "$out/$(basename "$f")" ] && continue
		echo "FAIL: $f is not written by $gen"
		failed=$((failed + 1))
	done
done
echo "samples-regen: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
