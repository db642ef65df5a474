#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# doc/kernel-rules.md, section 13: one row per rule of the rule lists
# (src/rules.h, arch/*/rules.h), no row for a rule the lists lack, and every
# section a row points to exists as a "### N.M" or "## N." heading.
# Closing line: "doc-rules: N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
doc=doc/kernel-rules.md
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "$doc: $*"; failed=$((failed + 1)); }

rules=$(cat src/rules.h arch/*/rules.h | sed -n 's/.*X(\([A-Z][A-Z0-9_]*\),.*/\1/p' | sort -u)
# rows of the rule table: "| `NAME` | list | sections | sample |"
rows=$(sed -n 's/^| `\([A-Z][A-Z0-9_]*\)` | [^|]* | \([^|]*\) |.*/\1 \2/p' "$doc")
names=$(echo "$rows" | cut -d' ' -f1 | sort)

for r in $rules; do
	if echo "$names" | grep -qx "$r"; then ok; else bad "rule table lacks $r"; fi
done
for n in $names; do
	if echo "$rules" | grep -qx "$n"; then ok; else bad "rule table names $n, which no rule list has"; fi
done
dups=$(echo "$names" | uniq -d)
for d in $dups; do bad "rule table lists $d twice"; done

# each section number in the rows must be a heading
for sec in $(echo "$rows" | cut -d' ' -f2- | grep -o '[0-9][0-9]*\(\.[0-9][0-9]*\)\?' | sort -u); do
	case $sec in
	*.*) pat="^### $sec " ;;
	*) pat="^## $sec\. " ;;
	esac
	if grep -q "$pat" "$doc"; then ok; else bad "rule table points to section $sec, which has no heading"; fi
done
echo "doc-rules: $passed passed, $failed failed"
[ $failed -eq 0 ]
