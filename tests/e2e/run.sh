#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end: real vmcores of QEMU guests running Debian kernels (made,
# or reused from the cache, by mkdump-*.sh), read by the real crash with
# klpstack.so and by klpscan, compared with what each guest's kernel said
# about its tasks just before the dump, and with each other.
#
#   tests/e2e/run.sh [x86_64] [s390x]      (default: both)
#
# x86_64 runs every kernel line of tests/e2e/lines-x86_64.sh, or those in
# E2E_X86_64_LINES (e.g. "bookworm-cloud sid-cloud"), each with the
# scenario sets the line runs, or those in E2E_X86_64_SETS (e.g.
# "livepatch replace"; on a line that builds the test modules also a
# livepatch set it does not run by default, e.g. "stacked unpatch").
#
# Closing line: "e2e: N passed, N failed".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
out=$top/build/e2e
mkdir -p "$out"
arches=${*:-x86_64 s390x}
passed=0
failed=0
summary=$out/summary.txt
: >"$summary"

# run NAME COMMAND...: a comparison step; its closing "N passed, N failed"
# line is added to the totals.
run() {
	name=$1
	shift
	echo "== $name"
	if "$@" >"$out/$name.log" 2>&1; then rc=0; else rc=$?; fi
	tail -n 30 "$out/$name.log"
	line=$(grep -aE '[0-9]+ passed, [0-9]+ failed' "$out/$name.log" | tail -n 1 || true)
	p=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p')
	if [ -z "$p" ]; then
		p=0
		f=1
		echo "$name: no result line (exit $rc)"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "$name: $p passed, $f failed" >>"$summary"
}

step() { # a step that must simply succeed
	name=$1
	shift
	echo "== $name"
	if "$@" >"$out/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "$name: ok" >>"$summary"
	else
		failed=$((failed + 1))
		echo "$name: FAILED" >>"$summary"
		tail -n 40 "$out/$name.log"
	fi
}

klpscan_json() { # DUMPDIR MODE OUT
	./klpscan --json --no-progress -m "$2" --vmlinux "$1/vmlinux" "$1/vmcore" >"$3" || [ $? -eq 1 ]
}

compare_dump() { # NAME DUMPDIR CRASH_JSON SCAN_JSON EXTRA...
	# (own variable names: run() sets $name)
	cd_name=$1 cd_dir=$2 cd_cj=$3 cd_sj=$4
	shift 4
	# a task under a BPF trampoline: reliable or not is the kernel's
	# version's rule (7.x unwinds BPF frames with orc_bpf_find()); where
	# the guest could not ask the kernel (no test modules on the line), its
	# verdict is shown, not judged
	set -- --unjudged-scenario bpf-fexit "$@"
	run "$cd_name-crash" python3 tests/e2e/compare.py --name "$cd_name/crash" \
		--truth "$cd_dir/truth.txt" --report "$cd_cj" --sysmap "$cd_dir/System.map" "$@"
	run "$cd_name-klpscan" python3 tests/e2e/compare.py --name "$cd_name/klpscan" \
		--truth "$cd_dir/truth.txt" --report "$cd_sj" --sysmap "$cd_dir/System.map" "$@"
	run "$cd_name-same" python3 tests/e2e/compare.py --name "$cd_name/same" --same "$cd_cj" "$cd_sj"
	klpscan_json "$cd_dir" strict "$out/$cd_name.strict.json"
	run "$cd_name-strict" python3 tests/e2e/compare.py --name "$cd_name/strict" \
		--truth "$cd_dir/truth.txt" --report "$out/$cd_name.strict.json" \
		--sysmap "$cd_dir/System.map" "$@"
}

