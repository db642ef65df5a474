#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every rule in the rule lists (src/rules.h, arch/*/rules.h) is in README's
# rule table, by name or by its family row (ORC_*, FP_*, S390_*), and the
# table names no rule the lists lack.  Closing line: "readme-rules: N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
passed=0
failed=0
rules=$(cat src/rules.h arch/*/rules.h | sed -n 's/.*X(\([A-Z][A-Z0-9_]*\),.*/\1/p' | grep -v '^NONE$' | sort -u)
table=$(sed -n 's/^| `\([A-Z][A-Z0-9_*]*\)` |.*/\1/p' README.md)
for r in $rules; do
	found=0
	for t in $table; do
		case $t in
		*'*') case $r in "${t%\*}"*) found=1 ;; esac ;;
		*) [ "$t" = "$r" ] && found=1 ;;
		esac
	done
	if [ $found -eq 1 ]; then passed=$((passed + 1)); else
		echo "README rule table lacks $r"; failed=$((failed + 1)); fi
done
for t in $table; do
	case $t in *'*') continue ;; esac
	if echo "$rules" | grep -qx "$t"; then passed=$((passed + 1)); else
		echo "README rule table names $t, which no rule list has"; failed=$((failed + 1)); fi
done
echo "readme-rules: $passed passed, $failed failed"
[ $failed -eq 0 ]
