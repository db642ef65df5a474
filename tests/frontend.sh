#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Front-end behaviour of klpscan on samples: exit codes, clear errors,
# JSON that parses.  Closing line: "frontend: N passed, N failed".
set -u
klpscan=${1:-./klpscan}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() { # name expected-exit command...
	name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $got, expected $want"
		sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
	fi
}

expect_text() { # name file pattern
	if grep -q -- "$3" "$2"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: '$3' not in output"
		sed 's/^/  | /' "$2" | head -20
	fi
}

cat >"$tmp/running.sample" <<'S'
arch x86_64
kernel 6.1.115
task task=0xffff888000010000 pid=42 comm=busy on_cpu=1 cpu=1 stack=0xffffc90000010000 ksp=0xffffc90000013e00
expect verdict=running
task task=0xffff888000020000 pid=43 comm=zombie stack=0
expect verdict=no-stack
S
cat >"$tmp/badksp.sample" <<'S'
arch s390x
kernel 6.1.115
task task=0x10000 pid=7 comm=cat stack=0x20000 ksp=0
expect verdict=unreliable rule=S390_BAD_KSP
S
cat >"$tmp/unreadable.sample" <<'S'
arch s390x
kernel 6.1.115
task task=0x10000 pid=8 comm=cat stack=0x20000 ksp=0x23e00
S
printf 'arch x86_64\nkernel 6.1\nsym broken\n' >"$tmp/broken.sample"
printf '\x00\x01\x02garbage' >"$tmp/binary.sample"

check "help" 0 "$klpscan" --help
expect_text "help text" "$tmp/out" "Exit status"
check "-p: an unreliable task on a kernel without livepatch blocks nothing" 0 \
	"$klpscan" -p "$(dirname "$0")/../samples/x86_64/orc-non-text.sample"
check "version" 0 "$klpscan" --version
expect_text "version text" "$tmp/out" "^klpscan $(cat "$(dirname "$0")/../VERSION")$"
check "no arguments" 64 "$klpscan"
check "bad mode" 64 "$klpscan" -m sideways "$tmp/running.sample"
check "running and no-stack are not unreliable" 0 "$klpscan" "$tmp/running.sample"
expect_text "running verdict shown" "$tmp/out" "running"
check "unreliable task" 1 "$klpscan" "$tmp/badksp.sample"
expect_text "rule named" "$tmp/out" "S390_BAD_KSP"
check "unreadable stack is an error" 2 "$klpscan" "$tmp/unreadable.sample"
expect_text "error verdict" "$tmp/out" "error"
check "broken sample" 2 "$klpscan" "$tmp/broken.sample" "$tmp/running.sample"
expect_text "error names file and line" "$tmp/err" "broken.sample:3:"
expect_text "other inputs still scanned" "$tmp/out" "busy"
check "binary garbage" 2 "$klpscan" "$tmp/binary.sample"
check "missing file" 2 "$klpscan" "$tmp/nonexistent.sample"
expect_text "missing file message" "$tmp/err" "No such file"
check "json" 1 "$klpscan" --json "$tmp/running.sample" "$tmp/badksp.sample"
if python3 -c 'import json,sys
objs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(objs)==2, objs
assert objs[0]["schema"]=="klpstack/1"
t=objs[1]["tasks"][0]
assert t["verdict"]=="unreliable" and t["reason"]["rule"]=="S390_BAD_KSP", t
assert objs[0]["tasks"][0]["reason"]["rule"]=="RUNNING"
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL json shape"; fi
check "check mode passes" 0 "$klpscan" --check "$tmp/running.sample" "$tmp/badksp.sample"
sed 's/S390_BAD_KSP/S390_MISALIGNED_SP/' "$tmp/badksp.sample" >"$tmp/wrong.sample"
check "check mode catches a wrong expectation" 1 "$klpscan" --check "$tmp/wrong.sample"
expect_text "check mode says what differs" "$tmp/out" "expected S390_MISALIGNED_SP"

