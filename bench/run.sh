#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/run.sh [DUMPDIR...]
#
# Benchmarks of klpstack on real vmcores; prints Markdown tables (see
# bench/README.md for what each figure means).  A DUMPDIR holds vmcore
# (kdump), vmlinux and optionally vmcore.elf, as tests/e2e/mkdump-*.sh
# make them.  Default: x86_64-voluntary and the x86_64-many-N dumps of
# bench/mkdump-many.sh, from ${XDG_CACHE_HOME:-$HOME/.cache}/klpstack/dumps.
#
# Compared with: sid's crash 9.0.x (it sees every task of these kernels;
# bookworm's 8.0.2 sees 2-4), run from its unpacked sysroot as the e2e
# does (tests/e2e/lines-x86_64.sh), with the klpstack.so built against its
# defs.h; and sid's drgn (python3-drgn 0.3.x) with sid's python, both
# from a sysroot unpacked by tests/e2e/suite-apt.sh into
# $CACHE/bench-drgn-sid, started through the sysroot's own loader.  No
# package of another suite is installed on the host.
#
# Environment:
#   REPS=5          runs of each klpscan variant and rounds of the timed
#                   crash commands (the fastest run counts: the machine
#                   is shared; per-task figures are medians of pairs)
#   CRASH_REPS=1    crash batch processes per dump and command
#   DRGN_REPS=1     drgn runs per dump
#   DRGN_CORES="vmcore.elf vmcore"  the dump files drgn reads (default:
#                   vmcore.elf when there is one, else vmcore)
#   NO_S390X_CRASH=1  skip crash on s390x dumps (qemu-user: minutes)
#   CALLGRIND="NAME..."  dumps (directory names) to run under callgrind
#                   (default: none; "default" = the first and the largest
#                   x86_64-many-N)
#   NO_DRGN=1  NO_SESSION=1  NO_CRASH=1  skip those parts (NO_CRASH:
#                   the session and the batch runs)
#   BENCH_OUT=DIR   keep raw logs there (default: a new dir under /tmp)
#
# Exit status: 0 ok (figures that could not be taken say so in the
# table), 1 setup failure, 2 usage.
set -euo pipefail

prog=bench
die() { echo "$prog: $*" >&2; exit 1; }
case ${1:-} in -h|--help) sed -n '3,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; -*) echo "$prog: unknown option $1 (see -h)" >&2; exit 2 ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
REPS=${REPS:-5}
CRASH_REPS=${CRASH_REPS:-1}
DRGN_REPS=${DRGN_REPS:-1}
case $REPS$CRASH_REPS$DRGN_REPS in *[!0-9]*) die "REPS, CRASH_REPS and DRGN_REPS must be numbers" ;; esac
if [ "$REPS" -lt 1 ] || [ "$REPS" -gt 50 ]; then die "REPS: 1..50"; fi
if [ "$CRASH_REPS" -lt 1 ] || [ "$CRASH_REPS" -gt 20 ]; then die "CRASH_REPS: 1..20"; fi
if [ "$DRGN_REPS" -lt 1 ] || [ "$DRGN_REPS" -gt 20 ]; then die "DRGN_REPS: 1..20"; fi
out=${BENCH_OUT:-$(mktemp -d /tmp/klpstack-bench.XXXXXX)}
mkdir -p "$out"
# crash splits its command lines on blanks, and redirections in them are
# crash's own: no blanks in the paths handed to it.
case $out$top in *[[:space:]]*) die "paths with blanks are not supported: $out $top" ;; esac