# One crash session on an x86_64 dump (the ELF file: crash reads it several
# times faster than the kdump one, which klpscan reads), with the crash of
# the dump's kernel line and the klpstack.so built for it: the plain report
# and, for the livepatch guests, the transition and a what-if.
crash_x86_64() { # TAG SET DUMPDIR LINE SO MODULES(0/1)
	cx_tag=$1 cx_set=$2 cx_dir=$3 cx_line=$4 cx_so=$5 cx_mod=$6
	cx_pre=$out/$cx_tag
	{
		echo "extend $cx_so"
		echo "klpstack -j > $cx_pre.crash.json"
		case $cx_set in livepatch|stacked|unpatch|replace)
			echo "klpstack -p -j > $cx_pre.crash-klp.json" ;;
		esac
		# the what-if: before patching (the voluntary guest runs the
		# same sleepers) and on the stalled first patch
		if [ "$cx_set" = livepatch ] || { [ "$cx_set" = voluntary ] && [ "$cx_mod" = 1 ]; }; then
			echo "klpstack -f $WHATIF -j > $cx_pre.crash-whatif.json"
		fi
		# a module function by module:name, in every crash (9.0.x runs
		# without its module list on 7.x)
		[ "$cx_set" = voluntary ] && echo "klpstack -f $(modwhatif "$cx_dir") -j > $cx_pre.crash-modwhatif.json"

		echo "quit"
	} >"$cx_pre.cmds"
	rm -f "$cx_pre.crash.json" "$cx_pre.crash-klp.json" "$cx_pre.crash-whatif.json" \
		"$cx_pre.crash-modwhatif.json"
	cx_t0=$(date +%s.%N)
	timeout 900 bash tests/e2e/lines-x86_64.sh crash "$cx_line" -s "$cx_dir/vmlinux" \
		"$cx_dir/vmcore.elf" -i "$cx_pre.cmds" </dev/null || return 1
	awk -v a="$cx_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$cx_pre.crash-seconds"
	python3 -c 'import json,sys; [json.load(open(f)) for f in sys.argv[1:]]' "$cx_pre".crash*.json
}

# A what-if on a module function (module:name): crash and klpscan name the
# same range and give every task the same answer.
MODWHATIF=qemu_fw_cfg:fw_cfg_sysfs_probe
# ... where the kernel has qemu_fw_cfg as a module; a kernel built here has
# it built in, and its own test module instead (klpt_reliable.ko, loaded
# in every guest of a line that builds modules)
modwhatif() { # DUMPDIR
	if grep -qx 'CONFIG_FW_CFG_SYSFS=y' "$1/config" 2>/dev/null; then
		echo klpt_reliable:klpt_write
	else
		echo "$MODWHATIF"
	fi
}
same_whatif() { # CRASH_JSON KLPSCAN_JSON
	python3 - "$1" "$2" <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ok = bad = 0
fa = [f["check"] for p in a["patches"] for f in p["functions"]]
fb = [f["check"] for p in b["patches"] for f in p["functions"]]
if fa == fb and fa:
    ok += 1
else:
    bad += 1
    print("function ranges differ: crash %s, klpscan %s" % (fa, fb))
ta = dict((t["pid"], t["state"]) for t in a["tasks"])
tb = dict((t["pid"], t["state"]) for t in b["tasks"])
for pid in sorted(set(ta) | set(tb)):
    if ta.get(pid) == tb.get(pid):
        ok += 1
    else:
        bad += 1
        print("task %s: crash %s, klpscan %s" % (pid, ta.get(pid), tb.get(pid)))
print("module what-if: %d passed, %d failed" % (ok, bad))
sys.exit(1 if bad else 0)
PYEOF
}

# Bad arguments to the crash command are rejected alike on both arches
# (s390x's kernel space starts at 0: "abc" was once walked as a task at
# 0xabc), and an empty -f list is an error, never a plain report.
crash_usage() { # ARCH DUMPDIR KLPSTACK.SO
	cu_out=$out/$1-crash-usage
	printf 'extend %s\nklpstack -v abc\nklpstack -f ""\nklpstack -f ,,,\nquit\n' "$3" \
		>"$cu_out.cmds"
	if [ "$1" = s390x ]; then
		bash tests/e2e/crash-s390x.sh -s "$2/vmlinux" "$2/vmcore" -i "$cu_out.cmds"
	else
		timeout 900 crash -s "$2/vmlinux" "$2/vmcore.elf" -i "$cu_out.cmds"
	fi >"$cu_out.txt" 2>&1
	cat "$cu_out.txt"
	grep -q '"abc" is neither a PID nor a task address' "$cu_out.txt" &&
		[ "$(grep -c 'no function names' "$cu_out.txt")" -eq 2 ] &&
		! grep -q 'VERDICT' "$cu_out.txt"
}

# s390x kernel lines: bookworm 6.1, trixie 6.12, sid 7.x, and
# build-livepatch, the kernel kbuild.sh builds with CONFIG_LIVEPATCH (set
# S390X_LINES to run fewer).  bookworm keeps its historical names
# (dumps/s390x-all, s390x-all-*) so older results stay comparable.
S390X_LINES=${S390X_LINES:-bookworm trixie sid build-livepatch}