# livepatch triage on the bundled samples
lp=samples/livepatch
if [ -f "$lp/x86-6.1-patching.sample" ]; then
	check "livepatch: blockers exit 1" 1 "$klpscan" -p "$lp/x86-6.1-patching.sample"
	expect_text "livepatch: kernel's words" "$tmp/out" "is sleeping on function pipe_read"
	expect_text "livepatch: grouped" "$tmp/out" "blockers, most common first"
	check "livepatch json" 1 "$klpscan" -p --json "$lp/x86-6.1-stacked.sample"
	if python3 -c 'import json,sys
o=json.loads(open(sys.argv[1]).read())
assert o["schema"]=="klpstack-livepatch/1" and o["direction"]=="patching", o
assert any(t["state"]=="sleeping-on-function" and t["origin"]=="previous patch" for t in o["tasks"])
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL livepatch json shape"; fi
	check "what-if" 1 "$klpscan" -f pipe_read "$lp/x86-6.1-whatif-no-livepatch.sample"
	expect_text "what-if names the function" "$tmp/out" "what-if: a patch of pipe_read"
	printf 'pipe_read  # the one\n' >"$tmp/funcs"
	check "what-if from a file" 1 "$klpscan" --functions-from "$tmp/funcs" "$lp/x86-6.1-whatif-no-livepatch.sample"
	check "what-if: unknown function" 2 "$klpscan" -f no_such_function "$lp/x86-6.1-whatif-no-livepatch.sample"
	expect_text "unknown function named" "$tmp/out" "no_such_function not found"
fi

# A worker that goes wrong at any point voids its whole result; every
# input still gets its record (JSON object, CSV row, stderr line).
ok=$tmp/running.sample
for fault in start:segv end:abort end:exit1; do
	KLPSCAN_TEST_WORKER_FAULT=$fault check "worker fault $fault" 2 "$klpscan" --json "$ok" "$tmp/badksp.sample"
	if python3 -c 'import json,sys
objs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(objs)==2, objs
for o in objs:
    assert "error" in o and "worker" in o["error"] and "tasks" not in o, o
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL worker fault $fault: json"; sed 's/^/  | /' "$tmp/out"; fi
	expect_text "worker fault $fault named" "$tmp/err" "worker"
	KLPSCAN_TEST_WORKER_FAULT=$fault check "worker fault $fault csv" 2 "$klpscan" --csv "$ok"
	expect_text "worker fault $fault csv row" "$tmp/out" "running.sample,,,,,error,INPUT_ERROR,,worker"
	KLPSCAN_TEST_WORKER_FAULT=$fault check "worker fault $fault text" 2 "$klpscan" "$ok"
	if grep -q busy "$tmp/out"; then fail=$((fail + 1)); echo "FAIL worker fault $fault: result kept"; else pass=$((pass + 1)); fi