dumps=("$@")
if [ ${#dumps[@]} -eq 0 ]; then
	# the e2e dump (tracers, livepatch test modules; about 80 tasks)
	if [ -r "$cache/dumps/x86_64-voluntary/vmcore" ]; then dumps+=("$cache/dumps/x86_64-voluntary"); fi
	# The scaling dumps of bench/mkdump-many.sh, fewest tasks first.
	while read -r n; do
		dumps+=("$cache/dumps/x86_64-many-$n")
	done < <(for d in "$cache"/dumps/x86_64-many-*; do
			n=${d##*-}
			case $n in ''|*[!0-9]*) continue ;; esac
			if [ -r "$d/vmcore" ]; then echo "$n"; fi
		 done | sort -n)
fi
[ ${#dumps[@]} -gt 0 ] || die "no dumps given and none in $cache/dumps (make them with tests/e2e/mkdump-*.sh)"

# The host's python: runs table.py and reads klpscan's JSON (drgn runs
# with sid's python from its sysroot, below).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 not found"
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time not found (package time)"

echo "$prog: building (make)" >&2
make -C "$top" -s >/dev/null || die "make failed"

# sid's crash (9.0.x) from the e2e's sysroot, and the klpstack.so built
# against its defs.h.  Sourced for line_crash_root: the sid-cloud line
# adds --no_modules for 7.x kernels, which crash 9.0.x reads fine on the
# 6.1 kernels of these dumps (module list and all), so the sysroot's crash
# is started here without it.
# shellcheck source=tests/e2e/lines-x86_64.sh
. "$top/tests/e2e/lines-x86_64.sh"
CRASH_ROOT=$(line_crash_root sid) || die "no sysroot of sid's crash"
CRASH_SO=$(bash "$top/tests/e2e/lines-x86_64.sh" so sid-cloud) || die "cannot build klpstack.so for sid's crash"
CRASH_VERSION=$(bash "$top/tests/e2e/lines-x86_64.sh" crash-version sid-cloud)
[ -n "$CRASH_VERSION" ] || die "cannot tell the version of sid's crash"
crash_sid() {
	"$CRASH_ROOT/lib64/ld-linux-x86-64.so.2" \
		--library-path "$CRASH_ROOT/usr/lib/x86_64-linux-gnu:$CRASH_ROOT/lib/x86_64-linux-gnu:$CRASH_ROOT/usr/lib" \
		"$CRASH_ROOT/usr/bin/crash" "$@"
}

# sid's drgn with sid's python, unpacked once (suite-apt.sh sysroot) and
# run through the sysroot's loader, so that nothing of sid's goes into
# the host.
DRGN_ROOT=$cache/bench-drgn-sid
DRGN_PY=
if [ -z "${NO_DRGN:-}" ]; then
	if [ ! -e "$DRGN_ROOT/.complete" ]; then
		echo "$prog: unpacking sid's python3-drgn into $DRGN_ROOT" >&2
		bash "$top/tests/e2e/suite-apt.sh" sid sysroot "$DRGN_ROOT" python3-drgn:amd64 >&2 ||
			die "cannot unpack sid's python3-drgn (NO_DRGN=1 skips drgn)"
	fi
	# the one python3.X the closure brought (python3-drgn depends on it)
	DRGN_PY=$(find "$DRGN_ROOT/usr/bin" -maxdepth 1 -name 'python3.[0-9]*' -type f \
		-regex '.*/python3\.[0-9]+$' | sort -V | tail -n 1)
	[ -n "$DRGN_PY" ] || die "no usr/bin/python3.X in $DRGN_ROOT"
fi
drgn_py() {
	PYTHONHOME=$DRGN_ROOT/usr \
	PYTHONPATH=$DRGN_ROOT/usr/lib/python3/dist-packages \
	PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1 \
		"$DRGN_ROOT/lib64/ld-linux-x86-64.so.2" \
		--library-path "$DRGN_ROOT/usr/lib/x86_64-linux-gnu:$DRGN_ROOT/lib/x86_64-linux-gnu" \
		"$DRGN_PY" "$@"
}
if [ -n "$DRGN_PY" ]; then
	drgn_py -c 'import drgn' || die "sid's drgn does not import in $DRGN_ROOT (NO_DRGN=1 skips drgn)"
fi

arch_of() {
	# The vmlinux says which machine; the release string may not.
	case $(LC_ALL=C readelf -h "$1/vmlinux" 2>/dev/null | sed -n 's/^ *Machine: *//p') in
	*X86-64*) echo x86_64 ;;
	*S/390*) echo s390x ;;
	*) echo unknown ;;
	esac
}

need_s390x=0
for d in "${dumps[@]}"; do
	if [ "$(arch_of "$d")" = s390x ]; then need_s390x=1; fi
done
if [ $need_s390x = 1 ] && [ -z "${NO_S390X_CRASH:-}" ]; then
	make -C "$top" -s ARCH=s390x >/dev/null || die "make ARCH=s390x failed"
fi

# ---- small functions ----

# res FILE KEY VALUE: one figure, read back by table.py.
res() { printf '%s\t%s\n' "$2" "$3" >>"$1"; }

# timev LOG: wall seconds and peak RSS (KiB) from /usr/bin/time -v.
timev() {
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%s %s\n", wall, rss }' "$1"
}

# crash_argv ARCH: sets CRASHV to the command that starts that arch's crash
# (an array: timeout and /usr/bin/time run it, no shell function).
crash_argv() {
	if [ "$1" = s390x ]; then
		CRASHV=("$top/tests/e2e/crash-s390x.sh")
	else
		CRASHV=("$CRASH_ROOT/lib64/ld-linux-x86-64.so.2" --library-path
			"$CRASH_ROOT/usr/lib/x86_64-linux-gnu:$CRASH_ROOT/lib/x86_64-linux-gnu:$CRASH_ROOT/usr/lib"
			"$CRASH_ROOT/usr/bin/crash")
	fi
}
so_for() {
	if [ "$1" = s390x ]; then echo "$top/build/s390x/klpstack.so"; else echo "$CRASH_SO"; fi
}

# best_of FILE...: the fastest wall time and the largest peak RSS (KiB)
# of /usr/bin/time -v logs.
best_of() {
	local f wall kb best="" rss=0
	for f in "$@"; do
		[ -f "$f" ] || continue
		read -r wall kb < <(timev "$f")
		[ -n "$wall" ] || continue
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
		if [ "${kb:-0}" -gt "$rss" ]; then rss=$kb; fi
	done
	echo "$best $rss"
}

# ---- 1. one crash session: foreach bt vs klpstack vs klpstack -R ----
#
# Every timed command is preceded by a shell escape that prints a stamp;
# a command's time is the gap to the next stamp, less the cost of a bare
# escape (measured in the same session: "noop" is two stamps in a row).
# "klpstack 1" and "klpstack -R 1" (one task) give the fixed cost of a
# klpstack command (probing the kernel, listing the tasks), so that the
# per-task figures are the marginal ones.
session() {
	local d=$1 arch=$2 r=$3 w=$out/$4 so
	so=$(so_for "$arch")
	crash_argv "$arch"
	{
		echo "extend $so"
		# Warm-up: crash and gdb load symbol and type data lazily.
		echo "klpstack -R 1 > /dev/null"
		echo "klpstack 1 > /dev/null"
		echo "bt > /dev/null"
		for i in $(seq 1 "$REPS"); do
			echo "!date +'T noop $i %s.%N'"
			echo "!date +'T R1 $i %s.%N'"
			echo "klpstack -R 1 > $w.R1.$i"
			echo "!date +'T Rall $i %s.%N'"
			echo "klpstack -R > $w.Rall.$i"
			echo "!date +'T K1 $i %s.%N'"
			echo "klpstack 1 > $w.K1.$i"
			echo "!date +'T Kall $i %s.%N'"
			echo "klpstack > $w.Kall.$i"
			echo "!date +'T bt $i %s.%N'"
			echo "foreach bt > $w.bt.$i"
			echo "!date +'T end $i %s.%N'"
		done
		echo "quit"
	} >"$w.cmds"
	timeout 3600 "${CRASHV[@]}" -s "$d/vmlinux" "$d/vmcore" -i "$w.cmds" \
		</dev/null >"$w.session.log" 2>"$w.session.err" || true
	if ! grep -q '^T end ' "$w.session.log"; then
		res "$r" session.error "crash session did not finish (see $w.session.log)"
		return
	fi
	# Gaps between consecutive stamps of one repetition, in the order of
	# the repetitions (table.py pairs them: all tasks vs one task).
	awk '$1 == "T" { if (prev != "" && rep == $3) gap[prev] = gap[prev] " " sprintf("%.6f", $4 - t)
			 prev = $2; rep = $3; t = $4 }
	     END { for (k in gap) print k, gap[k] }' "$w.session.log" |
	while read -r key vals; do
		res "$r" "session.$key" "$vals"
	done
	res "$r" session.tasks.klpstack "$(sed -n 's/^tasks \([0-9]*\):.*/\1/p' "$w.Kall.1" | head -n 1)"
	res "$r" session.tasks.bt "$(grep -c '^PID:' "$w.bt.1" || true)"
	res "$r" session.R.line "$(grep '^klpstack -R:' "$w.Rall.1" | head -n 1)"
}

