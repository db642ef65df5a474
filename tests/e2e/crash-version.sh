#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# crash-version.sh DUMPDIR - one klpstack.so per crash version, proven on a
# real dump (x86_64: DUMPDIR/vmlinux and DUMPDIR/vmcore.elf or vmcore):
#
#  1. klpstack.so is built against another Debian suite's crash headers
#     (trixie's crash:amd64, unpacked by suite-apt.sh, never installed):
#     make CRASH_INC=... gives build/crash-VERSION/klpstack.so recording
#     that version;
#  2. the host's crash loads it and refuses with exactly one line of ours
#     naming both versions, and the session goes on: the matching build
#     (./klpstack.so, for the host's crash) then loads and walks a task;
#  3. when the other suite's crash can run from a sysroot of its own
#     (suite-apt.sh sysroot), its build loads there and walks the task too.
#
# Closing line: "crash-version: N passed, N failed".
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
SUITE=${KLPSTACK_OTHER_SUITE:-trixie}
dir=${1:?usage: crash-version.sh DUMPDIR}
out=$top/build/e2e/crash-version
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() { echo "crash-version: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }

vmcore=$dir/vmcore.elf
[ -r "$vmcore" ] || vmcore=$dir/vmcore
[ -r "$dir/vmlinux" ] && [ -r "$vmcore" ] || { bad "no dump in $dir"; finish; }
rm -rf "$out"
mkdir -p "$out"

host_ver=$(crash --version 2>/dev/null | awk '$1 == "crash" { print $2; exit }')
[ -n "$host_ver" ] || { bad "cannot tell the host crash's version"; finish; }
[ -f klpstack.so ] && [ "$(cat build/crash-version 2>/dev/null)" = "$host_ver" ] ||
	{ bad "./klpstack.so is not built for the host's crash $host_ver (run make)"; finish; }

# 1. the other suite's crash headers and its build
pkgdir=$CACHE/crash-$SUITE
bash tests/e2e/suite-apt.sh "$SUITE" unpack "$pkgdir" crash:amd64 >"$out/unpack.log" 2>&1 ||
	{ cat "$out/unpack.log"; bad "cannot unpack $SUITE's crash"; finish; }
# apt's idea of the version; the Makefile finds it in the unpacked files
other_ver=$(bash tests/e2e/suite-apt.sh "$SUITE" version crash:amd64 | sed 's/^[0-9]*://; s/-[^-]*$//; s/[+~].*//')
[ -n "$other_ver" ] || { bad "no crash in $SUITE"; finish; }
if [ "$other_ver" = "$host_ver" ]; then
	# the same release in both suites: no mismatch to show with it
	echo "note: $SUITE has the host's crash $host_ver; building a mismatch with CRASH_VERSION=0.0.1"
	other_ver=0.0.1
	make_args=(CRASH_INC=/usr/include/crash CRASH_VERSION=0.0.1)
else
	make_args=(CRASH_INC="$pkgdir/usr/include/crash")
fi
so=build/crash-$other_ver/klpstack.so
if make "${make_args[@]}" >"$out/make.log" 2>&1 && [ -f "$so" ] &&
	[ "$(cat "build/crash-$other_ver/crash-version")" = "$other_ver" ] &&
	grep -aq "klpstack.so built for crash $other_ver" "$so"; then
	ok "make ${make_args[*]} built $so for crash $other_ver"
else
	cat "$out/make.log"
	bad "no $so recording crash $other_ver"
	finish
fi
exports=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sort | tr '\n' ' ')
[ "$exports" = "klpstack_fini klpstack_init " ] && ok "$so exports only $exports" ||
	bad "$so exports: $exports"

# 2. the host's crash: the foreign build refused in one line, the session
#    goes on, the matching build works
pid=$(awk '$1 == "task" && $2 != 0 { print $2; exit }' "$dir/truth.txt")
cat >"$out/cmds" <<EOF
extend $top/$so
extend $top/klpstack.so
klpstack $pid
quit
EOF
rc=0
PAGER=cat timeout 900 crash -s "$dir/vmlinux" "$vmcore" -i "$out/cmds" </dev/null \
	>"$out/host.log" 2>&1 || rc=$?
ours=$(grep -c "klpstack.so is for crash" "$out/host.log" || true)
line=$(grep "klpstack.so is for crash" "$out/host.log" || true)
echo "crash $host_ver said: $line"
[ "$ours" -eq 1 ] && [[ $line == *"is for crash $other_ver, this is crash $host_ver: not loaded"* ]] &&
	ok "refused in one line" || bad "expected one refusal naming $other_ver and $host_ver (got $ours lines)"
grep -q "^$top/klpstack.so: shared object loaded" "$out/host.log" &&
	grep -Eq "^ *$pid +[^ ]+ +0x[0-9a-f]+ +(reliable|unreliable|running)" "$out/host.log" &&
	grep -q "^tasks 1:" "$out/host.log" && [ "$rc" -eq 0 ] &&
	ok "the session went on: the build for crash $host_ver loaded and walked PID $pid" ||
	{ tail -n 20 "$out/host.log"; bad "the session after the refusal (crash exit $rc)"; }

# 3. the other suite's crash with its own build, where it runs here
if [ "$other_ver" != 0.0.1 ]; then
	root=$CACHE/crash-$SUITE-sysroot
	if bash tests/e2e/suite-apt.sh "$SUITE" sysroot "$root" crash:amd64 >"$out/sysroot.log" 2>&1 &&
		[ -x "$root/usr/bin/crash" ]; then
		printf 'extend %s\nklpstack %s\nquit\n' "$top/$so" "$pid" >"$out/cmds2"
		rc=0
		PAGER=cat timeout 900 "$root/lib64/ld-linux-x86-64.so.2" \
			--library-path "$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" \
			"$root/usr/bin/crash" -s "$dir/vmlinux" "$vmcore" -i "$out/cmds2" </dev/null \
			>"$out/other.log" 2>&1 || rc=$?
		grep -q "klpstack.so: shared object loaded" "$out/other.log" &&
			grep -q "^tasks 1:" "$out/other.log" && [ "$rc" -eq 0 ] &&
			ok "$SUITE's crash $other_ver loaded its build and walked PID $pid" ||
			{ tail -n 20 "$out/other.log"; bad "$SUITE's crash $other_ver with its build (exit $rc)"; }
	else
		tail -n 5 "$out/sysroot.log"
		bad "no sysroot for $SUITE's crash"
	fi
fi
finish