done
check "worker fault in -j 2" 2 env KLPSCAN_TEST_WORKER_FAULT=end:abort "$klpscan" -j 2 --json "$ok" "$ok" "$ok"
[ "$(grep -c '"error":"worker killed by signal 6' "$tmp/out")" -eq 3 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL -j 2 faults: not 3 error objects"; }

# one JSON object / CSV row per input, also for inputs that fail
printf 'not a dump at all' >"$tmp/garbage.vmcore"
check "json: object for a failed input" 2 "$klpscan" --json "$ok" "$tmp/garbage.vmcore" "$tmp/broken.sample" "$tmp/nonexistent"
if python3 -c 'import json,sys
objs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(objs)==4, objs
assert "tasks" in objs[0]
for o in objs[1:]:
    assert o["error"] and o["input"], o
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL json objects of failed inputs"; sed 's/^/  | /' "$tmp/out"; fi
check "csv: row for a failed input" 2 "$klpscan" --csv "$ok" "$tmp/garbage.vmcore"
expect_text "csv error row" "$tmp/out" "garbage.vmcore,,,,,error,INPUT_ERROR,,not a dump"

# directories: a damaged dump is an input that fails, never skipped
mkdir -p "$tmp/dir/sub"
cp "$ok" "$tmp/dir/"
printf 'BROKEN!!' >"$tmp/dir/vmcore"
head -c 1100000 /dev/zero >"$tmp/dir/sub/big-file"
printf 'boot log\n' >"$tmp/dir/dmesg.txt"
yes 'ffffffff81000000 T _stext' | head -c 1200000 >"$tmp/dir/System.map"
check "dir: bad signature fails the scan" 2 "$klpscan" --json "$tmp/dir"
if python3 -c 'import json,sys
objs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
names=sorted(o["input"].rsplit("/",1)[1] for o in objs)
assert names==["big-file","running.sample","vmcore"], names
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL dir inputs"; sed 's/^/  | /' "$tmp/out"; fi
expect_text "dir: other files named" "$tmp/err" "dmesg.txt: skipped: neither a dump nor a sample"
expect_text "dir: a big text file is skipped" "$tmp/err" "System.map: skipped"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/dir/locked" && chmod 000 "$tmp/dir/locked"
	check "dir: unreadable subdirectory" 2 "$klpscan" "$tmp/dir"
	expect_text "dir: unreadable named" "$tmp/err" "cannot read the directory"
	chmod 700 "$tmp/dir/locked"
fi

# -f / --functions-from without a single name: usage errors
check "-f ''" 64 "$klpscan" -f '' "$ok"
expect_text "-f '' says why" "$tmp/err" "no function names"
check "-f ,,," 64 "$klpscan" -f ,,, "$ok"
printf '# nothing\n\n' >"$tmp/nofuncs"
check "--functions-from without names" 64 "$klpscan" --functions-from "$tmp/nofuncs" "$ok"
check "--functions-from /dev/null" 64 "$klpscan" --functions-from /dev/null "$ok"
check "--functions-from missing file" 64 "$klpscan" --functions-from "$tmp/nonexistent" "$ok"

# no leak on -f (LeakSanitizer would turn the exit status into 1)
asan=build/asan/klpscan
if [ -x "$asan" ] && [ -f "$lp/x86-6.1-whatif-no-livepatch.sample" ]; then
	check "asan: -f, no leak" 1 "$asan" -f pipe_read "$lp/x86-6.1-whatif-no-livepatch.sample"
	check "asan: -f unknown, exit 2 kept" 2 "$asan" -f no_such_function "$lp/x86-6.1-whatif-no-livepatch.sample"
	if grep -q LeakSanitizer "$tmp/err"; then fail=$((fail + 1)); echo "FAIL asan: leak"; else pass=$((pass + 1)); fi
fi

# Hostile kdump containers: each corruption is one clear error of that
# dump, never a crashed worker (tests/mkkdump.py writes them).
mk=tests/mkkdump.py
if [ -f "$mk" ]; then
	for arch in x86_64 s390x; do
		python3 "$mk" "$tmp/ok-$arch.kdump" --arch "$arch"
		check "kdump $arch healthy passes the container checks" 2 "$klpscan" --vmlinux "$tmp/none" "$tmp/ok-$arch.kdump"
		expect_text "kdump $arch healthy: fails only for the vmlinux" "$tmp/err" "does not fit the dump"
		for kind in desc-size-huge:"compressed size 8192" desc-size-last-ok:"PFN 0x3 (page 4 of 14): compressed size 8192" \
			    desc-offset-past-eof:"truncated: the data of PFN 0x4" desc-offset-wild:"beyond any data" \
			    note-size-huge:"note bytes" note-past-eof:"note bytes at byte 10485760" \
			    bitmap-blocks-huge:"2147418112 bitmap blocks" bitmap-garbage:"corrupt page descriptor" \
			    sub-hdr-negative:"-5 sub-header" truncated:"truncated: the data of PFN" \
			    split:"split dump" short:"no complete kdump header"; do
			k=${kind%%:*} msg=${kind#*:}
			python3 "$mk" "$tmp/$k.kdump" --arch "$arch" --corrupt "$k"
			check "kdump $arch $k" 2 "$klpscan" --json "$tmp/$k.kdump"
			expect_text "kdump $arch $k: message" "$tmp/out" "$msg"
			if grep -q "worker" "$tmp/out" "$tmp/err"; then
				fail=$((fail + 1)); echo "FAIL kdump $arch $k: worker died"
			else pass=$((pass + 1)); fi
		done
	done
	# QEMU's s390x ELF dumps have no VMCOREINFO note: klpscan takes it from
	# the lowcore's pointer (it then fails only for want of the vmlinux)
	python3 "$mk" "$tmp/lowcore-s390x.elf" --format s390x-lowcore
	check "s390x ELF, VMCOREINFO through the lowcore" 2 "$klpscan" --vmlinux "$tmp/none" "$tmp/lowcore-s390x.elf"
	expect_text "s390x ELF lowcore: VMCOREINFO found, fails only for the vmlinux" "$tmp/err" \
		"the dump's build-id is 0000000000000000000000000000000000000000"
	# no debug vmlinux: the kallsyms tables must be in VMCOREINFO (6.0+)
	# and in the dump; each lack is one clear error naming it
	for arch in x86_64 s390x; do
		check "kdump $arch --no-debuginfo, no kallsyms" 2 "$klpscan" --no-debuginfo "$tmp/ok-$arch.kdump"
		expect_text "kdump $arch: kallsyms missing named" "$tmp/err" "has no SYMBOL(kallsyms_num_syms) (the kallsyms tables are exported from Linux 6.0 on"
		expect_text "kdump $arch: what to supply" "$tmp/err" "needs its debug vmlinux (--vmlinux or --debug-dir)"
		python3 "$mk" "$tmp/ks-$arch.kdump" --arch "$arch" --kallsyms unmapped
		check "kdump $arch kallsyms not in the dump" 2 "$klpscan" --no-debuginfo --json "$tmp/ks-$arch.kdump"
		expect_text "kdump $arch kallsyms: message" "$tmp/out" "kallsyms_num_syms at 0xffffffff81000000 is not in the dump"
		check "kdump $arch no vmlinux found, nor kallsyms" 2 "$klpscan" "$tmp/ks-$arch.kdump"
		expect_text "kdump $arch: both said" "$tmp/err" "no debug vmlinux for 6.1.0-synthetic.*the dump cannot stand in for it: kallsyms"
	done
	python3 "$mk" "$tmp/header32.kdump" --corrupt header32
	check "kdump header also 32-bit" 2 "$klpscan" "$tmp/header32.kdump"
	expect_text "kdump header32 message" "$tmp/err" "reads as a 32-bit one"
	# a truncated vmlinux says so (not "stripped")
	printf 'int main(void){return 0;}\n' >"$tmp/v.c"
	if cc -static -no-pie -Wl,--build-id=sha1 -o "$tmp/vml" "$tmp/v.c" 2>/dev/null; then
		id=$(readelf -n "$tmp/vml" | sed -n 's/.*Build ID: *//p')
		python3 "$mk" "$tmp/vml.kdump" --build-id "$id"
		head -c 300000 "$tmp/vml" >"$tmp/vml.trunc"
		check "truncated vmlinux" 2 "$klpscan" --vmlinux "$tmp/vml.trunc" "$tmp/vml.kdump"
		expect_text "truncated vmlinux named" "$tmp/err" "vml.trunc: truncated: the section headers"
	fi
fi

# Whole dumps of the stand-in kernel (tests/fuzz/minikernel.c): opened,
# walked, and the task lists cross-checked (make check builds it).
mini=build/fuzz/minikernel
if [ -x "$mini" ] && [ -f "$mk" ]; then
	for fmt in kdump elf; do
		python3 "$mk" "$tmp/mini.$fmt" --vmlinux "$mini" --format "$fmt"
		check "minikernel $fmt dump" 1 "$klpscan" --json --vmlinux "$mini" "$tmp/mini.$fmt"
		if python3 -c 'import json,sys
o=json.loads(open(sys.argv[1]).read())
assert o["error"] is None and "warning" not in o, o
pids=[t["pid"] for t in o["tasks"]]
assert pids==[0,0,1,2,20,21,3], pids
assert (o["symbols"], o["types"]) == ("vmlinux", "dwarf") and o["vmlinux"], o["symbols"]
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL minikernel $fmt: tasks"; sed 's/^/  | /' "$tmp/out" | cut -c1-300; fi
	done
	# minikernel.c layout: task_struct.tasks at 0x28
	python3 "$mk" "$tmp/selfloop.kdump" --vmlinux "$mini" --poke init_task+0x28=init_task+0x28
	check "minikernel: init_task.tasks points to itself" 2 "$klpscan" --vmlinux "$mini" "$tmp/selfloop.kdump"
	expect_text "minikernel: self-loop named" "$tmp/out" "5 tasks are missing"
	check "minikernel: -p on a damaged list" 2 "$klpscan" -p --json --vmlinux "$mini" "$tmp/selfloop.kdump"
	if python3 -c 'import json,sys
o=json.loads(open(sys.argv[1]).read())
assert o["schema"]=="klpstack-livepatch/1" and "tasks are missing" in o["error"], o
assert (o["symbols"], o["types"]) == ("vmlinux", "dwarf"), o
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL -p json error"; sed 's/^/  | /' "$tmp/out" | cut -c1-300; fi
	for fmt in kdump elf; do
		python3 "$mk" "$tmp/ps.$fmt" --vmlinux "$mini" --format "$fmt" --corrupt pagesize-huge
		check "minikernel $fmt: VMCOREINFO PAGESIZE huge" 2 "$klpscan" --vmlinux "$mini" "$tmp/ps.$fmt"
		expect_text "minikernel $fmt: PAGESIZE named" "$tmp/err" "PAGESIZE=9223372036854775808 is not a page size"
		python3 "$mk" "$tmp/ps.$fmt" --vmlinux "$mini" --format "$fmt" --corrupt pagesize-small
		check "minikernel $fmt: VMCOREINFO PAGESIZE small" 2 "$klpscan" --vmlinux "$mini" "$tmp/ps.$fmt"
	done
	python3 "$mk" "$tmp/nrt.kdump" --vmlinux "$mini" --poke nr_threads=6
	check "minikernel: nr_threads one off" 1 "$klpscan" --json --vmlinux "$mini" "$tmp/nrt.kdump"
	expect_text "minikernel: one off is a warning" "$tmp/out" '"warning":"task list: the task lists hold 5 threads, nr_threads says 6'
	python3 "$mk" "$tmp/pco.kdump" --vmlinux "$mini" --poke __per_cpu_offset+8=0x4141414141414141
	check "minikernel: wild __per_cpu_offset" 2 "$klpscan" --vmlinux "$mini" "$tmp/pco.kdump"
	expect_text "minikernel: CPU 1 named" "$tmp/out" "CPU 1: runqueue"
	python3 "$mk" "$tmp/loop.kdump" --vmlinux "$mini" --poke t3+0x28=t1+0x28
	check "minikernel: task list loop" 2 "$klpscan" --json --vmlinux "$mini" "$tmp/loop.kdump"
	if python3 -c 'import json,sys
o=json.loads(open(sys.argv[1]).read())
pids=[t["pid"] for t in o["tasks"]]
assert len(pids)==len(set((t["task"]) for t in o["tasks"])), pids
assert o["error"], o
' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL minikernel loop: a task twice"; sed 's/^/  | /' "$tmp/out" | cut -c1-300; fi

	# -j N on one dump splits its tasks across N workers: the output is
	# that of -j 1 byte for byte (the timings aside), whatever the mode,
	# and still when a helper dies or sends a wrong task mid-way.
	untime() {
		sed -E -e 's/"seconds":[0-9.]+/"seconds":T/' \
		    -e 's/^([0-9]+ tasks in )[0-9.]+ s \(open [0-9.]+ s, walk [0-9.]+ s, [0-9]+ tasks\/s\)$/\1T/' \
		    -e 's/ [0-9]+\.[0-9][0-9]  / T  /' "$1"
	}
	same_as_j1() { # name exit env... -- klpscan args...
		name=$1 want=$2
		shift 2
		envs=
		while [ "$1" != -- ]; do envs="$envs $1"; shift; done
		shift
		"$klpscan" -j 1 "$@" >"$tmp/j1.out" 2>"$tmp/j1.err"
		r1=$?
		for j in ${JS:-2 3}; do
			# shellcheck disable=SC2086
			env $envs KLPSCAN_TEST_SPLIT_STATS=1 "$klpscan" -j $j "$@" \
				>"$tmp/jn.out" 2>"$tmp/jn.err"
			rn=$?
			untime "$tmp/j1.out" >"$tmp/j1.cmp"
			untime "$tmp/jn.out" >"$tmp/jn.cmp"
			grep -v -e '^klpscan: split: ' -e '^klpscan: [0-9]* inputs, ' "$tmp/jn.err" >"$tmp/jn.err2"
			grep -v '^klpscan: [0-9]* inputs, ' "$tmp/j1.err" >"$tmp/j1.err2"
			if [ $r1 -ne "$want" ] || [ $rn -ne $r1 ] || ! cmp -s "$tmp/j1.cmp" "$tmp/jn.cmp" ||
			   ! cmp -s "$tmp/j1.err2" "$tmp/jn.err2"; then
				fail=$((fail + 1)); echo "FAIL -j $j $name: exit $rn (-j 1: $r1, want $want), or the output differs"
				diff "$tmp/j1.cmp" "$tmp/jn.cmp" | head -5; diff "$tmp/j1.err" "$tmp/jn.err2" | head -5
			else pass=$((pass + 1)); fi
		done
	}
	for args in "" "--json" "--csv" "-v" "-m strict --csv" "-p" "-p --json" "-p -v" \
		    "-f schedule" "-f do_nanosleep --json"; do
		case $args in -p*) want=0 ;; *) want=1 ;; esac	# no livepatch: -p blocks nothing
		# shellcheck disable=SC2086
		same_as_j1 "minikernel [$args]" $want -- $args --vmlinux "$mini" "$tmp/mini.kdump"
	done
	# the helpers did compute tasks: -j 3 on 7 tasks, 2 helpers
	if grep -q '^klpscan: split: [1-9][0-9]* of 7 tasks from 2 helpers$' "$tmp/jn.err"; then
		pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL -j 3: no task from a helper"; cat "$tmp/jn.err"; fi
	same_as_j1 "minikernel elf" 1 -- --json --vmlinux "$mini" "$tmp/mini.elf"
	same_as_j1 "damaged list" 2 -- --vmlinux "$mini" "$tmp/loop.kdump"
	same_as_j1 "damaged list -p" 2 -- -p --json --vmlinux "$mini" "$tmp/selfloop.kdump"
	same_as_j1 "helper aborts" 1 KLPSCAN_TEST_SPLIT_FAULT=abort -- -v --vmlinux "$mini" "$tmp/mini.kdump"
	same_as_j1 "helper lies" 0 KLPSCAN_TEST_SPLIT_FAULT=lie -- -p --json --vmlinux "$mini" "$tmp/mini.kdump"
	# bench/'s read floor: every task's facts and whole stack, no walk
	check "minikernel: --read-floor" 0 "$klpscan" --read-floor --vmlinux "$mini" "$tmp/mini.kdump"
	expect_text "minikernel: read floor line" "$tmp/out" "read floor: 7 tasks, [1-9][0-9]* bytes of stack read, 0 pages unreadable"
	# two dumps, -j 4: two workers on each
	JS=4 same_as_j1 "two dumps" 1 -- --vmlinux "$mini" "$tmp/mini.kdump" "$tmp/mini.elf"
	expect_text "two dumps: split" "$tmp/jn.err" "^klpscan: split: [1-9][0-9]* of 7 tasks from 1 helpers"
	JS=4 same_as_j1 "two dumps and a sample" 1 -- --json --vmlinux "$mini" "$tmp/mini.kdump" "$tmp/mini.elf" "$tmp/badksp.sample"