# ---- 2. klpscan: -j 1, -j 2 and the read floor, whole processes ----
#
# The three variants run in turn within each repetition, so that a load
# change hits all of them.  --read-floor (hidden, bench only) opens the
# dump like a walk, then reads each task's facts and whole stack and
# prints the seconds of that loop: its wall time less that loop is the
# fixed cost of a klpscan run (start, open the dump and the debug info,
# probe the kernel, exit), which table.py takes off the walk's wall time
# for the per-task figure.
klpscan_runs() {
	local d=$1 r=$2 w=$out/$3 i wall kb loops="" walls="" fwalls=""
	for i in $(seq 1 "$REPS"); do
		"$TIME" -v "$top/klpscan" --json --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
			>"$w.klpscan.json" 2>"$w.klpscan.time.$i" || true
		"$TIME" -v "$top/klpscan" -j 2 --json --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
			>"$w.klpscan-j2.json" 2>"$w.klpscan-j2.time.$i" || true
		"$TIME" -v -o "$w.floor.time.$i" "$top/klpscan" --read-floor --no-progress \
			--vmlinux "$d/vmlinux" "$d/vmcore" >"$w.floor.out.$i" 2>&1 || true
		read -r wall kb < <(timev "$w.klpscan.time.$i")
		walls="$walls ${wall:-x}"
		read -r wall kb < <(timev "$w.floor.time.$i")
		fwalls="$fwalls ${wall:-x}"
		loops="$loops $(sed -n 's/.*read floor: .* unreadable, \([0-9.]*\) s.*/\1/p' "$w.floor.out.$i" | head -n 1)"
	done
	read -r wall kb < <(best_of "$w".klpscan.time.*)
	res "$r" klpscan.wall "$wall"
	res "$r" klpscan.rss "$kb"
	read -r wall kb < <(best_of "$w".klpscan-j2.time.*)
	res "$r" klpscan.wall.j2 "$wall"
	res "$r" klpscan.rss.j2 "$kb"
	read -r wall kb < <(best_of "$w".floor.time.*)
	res "$r" floor.wall "$wall"
	# per repetition, for the pairs of table.py
	res "$r" klpscan.walls "$walls"
	res "$r" floor.walls "$fwalls"
	res "$r" floor.loops "$loops"
	res "$r" floor.line "$(grep 'read floor:' "$w.floor.out.1" | head -n 1)"
	res "$r" klpscan.tasks "$("$PY" -c 'import json,sys
d = json.loads(open(sys.argv[1]).readline())
print(d.get("tasks") if isinstance(d.get("tasks"), int) else len(d.get("tasks") or []))' "$w.klpscan.json" 2>/dev/null || echo 0)"
	if ! cmp -s "$w.klpscan.json" "$w.klpscan-j2.json"; then
		# the reports carry their "seconds": compare without them
		if ! diff <(sed 's/"seconds":[0-9.]*//g' "$w.klpscan.json") \
			<(sed 's/"seconds":[0-9.]*//g' "$w.klpscan-j2.json") >/dev/null; then
			res "$r" klpscan.j2.note "-j 2 output differs from -j 1 (see $w.klpscan*.json)"
		fi
	fi
}