# The s390x kernel with CONFIG_LIVEPATCH (Debian's have none): a stalled
# transition on a real dump (set livepatch), the same tasks before any
# patch (set sleepers) for the what-if, and a stalled unpatching
# transition (set unpatch: the sleepers in the patch's replacement).  The kernel is bookworm's 6.1
# source, so the host's crash (bookworm's, as crash:s390x) reads both,
# with the klpstack.so built against its defs.h.
s390x_build_livepatch() {
	sb_t=$(date +%s)
	for sb_set in sleepers livepatch unpatch; do
		step "s390x-build-livepatch-$sb_set-dumps" bash tests/e2e/mkdump-s390x.sh \
			--line build-livepatch --set "$sb_set"
	done
	echo "s390x-build-livepatch: kernel, guests and dumps (or reuse) $(($(date +%s) - sb_t)) s" \
		>>"$summary"
	step s390x-build-livepatch-klpstack.so make ARCH=s390x
	sb_so=$top/build/s390x/klpstack.so
	for sb_set in sleepers livepatch unpatch; do
		sb_name=s390x-build-livepatch-$sb_set
		sb_dir=$CACHE/dumps/$sb_name
		[ -f "$sb_dir/truth.txt" ] || continue
		{
			echo "extend $sb_so"
			echo "klpstack -j > $out/$sb_name.crash.json"
			[ "$sb_set" = sleepers ] || echo "klpstack -p -j > $out/$sb_name.crash-klp.json"
			[ "$sb_set" = unpatch ] || echo "klpstack -f $WHATIF -j > $out/$sb_name.crash-whatif.json"
			echo "quit"
		} >"$out/$sb_name-cmds"
		rm -f "$out/$sb_name".crash*.json
		sb_t=$(date +%s)
		step "$sb_name-crash-run" bash tests/e2e/crash-s390x.sh \
			-s "$sb_dir/vmlinux" "$sb_dir/vmcore" -i "$out/$sb_name-cmds"
		echo "$sb_name: crash session $(($(date +%s) - sb_t)) s" >>"$summary"
		sb_t=$(date +%s)
		klpscan_json "$sb_dir" kernel "$out/$sb_name.klpscan.json"
		# frames, labels, and the kernel's own reliable walk per task; a
		# task interrupted in kernel mode is unreliable by the
		# back-chain rule
		compare_dump "$sb_name" "$sb_dir" "$out/$sb_name.crash.json" \
			"$out/$sb_name.klpscan.json" \
			--interrupted-unreliable S390_INTERRUPTED --require-label exception
		if [ "$sb_set" != unpatch ]; then
			./klpscan -f "$WHATIF" --json --no-progress --vmlinux "$sb_dir/vmlinux" \
				"$sb_dir/vmcore" >"$out/$sb_name.klpscan-whatif.json" || [ $? -eq 1 ]
		fi
		if [ "$sb_set" != sleepers ]; then
			# -p: exactly the tasks and reasons of the kernel's last
			# retry round
			./klpscan -p --json --no-progress --vmlinux "$sb_dir/vmlinux" \
				"$sb_dir/vmcore" >"$out/$sb_name.klpscan-klp.json" || [ $? -eq 1 ]
		fi
		echo "$sb_name: klpscan $(($(date +%s) - sb_t)) s" >>"$summary"
	done
	# unpatching: the sleepers found in the replacement being removed
	sb_name=s390x-build-livepatch-unpatch
	sb_dir=$CACHE/dumps/$sb_name
	if [ -f "$sb_dir/truth.txt" ]; then
		for sb_who in crash klpscan; do
			run "$sb_name-$sb_who-klp" python3 tests/e2e/compare.py \
				--name "$sb_name/$sb_who -p" --truth "$sb_dir/truth.txt" \
				--klp "$out/$sb_name.$sb_who-klp.json" --direction unpatching --origin new
		done
	fi
	sb_name=s390x-build-livepatch-livepatch
	sb_dir=$CACHE/dumps/$sb_name
	sb_before=s390x-build-livepatch-sleepers
	[ -f "$sb_dir/truth.txt" ] || return 0
	for sb_who in crash klpscan; do
		run "$sb_name-$sb_who-klp" python3 tests/e2e/compare.py \
			--name "$sb_name/$sb_who -p" --truth "$sb_dir/truth.txt" \
			--klp "$out/$sb_name.$sb_who-klp.json" --direction patching --origin original
		# -f on the patched function, on the same dump: the sleepers the
		# kernel found on it
		run "$sb_name-$sb_who-whatif" python3 tests/e2e/compare.py \
			--name "$sb_name/$sb_who -f" --truth "$sb_dir/truth.txt" \
			--klp "$out/$sb_name.$sb_who-whatif.json" --whatif
		# asked before patching: predicts the blockers the patch then hit
		[ -f "$CACHE/dumps/$sb_before/truth.txt" ] || continue
		run "$sb_before-$sb_who-whatif" python3 tests/e2e/compare.py \
			--name "$sb_before/$sb_who -f, before the patch" \
			--truth "$CACHE/dumps/$sb_before/truth.txt" \
			--klp "$out/$sb_before.$sb_who-whatif.json" --whatif --predict "$sb_dir/truth.txt"
	done
}

