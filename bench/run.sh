#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/run.sh [DUMPDIR...]
#
# Benchmarks of klpstack on real vmcores; prints Markdown tables (see
# bench/README.md for what each figure means).  A DUMPDIR holds vmcore
# (kdump), vmlinux and optionally vmcore.elf, as tests/e2e/mkdump-*.sh
# make them.  Default: x86_64-voluntary, x86_64-preempt, s390x-all and
# the x86_64-many-N dumps of bench/mkdump-many.sh, from
# ${XDG_CACHE_HOME:-$HOME/.cache}/klpstack/dumps.
#
# Environment:
#   REPS=5          runs of each timed crash command and of klpscan
#                   (the fastest run counts: the machine is shared)
#   CRASH_REPS=1    crash batch sessions per dump (each takes seconds)
#   NO_S390X_CRASH=1  skip crash on s390x dumps (qemu-user: minutes)
#   CALLGRIND="NAME..."  dumps (directory names) to run under callgrind
#                   (default: the first and the largest x86_64-many-N)
#   NO_CALLGRIND=1  NO_DRGN=1  skip those parts
#   BENCH_OUT=DIR   keep raw logs there (default: a new dir under /tmp)
#
# Exit status: 0 ok (figures that could not be taken say so in the
# table), 1 setup failure, 2 usage.
set -euo pipefail

prog=bench
die() { echo "$prog: $*" >&2; exit 1; }
case ${1:-} in -h|--help) sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; -*) echo "$prog: unknown option $1 (see -h)" >&2; exit 2 ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
REPS=${REPS:-5}
CRASH_REPS=${CRASH_REPS:-1}
case $REPS$CRASH_REPS in *[!0-9]*) die "REPS and CRASH_REPS must be numbers" ;; esac
if [ "$REPS" -lt 1 ] || [ "$REPS" -gt 50 ]; then die "REPS: 1..50"; fi
if [ "$CRASH_REPS" -lt 1 ] || [ "$CRASH_REPS" -gt 20 ]; then die "CRASH_REPS: 1..20"; fi
out=${BENCH_OUT:-$(mktemp -d /tmp/klpstack-bench.XXXXXX)}
mkdir -p "$out"
# crash splits its command lines on blanks, and redirections in them are
# crash's own: no blanks in the paths handed to it.
case $out$top in *[[:space:]]*) die "paths with blanks are not supported: $out $top" ;; esac