# ---- 3. crash batch processes: klpstack, and foreach bt ----
#
# A support engineer's whole run: crash started on the dump, one command,
# quit.  Start-up (gdb reading the vmlinux) is in both.
crash_batch() {
	local d=$1 arch=$2 r=$3 w=$out/$4 so i wall kb what cmd
	so=$(so_for "$arch")
	crash_argv "$arch"
	for what in batch batchbt; do
		if [ $what = batch ]; then cmd="klpstack -j > $w.batch.json"; else cmd="foreach bt > $w.batchbt.txt"; fi
		printf 'extend %s\n%s\nquit\n' "$so" "$cmd" >"$w.$what.cmds"
		rm -f "$w.$what".time.*
		for i in $(seq 1 "$CRASH_REPS"); do
			"$TIME" -v -o "$w.$what.time.$i" timeout 3600 "${CRASHV[@]}" -s "$d/vmlinux" "$d/vmcore" \
				-i "$w.$what.cmds" </dev/null >"$w.$what.log" 2>&1 || true
		done
		read -r wall kb < <(best_of "$w.$what".time.*)
		res "$r" "$what.wall" "$wall"
		res "$r" "$what.rss" "$kb"
	done
	res "$r" batch.tasks "$("$PY" -c 'import json,sys
print(len(json.load(open(sys.argv[1])).get("tasks") or []))' "$w.batch.json" 2>/dev/null || echo 0)"
	res "$r" batchbt.tasks "$(grep -c '^PID:' "$w.batchbt.txt" 2>/dev/null || true)"
}