s390x_line() { # LINE
	sl_line=$1
	if [ "$sl_line" = build-livepatch ]; then
		s390x_build_livepatch
		return
	fi
	if [ "$sl_line" = bookworm ]; then sl_name=s390x-all; else sl_name=s390x-$sl_line-all; fi
	sl_t=$(date +%s)
	step "$sl_name-dumps" bash tests/e2e/mkdump-s390x.sh --line "$sl_line" --set all
	echo "$sl_name: guest and dumps (or reuse) $(($(date +%s) - sl_t)) s" >>"$summary"
	sl_dir=$CACHE/dumps/$sl_name
	[ -f "$sl_dir/truth.txt" ] || return 0
	if [ "$sl_line" = bookworm ]; then
		# the host's crash headers (Debian's 8.0.2, as crash:s390x)
		step "$sl_name-klpstack.so" make ARCH=s390x
		sl_so=$top/build/s390x/klpstack.so
	else
		# the line's own crash and its defs.h: the Makefile puts that
		# build in build/s390x/crash-UPSTREAM_VERSION/
		step "$sl_name-crash-sysroot" bash tests/e2e/crash-s390x.sh --line "$sl_line" --version
		sl_root=$(bash tests/e2e/crash-s390x.sh --line "$sl_line" --sysroot 2>/dev/null || true)
		sl_ver=$(bash tests/e2e/crash-s390x.sh --line "$sl_line" --version 2>/dev/null || true)
		sl_ver=${sl_ver#*:}
		step "$sl_name-klpstack.so" make ARCH=s390x CRASH_INC="$sl_root/usr/include/crash"
		sl_so=$top/build/s390x/crash-${sl_ver%%[-+~]*}/klpstack.so
	fi
	printf 'extend %s\nklpstack -j > %s\nquit\n' "$sl_so" "$out/$sl_name.crash.json" \
		>"$out/$sl_name-cmds"
	rm -f "$out/$sl_name.crash.json"
	sl_t=$(date +%s)
	step "$sl_name-crash-run" bash tests/e2e/crash-s390x.sh --line "$sl_line" \
		-s "$sl_dir/vmlinux" "$sl_dir/vmcore" -i "$out/$sl_name-cmds"
	echo "$sl_name: crash $(bash tests/e2e/crash-s390x.sh --line "$sl_line" --version 2>/dev/null ||
		echo '?') session $(($(date +%s) - sl_t)) s" >>"$summary"
	# crash_usage runs the host line's crash
	if [ "$sl_line" = bookworm ]; then
		step s390x-crash-usage crash_usage s390x "$sl_dir" "$sl_so"
	fi
	klpscan_json "$sl_dir" kernel "$out/$sl_name.klpscan.json"
	compare_dump "$sl_name" "$sl_dir" "$out/$sl_name.crash.json" "$out/$sl_name.klpscan.json" \
		--interrupted-unreliable S390_INTERRUPTED --require-label exception
	# the ELF dump of the same guest: the same answers
	./klpscan --json --no-progress --vmlinux "$sl_dir/vmlinux" "$sl_dir/vmcore.elf" \
		>"$out/$sl_name.klpscan-elf.json" || [ $? -eq 1 ]
	run "$sl_name-elf-same" python3 tests/e2e/compare.py --name "$sl_name/elf" \
		--same "$out/$sl_name.klpscan.json" "$out/$sl_name.klpscan-elf.json"
}

# the function the test livepatch replaces (tests/e2e/guest/livepatch)
WHATIF=klpt_sleeper:klpt_sleeper_wait

