#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# crash-x86_64.sh DUMPDIR [OUT.json]
#
# Run the crash extension on a real x86_64 vmcore in batch mode:
#   crash -s DUMPDIR/vmlinux DUMPDIR/vmcore -i CMDFILE
# with CMDFILE = "extend klpstack.so", "klpstack -j > FILE", "quit", and
# write the JSON report (schema klpstack/1) to OUT.json or stdout.
# crash's own output goes to stderr.
#
# Environment: KLPSTACK_SO (default: klpstack.so at the top of the tree),
# CRASH (default: crash), KLPSTACK_ARGS (more klpstack options, e.g.
# "-m strict"), CRASH_TIMEOUT seconds (default 600).
#
# Exit status: 0 ok, 1 failure (message on stderr), 2 usage.
set -eu

prog=crash-x86_64
die() { echo "$prog: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
dir=$1
out=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
so=${KLPSTACK_SO:-$top/klpstack.so}
crash=${CRASH:-crash}
timeout_s=${CRASH_TIMEOUT:-600}

[ -r "$dir/vmcore" ] || die "$dir/vmcore: not readable"
[ -r "$dir/vmlinux" ] || die "$dir/vmlinux: not readable"
[ -r "$so" ] || die "$so: not found (run make first)"
command -v "$crash" >/dev/null || die "$crash not found"
case $so in /*) ;; *) so=$PWD/$so ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/klpstack-crash.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# crash parses "> file" itself; its arguments are split on blanks, so the
# work dir must not contain any (mktemp's does not unless TMPDIR does).
case $work$so in *[[:space:]]*) die "paths with blanks are not supported: $work $so" ;; esac

cat >"$work/cmds" <<EOF
extend $so
klpstack -j ${KLPSTACK_ARGS:-} > $work/out.json
quit
EOF

rc=0
timeout "$timeout_s" "$crash" -s "$dir/vmlinux" "$dir/vmcore" -i "$work/cmds" \
	</dev/null >"$work/crash.log" 2>&1 || rc=$?
cat "$work/crash.log" >&2
[ "$rc" -eq 0 ] || die "crash exited with status $rc"
[ -s "$work/out.json" ] || die "klpstack wrote no report (see crash's output above)"
python3 -m json.tool "$work/out.json" >/dev/null 2>"$work/json.err" ||
	die "the report is not valid JSON: $(cat "$work/json.err")"

if [ -n "$out" ]; then
	cp "$work/out.json" "$out"
else
	cat "$work/out.json"
fi