callgrind() {
	local d=$1 r=$2 w=$out/$3 main
	command -v valgrind >/dev/null || { res "$r" callgrind.error "valgrind not installed"; return; }
	# klpscan reads each dump in a child process: one profile per process.
	rm -f "$w".callgrind.[0-9]*
	valgrind --tool=callgrind --callgrind-out-file="$w.callgrind.%p" \
		"$top/klpscan" --json --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
		>/dev/null 2>"$w.callgrind.log" || true
	res "$r" callgrind.ir "$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$w.callgrind.log" |
		awk '{ s += $1 } END { print s + 0 }')"
	# Per task against the read floor: only the thread-list loop
	# (visit_thread) counted, for the walk with its JSON report and for
	# --read-floor (each task's facts and whole stack, no walk).
	for what in walk floor; do
		if [ "$what" = floor ]; then set -- --read-floor; else set -- --json; fi
		valgrind --tool=callgrind --toggle-collect=visit_thread --callgrind-out-file=/dev/null \
			"$top/klpscan" "$@" --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
			>/dev/null 2>"$w.callgrind-$what.log" || true
		res "$r" "callgrind.loop.$what" "$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' \
			"$w.callgrind-$what.log" | sort -n | tail -n 1)"
	done
	# The biggest profile is the child that read the dump.
	main=$(find "$out" -maxdepth 1 -name "$(basename "$w").callgrind.[0-9]*" -printf '%s %p\n' |
		sort -rn | head -n 1 | cut -d' ' -f2-)
	[ -n "$main" ] || return 0
	# Where the instructions go (inclusive): the walks against the fixed
	# cost of opening the dump and the debug info.
	callgrind_annotate --inclusive=yes --threshold=100 "$main" \
		>"$w.callgrind.annotate" 2>/dev/null || true
	for f in ks_kernel_open ks_dump_open ks_task_foreach_checked ks_walk_task scan_task; do
		res "$r" "callgrind.fn.$f" "$(awk -v f="$f" '
			$0 ~ ("[:]" f " \\[") && $0 !~ /=>/ { gsub(",", "", $1); print $1; exit }' \
			"$w.callgrind.annotate")"
	done
	# The steady per-task cost: the call site of the per-task callback
	# with the most calls (the thread-group loop).  The idle-task loop
	# runs first and pays for the first reads of the unwind tables and
	# of the dump's page index: a fixed cost, not a per-task one.
	res "$r" callgrind.steady "$(awk '
		/^ *[0-9,]+ .*=> .*:scan_task \([0-9,]+x\)/ {
			n = $0; sub(/.*\(/, "", n); sub(/x\).*/, "", n); gsub(",", "", n)
			c = $1; gsub(",", "", c)
			if (n + 0 > best) { best = n + 0; cost = c } }
		END { if (best) print cost, best }' "$w.callgrind.annotate")"
}

# ---- 4. drgn: every task's stack trace (drgn's own unwinder) ----
#
# Whole process (sid's python started through its loader, import drgn,
# open, walk) under /usr/bin/time; drgn_walk.py also reports the open and
# walk phases (monotonic clock) and the tasks it saw.
drgn_run() {
	local d=$1 r=$2 w=$out/$3 line core i wall kb
	[ -n "$DRGN_PY" ] || return 0
	# drgn 0.3.0's libkdumpfile (sid's 0.5.6) cannot open QEMU's kdump
	# files ("KDUMP_ATTR_ARCH_NAME: Key has no value"); the ELF dump of
	# the same moment, when there is one, is what it reads
	local cores=${DRGN_CORES:-}
	if [ -z "$cores" ]; then
		if [ -r "$d/vmcore.elf" ]; then cores=vmcore.elf; else cores=vmcore; fi
	fi
	res "$r" drgn.core "${cores%% *}"
	for core in $cores; do
		[ -r "$d/$core" ] || continue
		rm -f "$w.drgn.$core".time.*
		line=
		for i in $(seq 1 "$DRGN_REPS"); do
			line=$("$TIME" -v -o "$w.drgn.$core.time.$i" timeout 3600 \
				env PYTHONHOME="$DRGN_ROOT/usr" \
				PYTHONPATH="$DRGN_ROOT/usr/lib/python3/dist-packages" \
				PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1 \
				"$DRGN_ROOT/lib64/ld-linux-x86-64.so.2" \
				--library-path "$DRGN_ROOT/usr/lib/x86_64-linux-gnu:$DRGN_ROOT/lib/x86_64-linux-gnu" \
				"$DRGN_PY" "$top/bench/drgn_walk.py" "$d/$core" "$d/vmlinux" \
				2>"$w.drgn.$core.err" | tail -n 1 || true)
			res "$r" "drgn.$core.run" "${line:-cannot: no output (see $w.drgn.$core.err)}"
		done
		res "$r" "drgn.$core" "${line:-cannot: no output (see $w.drgn.$core.err)}"
		read -r wall kb < <(best_of "$w.drgn.$core".time.*)
		res "$r" "drgn.$core.wall" "$wall"
		res "$r" "drgn.$core.rss" "$kb"
	done
	res "$r" drgn.version "$(drgn_py -c 'import drgn; print(drgn.__version__)' 2>/dev/null || echo none)"
}