# One line of the x86_64 table: what the truth held and what each reader
# agreed on, from the comparison logs.
x86_64_row() { # TAG LINE SET DUMPDIR CRASH-VERSION
	xr_agree() { # LOG
		sed -n 's/^sleeping tasks compared \([0-9]*\) (\([0-9]*\) skipped.*frames agreed \([0-9]* of [0-9]*\).*/compared \1 (moved \2), frames \3/p' "$1" 2>/dev/null | tail -n 1
	}
	printf '%-16s %-9s %-28s truth %3s tasks | klpscan: %s | crash %s (%ss): %s\n' \
		"$2" "$3" "$(cat "$4/release" 2>/dev/null)" "$(grep -c '^task ' "$4/truth.txt" 2>/dev/null)" \
		"$(xr_agree "$out/$1-klpscan.log")" "$5" "$(cat "$out/$1.crash-seconds" 2>/dev/null || echo '?')" \
		"$(xr_agree "$out/$1-crash.log")" >>"$table"
}
table=$out/x86_64-lines.txt

for arch in $arches; do
	case $arch in
	x86_64)
		: >"$table"
		for xl in ${E2E_X86_64_LINES:-$(bash tests/e2e/lines-x86_64.sh names)}; do
			sets=$(bash tests/e2e/lines-x86_64.sh sets "$xl")
			# the line builds the test modules: its voluntary guest runs
			# the sleepers, its livepatch sets stall a real transition
			case " $sets " in *" livepatch "*) xmod=1 ;; *) xmod=0 ;; esac
			if [ -n "${E2E_X86_64_SETS:-}" ]; then
				# the line's own sets, and on a line with test modules
				# every livepatch set mkdump-x86_64.sh can run (6.12 and
				# 7.x run stacked and unpatch on request only)
				cand=$sets
				[ "$xmod" = 0 ] || cand="$cand livepatch stacked unpatch replace"
				xs=
				for set in $E2E_X86_64_SETS; do
					case " $cand " in *" $set "*)
						case " $xs " in *" $set "*) ;; *) xs="$xs $set" ;; esac ;;
					esac
				done
				sets=${xs# }
				[ -n "$sets" ] || continue
			fi
			if [ "$xl" = bookworm-cloud ]; then
				# shellcheck disable=SC2086
				step x86_64-dumps bash tests/e2e/mkdump-x86_64.sh $sets
			else
				# shellcheck disable=SC2086
				step "x86_64-$xl-dumps" bash tests/e2e/mkdump-x86_64.sh --line "$xl" $sets
			fi
			# the klpstack.so built against the defs.h of the line's crash
			so=$out/x86_64-$xl.so-path
			step "x86_64-$xl-klpstack.so" sh -c "bash tests/e2e/lines-x86_64.sh so $xl > $so"
			so=$(cat "$so" 2>/dev/null || true)
			cver=$(bash tests/e2e/lines-x86_64.sh crash-version "$xl" 2>/dev/null || true)
			for set in $sets; do
				d=$(bash tests/e2e/lines-x86_64.sh dumpdir "$xl" "$set")
				[ -f "$d/truth.txt" ] || continue
				tag=$(basename "$d")
				extra="--require-label exception"
				# preempted in kernel mode only where the kernel preempts
				if [ "$set" = preempt ] &&
					grep -qE '^CONFIG_(PREEMPT_DYNAMIC|PREEMPT|PREEMPT_RT)=y' "$d/config" 2>/dev/null; then
					extra="$extra --require-label preempted"
				fi
				# the frame-pointer walker (a kernel built by kbuild.sh):
				# kernel-mode pt_regs on a stack make it unreliable,
				# preempted tasks included
				if grep -qx 'CONFIG_UNWINDER_FRAME_POINTER=y' "$d/config" 2>/dev/null; then
					extra="$extra --kernel-regs-unreliable FP_KERNEL_REGS"
				fi
				if [ -n "$so" ]; then
					step "$tag-crash-run" crash_x86_64 "$tag" "$set" "$d" "$xl" "$so" "$xmod"
				fi
				klpscan_json "$d" kernel "$out/$tag.klpscan.json"
				# shellcheck disable=SC2086
				compare_dump "$tag" "$d" "$out/$tag.crash.json" "$out/$tag.klpscan.json" $extra
				x86_64_row "$tag" "$xl" "$set" "$d" "$cver"
				if [ "$set" = voluntary ] && [ -n "$so" ]; then
					./klpscan -f "$(modwhatif "$d")" --json --no-progress --vmlinux "$d/vmlinux" \
						"$d/vmcore" >"$out/$tag.klpscan-modwhatif.json" || [ $? -eq 1 ]
					run "$tag-module-whatif" same_whatif "$out/$tag.crash-modwhatif.json" \
						"$out/$tag.klpscan-modwhatif.json"
				fi
				if [ "$set" = voluntary ] && [ "$xl" = bookworm-cloud ]; then
					step x86_64-crash-usage crash_usage x86_64 "$d" "$top/klpstack.so"
				fi
				[ "$xmod" = 1 ] || continue
				if [ "$set" = voluntary ]; then
					# the same sleepers, no patch loaded: the what-if
					./klpscan -f "$WHATIF" --json --no-progress --vmlinux "$d/vmlinux" \
						"$d/vmcore" >"$out/$tag.klpscan-whatif.json" || [ $? -eq 1 ]
				fi
				case $set in livepatch|stacked|unpatch|replace) ;; *) continue ;; esac
				# livepatch triage: the kernel's own last round of verdicts.
				# Where a sleeper must be found: the original function
				# (first patch), the first patch's replacement (stacked;
				# replace, through the nop the kernel added), the
				# replacement being removed (unpatch).
				./klpscan -p --json --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
					>"$out/$tag.klpscan-klp.json" || [ $? -eq 1 ]
				for who in crash klpscan; do
					run "$tag-$who-klp" python3 tests/e2e/compare.py \
						--name "$tag/$who -p" --truth "$d/truth.txt" \
						--klp "$out/$tag.$who-klp.json" --direction \
						"$([ "$set" = unpatch ] && echo unpatching || echo patching)" \
						--origin "$(case $set in stacked|replace) echo 'previous patch' ;;
							unpatch) echo new ;; *) echo original ;; esac)"
				done
				[ "$set" = livepatch ] || continue
				vd=$(bash tests/e2e/lines-x86_64.sh dumpdir "$xl" voluntary)
				vtag=$(basename "$vd")
				./klpscan -f "$WHATIF" --json --no-progress --vmlinux "$d/vmlinux" "$d/vmcore" \
					>"$out/$tag.klpscan-whatif.json" || [ $? -eq 1 ]
				for who in crash klpscan; do
					run "$tag-$who-whatif" python3 tests/e2e/compare.py \
						--name "$tag/$who -f" --truth "$d/truth.txt" \
						--klp "$out/$tag.$who-whatif.json" --whatif
					# asked before patching, on the voluntary guest
					case " $sets " in *" voluntary "*) ;; *) continue ;; esac
					run "$vtag-$who-whatif" python3 tests/e2e/compare.py \
						--name "$vtag/$who -f, before the patch" \
						--truth "$vd/truth.txt" \
						--klp "$out/$vtag.$who-whatif.json" --whatif \
						--predict "$d/truth.txt"
				done
			done
		done
		;;
	s390x)
		# One guest per kernel line (Debian suite), each read by that
		# suite's own s390x crash (under qemu-user) with a klpstack.so
		# built against its defs.h, and by klpscan.
		for s390x_l in $S390X_LINES; do
			s390x_line "$s390x_l"
		done
		;;
	*)
		echo "e2e: unknown arch $arch" >&2
		exit 2
		;;
	esac