fi

# A minikernel dump that describes itself as a 6.0+ kernel does (kallsyms
# tables located by VMCOREINFO, BTF): klpscan --no-debuginfo, and klpscan
# finding no vmlinux, give the report the vmlinux gives, frame names
# included; so does -p.
if [ -x "$mini" ] && [ -f "$mini.btf" ] && [ -f "$mk" ]; then
	for fmt in kdump elf; do
		python3 "$mk" "$tmp/self.$fmt" --vmlinux "$mini" --format "$fmt" --self-btf "$mini.btf"
		check "self-describing $fmt: with the vmlinux" 1 "$klpscan" --json --vmlinux "$mini" "$tmp/self.$fmt"
		cp "$tmp/out" "$tmp/self-dwarf.json"
		check "self-describing $fmt: --no-debuginfo" 1 "$klpscan" --json --no-debuginfo "$tmp/self.$fmt"
		cp "$tmp/out" "$tmp/self-btf.json"
		if python3 tests/e2e/compare.py --exact --same "$tmp/self-dwarf.json" "$tmp/self-btf.json" \
			>"$tmp/cmp" && python3 -c 'import json,sys
o=json.load(open(sys.argv[1]))
assert (o["vmlinux"], o["symbols"], o["types"]) == (None, "kallsyms", "btf"), o
assert sum(len(t["frames"]) for t in o["tasks"]) >= 10, o
' "$tmp/self-btf.json"; then pass=$((pass + 1)); else
			fail=$((fail + 1)); echo "FAIL self-describing $fmt: reports differ"; sed 's/^/  | /' "$tmp/cmp" | head; fi
		check "self-describing $fmt: no vmlinux found" 1 "$klpscan" --json "$tmp/self.$fmt"
		expect_text "self-describing $fmt: fell back to the dump" "$tmp/out" '"symbols":"kallsyms","types":"btf"'
		"$klpscan" -p --vmlinux "$mini" "$tmp/self.$fmt" >"$tmp/p-dwarf" 2>/dev/null
		check "self-describing $fmt: -p, the same exit" $? "$klpscan" -p --no-debuginfo "$tmp/self.$fmt"
		# the same answer; the header (sources) and the timed summary row aside
		if [ "$(grep -v -e '^==' -e "$tmp/self" "$tmp/p-dwarf")" = \
		     "$(grep -v -e '^==' -e "$tmp/self" "$tmp/out")" ]; then pass=$((pass + 1)); else
			fail=$((fail + 1)); echo "FAIL self-describing $fmt: -p differs"; diff "$tmp/p-dwarf" "$tmp/out" | head; fi
		expect_text "self-describing $fmt: -p header" "$tmp/out" "no vmlinux: symbols from the dump's kallsyms, types from its BTF"
		if [ -x build/asan/klpscan ]; then
			check "self-describing $fmt: ASan+UBSan" 1 build/asan/klpscan --no-debuginfo -v "$tmp/self.$fmt"
		fi
	done
fi

# Every input the dump fuzzer ever found: a clear answer, no dead worker.
if [ -x "$mini" ] && [ -d tests/fuzz/dump-regressions ]; then
	for f in tests/fuzz/dump-regressions/*; do
		[ -f "$f" ] || continue
		"$klpscan" --json --vmlinux "$mini" "$f" >"$tmp/out" 2>"$tmp/err"
		if grep -q '"error":"worker' "$tmp/out" || ! python3 -c 'import json,sys; json.loads(open(sys.argv[1]).read())' "$tmp/out"; then
			fail=$((fail + 1)); echo "FAIL fuzz regression $f"; sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -5
		else pass=$((pass + 1)); fi
	done
fi

echo "frontend: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