dumps=("$@")
if [ ${#dumps[@]} -eq 0 ]; then
	for d in x86_64-voluntary x86_64-preempt s390x-all; do
		if [ -r "$cache/dumps/$d/vmcore" ]; then dumps+=("$cache/dumps/$d"); fi
	done
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

# System python: Debian's python3-drgn installs there, not into a pyenv.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 not found"
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time not found (package time)"

echo "$prog: building (make, make ARCH=s390x)" >&2
make -C "$top" -s >/dev/null || die "make failed"

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

crash_cmd() {	# crash_cmd ARCH: how to start crash for that arch
	if [ "$1" = s390x ]; then echo "$top/tests/e2e/crash-s390x.sh"; else echo crash; fi
}
so_for() {
	if [ "$1" = s390x ]; then echo "$top/build/s390x/klpstack.so"; else echo "$top/klpstack.so"; fi
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
	local d=$1 arch=$2 r=$3 w=$out/$4
	local so crash
	so=$(so_for "$arch")
	crash=$(crash_cmd "$arch")
	{
		echo "extend $so"
		# Warm-up: crash and gdb load symbol and type data lazily.
		echo "klpstack -R 1 > /dev/null"
		echo "klpstack 1 > /dev/null"
		echo "bt -a > /dev/null"
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
	timeout 3600 "$crash" -s "$d/vmlinux" "$d/vmcore" -i "$w.cmds" \
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

# ---- 2. klpscan vs crash batch ----
klpscan_runs() {
	local d=$1 r=$2 w=$out/$3 best="" rss=0
	for i in $(seq 1 "$REPS"); do
		"$TIME" -v "$top/klpscan" --json --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
			>"$w.klpscan.json" 2>"$w.klpscan.time.$i" || true
		read -r wall kb < <(timev "$w.klpscan.time.$i")
		[ -n "$wall" ] || continue
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
		if [ "${kb:-0}" -gt "$rss" ]; then rss=$kb; fi
	done
	res "$r" klpscan.wall "$best"
	res "$r" klpscan.rss "$rss"
	# -j 2: the dump's tasks split across two workers (same output)
	best=""
	for i in $(seq 1 "$REPS"); do
		"$TIME" -v "$top/klpscan" -j 2 --json --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
			>/dev/null 2>"$w.klpscan-j2.time.$i" || true
		read -r wall kb < <(timev "$w.klpscan-j2.time.$i")
		[ -n "$wall" ] || continue
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
	done
	res "$r" klpscan.wall.j2 "$best"
	res "$r" klpscan.tasks "$("$PY" -c 'import json,sys
d = json.loads(open(sys.argv[1]).readline())
print(len(d.get("tasks") or []))' "$w.klpscan.json" 2>/dev/null || echo 0)"
}

crash_batch() {
	local d=$1 arch=$2 r=$3 w=$out/$4 best="" rss=0 so crash
	so=$(so_for "$arch")
	crash=$(crash_cmd "$arch")
	printf 'extend %s\nklpstack -j > %s\nquit\n' "$so" "$w.batch.json" >"$w.batch.cmds"
	for i in $(seq 1 "$CRASH_REPS"); do
		rm -f "$w.batch.json"
		"$TIME" -v -o "$w.batch.time.$i" timeout 3600 "$crash" -s "$d/vmlinux" "$d/vmcore" \
			-i "$w.batch.cmds" </dev/null >"$w.batch.log" 2>&1 || true
		read -r wall kb < <(timev "$w.batch.time.$i")
		[ -n "$wall" ] || continue
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
		if [ "${kb:-0}" -gt "$rss" ]; then rss=$kb; fi
	done
	res "$r" batch.wall "$best"
	res "$r" batch.rss "$rss"
	res "$r" batch.tasks "$("$PY" -c 'import json,sys
print(len(json.load(open(sys.argv[1])).get("tasks") or []))' "$w.batch.json" 2>/dev/null || echo 0)"
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

drgn_run() {
	local d=$1 r=$2 w=$out/$3 line
	if ! "$PY" -c 'import drgn' 2>/dev/null; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			echo "$prog: installing python3-drgn" >&2
			apt-get install -y -qq python3-drgn >"$out/apt-drgn.log" 2>&1 || true
		fi
	fi
	for core in vmcore.elf vmcore; do
		[ -r "$d/$core" ] || continue
		line=$(timeout 1200 "$PY" "$top/bench/drgn_walk.py" "$d/$core" "$d/vmlinux" 2>"$w.drgn.$core.err" | tail -n 1 || true)
		res "$r" "drgn.$core" "${line:-cannot: no output (see $w.drgn.$core.err)}"
	done
	res "$r" drgn.version "$("$PY" -c 'import drgn; print(drgn.__version__)' 2>/dev/null || echo none)"
}

# ---- run ----
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
	else
		echo "$prog: $name: crash session (foreach bt, klpstack, klpstack -R)" >&2
		session "$d" "$arch" "$r" "$name"
		echo "$prog: $name: crash batch" >&2
		crash_batch "$d" "$arch" "$r" "$name"
	fi
	[ -n "${NO_DRGN:-}" ] || { echo "$prog: $name: drgn" >&2; drgn_run "$d" "$r" "$name"; }
	results+=("$r")
done
[ ${#results[@]} -gt 0 ] || die "no usable dump"

if [ -z "${NO_CALLGRIND:-}" ]; then
	# Instruction counts do not depend on the machine's load.  Default:
	# the first dump, and the largest scaling dump for the per-task slope.
	want=${CALLGRIND:-}
	if [ -z "$want" ]; then
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
res "$out/machine.res" crash "$(crash --version 2>/dev/null | sed -n 's/^crash \([0-9.]*\).*/\1/p' | head -n 1)"
"$PY" "$top/bench/table.py" "$out/machine.res" "${results[@]}"
echo "$prog: raw logs in $out" >&2