done

# Frame names letter for letter as the kernel printed them (compare.py
# accepts an alias at the same address), and the alias rule against each
# dump kernel's own kallsyms table.
names_steps() {
	make -s build/names-choose || return 1
	for nm_json in "$out"/*.crash.json; do
		[ -f "$nm_json" ] || continue
		nm_pre=${nm_json%.crash.json}
		nm_set=$(basename "$nm_pre")
		nm_dir=$CACHE/dumps/$nm_set
		[ -f "$nm_dir/truth.txt" ] && [ -f "$nm_pre.klpscan.json" ] || continue
		run "$nm_set-names" python3 tests/names/frame-names.py "$nm_dir/truth.txt" \
			"$nm_json" "$nm_pre.klpscan.json"
	done
	for nm_arch in $arches; do
		nm_dir=$CACHE/dumps/$([ "$nm_arch" = s390x ] && echo s390x-all || echo x86_64-voluntary)
		[ -f "$nm_dir/vmlinux" ] || continue
		run "$nm_arch-kallsyms-names" python3 tests/names/kallsyms-names.py \
			build/names-choose "$nm_dir/vmlinux"
	done
}
names_steps

# One klpstack.so per crash version: another suite's build is refused by the
# host's crash in one line, the session goes on (tests/e2e/crash-version.sh).
case " $arches " in *" x86_64 "*)
	if [ -f "$CACHE/dumps/x86_64-voluntary/truth.txt" ]; then
		run crash-version bash tests/e2e/crash-version.sh "$CACHE/dumps/x86_64-voluntary"
	fi ;;
esac

# klpscan without --vmlinux: the vmlinux is found by the dump's build-id in
# a debug directory, and the answers are the same.
by_build_id() { # ARCH DUMPDIR REFERENCE_JSON
	bb_alone=$out/alone-$1
	rm -rf "$bb_alone"
	mkdir -p "$bb_alone"
	ln -s "$2/vmcore" "$bb_alone/vmcore"
	./klpscan --json --no-progress --debug-dir "$CACHE/$1" "$bb_alone/vmcore" \
		>"$out/$1.by-build-id.json" || [ $? -eq 1 ]
	python3 tests/e2e/compare.py --name "$1/by-build-id" --same "$3" "$out/$1.by-build-id.json"
}

# Bad input among good dumps: a truncated copy, a foreign file and an empty
# one each give one clear error line, the good dump its full answer, and
# the exit status says an input failed.
bad_inputs() { # DUMPDIR
	bi_dir=$out/bad-inputs
	rm -rf "$bi_dir"
	mkdir -p "$bi_dir"
	head -c $(($(stat -L -c %s "$1/vmcore") / 2)) "$1/vmcore" >"$bi_dir/truncated.vmcore"
	head -c 1000000 /dev/urandom >"$bi_dir/random.vmcore"
	: >"$bi_dir/empty.vmcore"
	if ./klpscan -j 2 --no-progress --vmlinux "$1/vmlinux" "$bi_dir/truncated.vmcore" \
		"$bi_dir/random.vmcore" "$1/vmcore" "$bi_dir/empty.vmcore" \
		>"$bi_dir/out.txt" 2>"$bi_dir/err.txt"; then rc=0; else rc=$?; fi
	cat "$bi_dir/err.txt"
	[ "$rc" -eq 2 ] || { echo "exit $rc, expected 2"; return 1; }
	[ "$(grep -c 'truncated.vmcore' "$bi_dir/err.txt")" -eq 1 ] &&
		[ "$(grep -c 'random.vmcore' "$bi_dir/err.txt")" -eq 1 ] &&
		[ "$(grep -c 'empty.vmcore' "$bi_dir/err.txt")" -eq 1 ] ||
		{ echo "not one error line per bad input"; return 1; }
	grep -q "tasks in" "$bi_dir/out.txt" || { echo "the good dump was not scanned"; return 1; }
}

for arch in $arches; do
	case $arch in
	x86_64) d=$CACHE/dumps/x86_64-voluntary ;;
	s390x) d=$CACHE/dumps/s390x-all ;;
	*) continue ;;
	esac
	[ -f "$d/vmcore" ] || continue
	ref=$out/$arch-ref.json
	klpscan_json "$d" kernel "$ref"
	run "$arch-by-build-id" by_build_id "$arch" "$d" "$ref"
	step "$arch-bad-inputs" bad_inputs "$d"
	# seeded corruptions of the real dumps (kdump and ELF): each one an
	# answer or a clear error, never a dead worker
	for f in vmcore vmcore.elf; do
		[ -f "$d/$f" ] && step "$arch-hostile-$f" python3 tests/e2e/hostile.py ./klpscan \
			"$d/vmlinux" "$d/$f" --seed 1 --count 40 --work "$out"
	done
done

# No debug vmlinux (klpscan --no-debuginfo): symbols from the dump's
# kallsyms, types from its BTF.  Over every finished dump directory in the
# cache, whichever suites and arches the steps above (or other runs) made:
# where the kernel has what that needs (kallsyms in VMCOREINFO, 6.0+, with
# data symbols, and BTF), the report and the livepatch triage must equal
# the ones read with the vmlinux -- tasks, frame names and addresses,
# labels, verdicts, -p blockers, -f; where it lacks them, one clear error
# naming what is missing.  What the kernel has is told independently of
# klpscan: BTF by its vmlinux (a .BTF section), the kallsyms tables by the
# dump's VMCOREINFO note (stored uncompressed in both formats).
no_debuginfo_one() { # DUMPDIR
	nd_dir=$1 nd_pre=$out/nodebug-$(basename "$1")
	./klpscan --json --no-progress --vmlinux "$nd_dir/vmlinux" "$nd_dir/vmcore" \
		>"$nd_pre.dwarf.json" || [ $? -eq 1 ] || { echo "e2e: 0 passed, 1 failed"; return 1; }
	if ./klpscan --json --no-progress --no-debuginfo "$nd_dir/vmcore" \
		>"$nd_pre.btf.json" 2>"$nd_pre.btf.err"; then nd_rc=0; else nd_rc=$?; fi
	if readelf -S -W "$nd_dir/vmlinux" | grep -q ' \.BTF ' &&
		# (QEMU's s390x kdump file has no VMCOREINFO in its header: the
		# note is only in the memory, compressed there, plain in the ELF)
		grep -a -q -m 1 'SYMBOL(kallsyms_names)=' "$nd_dir/vmcore" "$nd_dir/vmcore.elf" \
			2>/dev/null; then
		if [ "$nd_rc" -gt 1 ]; then
			cat "$nd_pre.btf.err"
			echo "FAIL the kernel has kallsyms and BTF but --no-debuginfo failed (exit $nd_rc)"
			echo "e2e: 0 passed, 1 failed"
			return 1
		fi
		python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
assert (r["vmlinux"], r["symbols"], r["types"]) == (None, "kallsyms", "btf"), r' \
			"$nd_pre.btf.json" || { echo "e2e: 0 passed, 1 failed"; return 1; }
		python3 tests/e2e/compare.py --name "$(basename "$nd_dir")/no-debuginfo" --exact \
			--same "$nd_pre.dwarf.json" "$nd_pre.btf.json" || return 1
		# livepatch triage (every dump: "no transition" must agree too)
		./klpscan -p --json --no-progress --vmlinux "$nd_dir/vmlinux" "$nd_dir/vmcore" \
			>"$nd_pre.dwarf-klp.json" || [ $? -eq 1 ] || { echo "FAIL -p with the vmlinux: exit 2 or worse"; return 1; }
		./klpscan -p --json --no-progress --no-debuginfo "$nd_dir/vmcore" \
			>"$nd_pre.btf-klp.json" || [ $? -eq 1 ] || { echo "FAIL -p --no-debuginfo: exit 2 or worse"; return 1; }
		# and a what-if on functions every kernel since 4.x has (a name
		# a kernel lacks is an error record: it must be the same one)
		if ./klpscan -f ksys_read,do_nanosleep --json --no-progress --vmlinux "$nd_dir/vmlinux" \
			"$nd_dir/vmcore" >"$nd_pre.dwarf-f.json"; then nd_f1=0; else nd_f1=$?; fi
		if ./klpscan -f ksys_read,do_nanosleep --json --no-progress --no-debuginfo \
			"$nd_dir/vmcore" >"$nd_pre.btf-f.json"; then nd_f2=0; else nd_f2=$?; fi
		[ "$nd_f1" -eq "$nd_f2" ] || { echo "FAIL -f exits $nd_f1 and $nd_f2"; return 1; }
		# identical but for where symbols and types came from
		for nd_k in klp f; do
			if python3 -c 'import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert (b.get("vmlinux"), b.get("symbols", "kallsyms"), b.get("types", "btf")) == \
    (None, "kallsyms", "btf"), b
for r in (a, b):
    for k in ("vmlinux", "symbols", "types"):
        r.pop(k, None)
sys.exit(a != b)' "$nd_pre.dwarf-$nd_k.json" "$nd_pre.btf-$nd_k.json"; then
				echo "$([ "$nd_k" = klp ] && echo -p || echo -f): identical"
			else
				echo "FAIL $([ "$nd_k" = klp ] && echo -p || echo -f) reports differ"
				return 1
			fi
		done
	else
		cat "$nd_pre.btf.err"
		if [ "$nd_rc" -eq 2 ] && [ "$(wc -l <"$nd_pre.btf.err")" -eq 1 ] &&
			grep -q -e 'no BTF' -e 'no data symbols' -e 'has no SYMBOL(kallsyms' \
				"$nd_pre.btf.err" &&
			grep -q 'needs its debug vmlinux (--vmlinux' "$nd_pre.btf.err"; then
			echo "e2e: 1 passed, 0 failed"
		else
			echo "FAIL no kallsyms or no BTF: expected one clear error (exit 2), got exit $nd_rc"
			echo "e2e: 0 passed, 1 failed"
			return 1
		fi
	fi
}

for d in "$CACHE"/dumps/*/; do
	d=${d%/}
	case $d in *.new | *.tmp) continue ;; esac
	[ -f "$d/truth.txt" ] && [ -f "$d/vmcore" ] && [ -e "$d/vmlinux" ] || continue
	run "no-debuginfo-$(basename "$d")" no_debuginfo_one "$d"
done

echo "== summary"
cat "$summary"
if [ -s "$out/x86_64-lines.txt" ]; then
	echo "== x86_64 kernel lines: sleeping tasks compared with the guest's /proc/PID/stack, frames agreed"
	cat "$out/x86_64-lines.txt"
fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
