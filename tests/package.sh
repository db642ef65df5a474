#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package: dpkg-buildpackage -us -uc -b on a copy of the tracked
# sources builds it, lintian finds nothing, and the .deb holds klpscan on
# PATH, klpstack.so where crash's "extend klpstack.so" looks and the man
# pages.  (The build-time "make check" is skipped here: make check runs it.)
# Closing line: "package: N passed, N failed".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/klpstack-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
version=$(cat "$top/VERSION")
src=$work/klpstack-$version
mkdir -p "$src"
(cd "$top" && git ls-files -z | tar --null -T - -cf -) | (cd "$src" && tar -xf -)
passed=0
failed=0
check() { # WHAT COMMAND...
	what=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $what"
		tail -n 20 "$work/out"
	fi
}
check "dpkg-buildpackage -us -uc -b" sh -c \
	"cd '$src' && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b"
deb=$(ls "$work"/klpstack_"$version"_*.deb 2>/dev/null | head -n 1)
if [ -n "$deb" ]; then
	check "lintian --pedantic is clean" sh -c \
		"lintian --pedantic '$deb' 2>&1 | grep -v 'running with root privileges' | tee /dev/stderr | [ \$(wc -l) -eq 0 ]"
	dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
	for f in ./usr/bin/klpscan ./usr/lib/crash/extensions/klpstack.so \
		./usr/share/man/man1/klpscan.1.gz ./usr/share/man/man8/klpstack.8.gz; do
		check "the package holds $f" grep -qx "$f" "$work/files"
	done
	dpkg-deb -x "$deb" "$work/root"
	check "the packaged klpscan runs" "$work/root/usr/bin/klpscan" --check "$top/samples/x86_64/orc-user-reliable.sample"
else
	failed=$((failed + 1))
	echo "FAIL: no .deb built"
fi
echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