# ---- run ----
res "$out/machine.res" load.start "$(cut -d' ' -f1-3 /proc/loadavg)"
res "$out/machine.res" date.start "$(date -u +%Y-%m-%dT%H:%MZ)"
results=()
for d in "${dumps[@]}"; do
	d=${d%/}
	if [ ! -r "$d/vmcore" ] || [ ! -r "$d/vmlinux" ]; then
		echo "$prog: $d: no vmcore/vmlinux, skipped" >&2
		continue
	fi
	name=$(basename "$d")
	arch=$(arch_of "$d")
	r=$out/$name.res
	: >"$r"
	res "$r" name "$name"
	res "$r" arch "$arch"
	res "$r" vmcore.bytes "$(stat -L -c %s "$d/vmcore")"
	echo "$prog: $name: klpscan" >&2
	klpscan_runs "$d" "$r" "$name"
	if [ "$arch" = s390x ] && [ -n "${NO_S390X_CRASH:-}" ]; then
		res "$r" session.error "skipped (NO_S390X_CRASH)"
		res "$r" batch.error "skipped (NO_S390X_CRASH)"
	elif [ -n "${NO_CRASH:-}" ]; then
		res "$r" session.error "skipped (NO_CRASH)"
		res "$r" batch.error "skipped (NO_CRASH)"
	else
		if [ -z "${NO_SESSION:-}" ]; then
			echo "$prog: $name: crash session (foreach bt, klpstack, klpstack -R)" >&2
			session "$d" "$arch" "$r" "$name"
		fi
		echo "$prog: $name: crash batch" >&2
		crash_batch "$d" "$arch" "$r" "$name"
	fi
	[ -n "${NO_DRGN:-}" ] || { echo "$prog: $name: drgn" >&2; drgn_run "$d" "$r" "$name"; }
	results+=("$r")
done
[ ${#results[@]} -gt 0 ] || die "no usable dump"

if [ -n "${CALLGRIND:-}" ]; then
	# Instruction counts do not depend on the machine's load.  "default":
	# the first dump, and the largest scaling dump for the per-task slope.
	want=$CALLGRIND
	if [ "$want" = default ]; then
		want=$(basename "${dumps[0]%/}")
		for d in "${dumps[@]}"; do
			case $(basename "${d%/}") in x86_64-many-*) last=$(basename "${d%/}") ;; esac
		done
		[ -z "${last:-}" ] || want="$want $last"
	fi
	for d in "${dumps[@]}"; do
		name=$(basename "${d%/}")
		case " $want " in *" $name "*) ;; *) continue ;; esac
		[ -f "$out/$name.res" ] || continue
		echo "$prog: $name: callgrind" >&2
		callgrind "${d%/}" "$out/$name.res" "$name"
	done
fi

res "$out/machine.res" cpus "$(nproc)"
res "$out/machine.res" model "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
res "$out/machine.res" load "$(cut -d' ' -f1-3 /proc/loadavg)"
res "$out/machine.res" date "$(date -u +%Y-%m-%dT%H:%MZ)"
res "$out/machine.res" mem "$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
res "$out/machine.res" crash "$CRASH_VERSION (sid, from $CRASH_ROOT)"
res "$out/machine.res" drgn "${DRGN_PY:+$(drgn_py -c 'import drgn, sys; print(drgn.__version__, "python", sys.version.split()[0])' 2>/dev/null)}"
res "$out/machine.res" reps "REPS=$REPS CRASH_REPS=$CRASH_REPS DRGN_REPS=$DRGN_REPS"
"$PY" "$top/bench/table.py" "$out/machine.res" "${results[@]}"
echo "$prog: raw logs in $out" >&2
