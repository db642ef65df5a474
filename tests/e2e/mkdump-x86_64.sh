#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkdump-x86_64.sh [--force] [--no-deps] [--keep] [--line LINE] [SCENARIO-SET...]
#
# Make real x86_64 vmcores of a Debian kernel line under QEMU/TCG, together
# with what the kernel itself said about every task just before the dump
# (truth.txt, format in guest/klpt.c and below).
#
# Kernel lines (tests/e2e/lines-x86_64.sh; default bookworm-cloud): the
# image and -dbg packages behind the line's metapackage, bookworm's through
# the host's apt, the other suites' through tests/e2e/suite-apt.sh:
#   bookworm-cloud  6.1   every scenario set
#   bullseye-cloud  5.10  voluntary, preempt
#   trixie-cloud    6.12  every scenario set (by default voluntary, preempt,
#                         livepatch, replace: lines-x86_64.sh sets LINE)
#   trixie-rt       6.12 PREEMPT_RT  voluntary, preempt
#   sid-cloud       7.x   as trixie-cloud
#   fp-6.1          6.1 built by tests/e2e/kbuild.sh x86_64-fp (frame-pointer
#                   unwinder), every scenario set (by default voluntary,
#                   preempt, livepatch); kernel and modules from its O= tree
# The sets with out-of-tree modules
# (livepatch, stacked, unpatch, replace, and the voluntary set's sleeper
# module) need the compiler the kernel was built with: the host's own for
# bookworm (linux-headers-RELEASE, deps-x86_64.sh; the build tree for a
# kernel built here), a debootstrap chroot of
# the suite for trixie and sid (suite-chroot.sh); the lines without them
# run their voluntary guests without the sleepers.
#
# Scenario sets (one guest each; default: all the line has):
#   voluntary  kernel default (PREEMPT_VOLUNTARY via PREEMPT_DYNAMIC), with the
#              livepatch set's sleepers but no patch (a what-if is asked here);
#              function-graph max_graph_depth 1
#   preempt    preempt=full: busy tasks get preempted in kernel mode by IRQs;
#              max_graph_depth 0 (every traced callee hooked as well)
#   livepatch  like voluntary, plus two tasks asleep in a module function
#              that a livepatch replaces; the dump is taken while the
#              transition stalls (needs linux-headers-RELEASE, installed by
#              deps-x86_64.sh)
#   stacked    a first livepatch applied, two tasks asleep in its
#              replacement, a second patch of the same function stalls
#   unpatch    a first livepatch applied, two tasks asleep in its
#              replacement, disabling it (unpatching) stalls
#   replace    a first livepatch applied, two tasks asleep in its
#              replacement, an atomic-replace patch that no longer patches
#              that function (the kernel adds a nop klp_func for it) stalls
# All run the same scenario tasks (guest/init).
#
# Output: $CACHE/dumps/x86_64-SET/{vmcore,vmcore.elf,truth.txt,console.log,
#         vmlinux,System.map,config,release} for bookworm-cloud,
#         $CACHE/dumps/x86_64-LINE-SET/ for the other lines, with
#         CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack.
# An output dir that is complete and made for the current kernel ABI is
# kept as it is unless --force is given.
#
# truth.txt lines:
#   kernel RELEASE
#   guest SET | cmdline ... | tracer NAME max_graph_depth N hooks-from SOURCE
#   fgraph-functions F... | kretprobe-functions F...
#   fprobe-functions LABEL F...  (fprobe return probes; LABEL: how the hooked
#       return shows, ftrace-graph since 6.14, else kretprobe (a rethook))
#   task TID TGID COMM SCENARIO
#   state TID STATE
#   frame TID SYMBOL+0xOFF/0xSIZE [MODULE]     (innermost first)
#   moved TID        (a second read of /proc/TID/stack gave other frames)
#   reliable TID RET (lines that build modules: the kernel's own
#       stack_trace_save_tsk_reliable() of a sleeping task: entries, or
#       -errno when unreliable; guest/livepatch/klpt_reliable.c)
#   traced TID FUNC ftrace-graph|kretprobe
#   klp TID COMM sleeping FUNC | klp TID COMM running | klp TID COMM unreliable
#       (livepatch sets: the last klp_try_switch_task round before the dump)
#
# Exit status: 0 ok, 1 failure (message on stderr), 2 usage.
set -euo pipefail

E2E_PROG=mkdump-x86_64
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=lines-x86_64.sh
. "$(dirname "${BASH_SOURCE[0]}")/lines-x86_64.sh"

usage() {
	sed -n '4,/^# Exit status/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

force=0
deps=1
keep=0
line=bookworm-cloud
sets=()
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=1 ;;
	--no-deps) deps=0 ;;
	--keep) keep=1 ;;	# keep the work dir (initramfs, flat dump)
	--line) [ $# -ge 2 ] || usage; line=$2; shift ;;
	--line=*) line=${1#--line=} ;;
	-h|--help) usage ;;
	-*) echo "$E2E_PROG: unknown option $1" >&2; usage ;;
	*) sets+=("$1") ;;
	esac
	shift
done
case " $LINES_ALL " in
*" $line "*) ;;
*) echo "$E2E_PROG: unknown kernel line '$line' ($LINES_ALL)" >&2; exit 2 ;;
esac
line_info "$line"
# shellcheck disable=SC2206
[ "${#sets[@]}" -gt 0 ] || sets=($LINE_SETS)
for s in "${sets[@]}"; do
	case $s in
	voluntary|preempt|livepatch|stacked|unpatch|replace) ;;
	*) echo "$E2E_PROG: unknown scenario set '$s' (voluntary, preempt, livepatch, stacked, unpatch, replace)" >&2; exit 2 ;;
	esac
	case $s in
	voluntary|preempt) ;;
	*) [ "$LINE_MODULES" = 1 ] || { echo "$E2E_PROG: set '$s' needs out-of-tree modules built by the kernel's own compiler: not on line $line (sets: $LINE_SETS)" >&2; exit 2; } ;;
	esac
done
# the voluntary set's sleeper module exists on the lines that build modules
klpmod=$LINE_MODULES

t_all=$(e2e_now)
if [ "$deps" -eq 1 ]; then
	"$E2E_DIR/deps-x86_64.sh" >&2 || e2e_die "installing the dependencies failed"
fi
for c in qemu-system-x86_64 makedumpfile crash python3 gcc cpio gzip objcopy readelf dpkg-deb apt-get timeout xz; do
	command -v "$c" >/dev/null || e2e_die "$c not found (run tests/e2e/deps-x86_64.sh as root)"
done
BUSYBOX=/bin/busybox
e2e_static_bin "$BUSYBOX" || e2e_die "$BUSYBOX is not a static binary (install busybox-static)"

# ---- kernel: ABI from the metapackage, never hard-coded -------------------
CACHE=$E2E_CACHE_ROOT/x86_64
SA=("$E2E_DIR/suite-apt.sh" "$LINE_SUITE")
if [ -n "$LINE_KBUILD" ]; then
	# a kernel built here (kbuild.sh: cached, or minutes on two cores);
	# its build directory's name (source version and config hash) and
	# its vmlinux's build-id stand for the package a dump was made with
	t=$(e2e_now)
	KDIR=$(bash "$E2E_DIR/kbuild.sh" "$LINE_KBUILD") || e2e_die "building the kernel $LINE_KBUILD failed"
	release=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null) ||
		e2e_die "no include/config/kernel.release in $KDIR"
	# the line's name says the X.Y (fp-6.1): a newer linux-source in the
	# host's suite is a new line, not silently the same one
	case $release in
	"${line##*-}".*) ;;
	*) e2e_die "line $line: kbuild.sh $LINE_KBUILD built $release, not ${line##*-}" ;;
	esac
	# a rebuild of the same config is another kernel (builds are not
	# reproducible: a dump keeps its build-id): the vmlinux's build-id is
	# part of the name
	bid=$(readelf -n "$KDIR/vmlinux" 2>/dev/null | sed -n 's/.*Build ID: *//p' | head -n1)
	[ -n "$bid" ] || e2e_die "no build-id in $KDIR/vmlinux"
	img_pkg=kbuild:$(basename "$KDIR"):$bid
	e2e_log "line $line: kernel $release (kbuild.sh $LINE_KBUILD: $KDIR, $(e2e_elapsed "$t") s)"
elif [ -z "$LINE_SUITE" ]; then
	img_pkg=$(e2e_meta_depends "$LINE_META")
else
	img_pkg=$(bash "${SA[@]}" kernel "$LINE_META") || e2e_die "no kernel behind $LINE_SUITE's $LINE_META"
fi
if [ -z "$LINE_KBUILD" ]; then
	release=${img_pkg#linux-image-}
	e2e_log "line $line: kernel $release (from ${LINE_SUITE:-host} $LINE_META)"
fi

outdir_of() { printf '%s/dumps/%s-%s\n' "$E2E_CACHE_ROOT" "$LINE_PREFIX" "$1"; }
# A dump is reused only when it was made by these very guest sources (the
# checks this script runs on a dump afterwards do not count).
here=$(dirname "${BASH_SOURCE[0]}")
guest_id=$(find "$here/common.sh" "$here/qmp.py" "$here/guest" \
	-type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
complete() {
	local d=$1 f
	for f in vmcore vmcore.elf truth.txt console.log vmlinux System.map config release guest-id; do
		[ -e "$d/$f" ] || return 1
	done
	# meta: the kernel the metapackage named when the dump was made (a
	# fallback kernel has another release)
	[ "$(cat "$d/meta" 2>/dev/null)" = "$img_pkg" ] && [ -s "$d/truth.txt" ] &&
		[ "$(cat "$d/guest-id")" = "$guest_id" ]
}

# Another suite's kernel (suite-apt.sh): the image (sid splits it into
# linux-binary-ABI, the vmlinuz, linux-modules-ABI and linux-base-ABI, the
# config) and its -dbg.  The
# metapackage's candidate comes first; when its packages cannot be
# downloaded (a mirror may list a security update's -dbg it does not
# carry), the metapackage's older versions in the suite, newest first.
# Sets release, KDIR, VMLINUZ, VMLINUX, SYSMAP, KCONFIG, MODDIR, what.
suite_kernel() {
	local img dep v dbg_deb d f root
	local -a imgs=("$img_pkg") debs=() pkgs=()
	while read -r _ dep; do
		[ "$dep" = "$img_pkg" ] || imgs+=("$dep")
	done < <(bash "${SA[@]}" apt-cache show "$LINE_META" 2>/dev/null | awk '
		/^Version:/ { v = $2 }
		/^Depends:/ { if (match($0, /linux-image-[0-9][^ ,]*/)) print v, substr($0, RSTART, RLENGTH) }' |
		sort -u -k1,1Vr)
	for img in "${imgs[@]}"; do
		release=${img#linux-image-}
		# the image package itself, or the packages it is split into
		pkgs=()
		while read -r dep; do
			pkgs+=("$dep")
		done < <(bash "${SA[@]}" apt-cache show "$img" 2>/dev/null |
			awk '/^Depends:/ { n = split($0, a, /[ ,]+/)
				for (i = 1; i <= n; i++) if (a[i] ~ /^linux-(binary|modules|base)-[0-9]/) print a[i]; exit }')
		[ "${#pkgs[@]}" -gt 0 ] || pkgs=("$img")
		pkgs+=("$img-dbg")
		debs=()
		for f in "${pkgs[@]}"; do
			d=$(bash "${SA[@]}" fetch "$E2E_CACHE_ROOT/apt/$LINE_SUITE/debs" "$f") || break
			debs+=("$d")
		done
		if [ "${#debs[@]}" -eq "${#pkgs[@]}" ]; then
			break
		fi
		e2e_log "line $line: cannot download $img with its -dbg; trying the metapackage's previous kernel"
		debs=()
	done
	[ "${#debs[@]}" -gt 0 ] || e2e_die "line $line: no kernel of $LINE_SUITE's $LINE_META can be downloaded with its -dbg"
	[ "$img" = "$img_pkg" ] || e2e_log "line $line: kernel $release instead"
	KDIR=$CACHE/$release
	dbg_deb=${debs[-1]}
	unset 'debs[-1]'
	# the image packages as they are; modules compressed (.ko.xz) are
	# unpacked for the initramfs (busybox insmod reads plain .ko files)
	root=$KDIR/image
	if [ "$(cat "$root/.unpacked" 2>/dev/null)" != "$(for d in "${debs[@]}"; do basename "$d"; done)" ]; then
		e2e_log "unpacking $(for d in "${debs[@]}"; do basename "$d"; done | tr '\n' ' ')"
		rm -rf "$root"
		mkdir -p "$root"
		for d in "${debs[@]}"; do
			dpkg-deb -x "$d" "$root" || e2e_die "dpkg-deb -x $d failed"
		done
		find "$root" -name '*.ko.xz' -print0 | xargs -0 -r xz -d ||
			e2e_die "cannot decompress the modules in $root"
		find "$root" -name '*.ko.zst' -print0 | xargs -0 -r zstd -q -d --rm ||
			e2e_die "cannot decompress the modules in $root"
		for d in "${debs[@]}"; do basename "$d"; done > "$root/.unpacked"
	fi
	# only vmlinux and System.map of the -dbg (the rest is the modules'
	# debug info: gigabytes unpacked)
	root=$KDIR/dbg
	if [ "$(cat "$root/.unpacked" 2>/dev/null)" != "$(basename "$dbg_deb")" ]; then
		e2e_log "unpacking vmlinux and System.map of $(basename "$dbg_deb")"
		rm -rf "$root"
		mkdir -p "$root"
		dpkg-deb --fsys-tarfile "$dbg_deb" | tar -x -C "$root" --wildcards --no-wildcards-match-slash \
			"./usr/lib/debug/boot/*" "./usr/lib/debug/lib/modules/*/vmlinux*" \
			"./usr/lib/debug/lib/modules/*/System.map*" \
			"./usr/lib/debug/usr/lib/modules/*/vmlinux*" \
			"./usr/lib/debug/usr/lib/modules/*/System.map*" 2>"$root/tar.log" || true
		# (tar fails on the patterns of the layouts this package lacks)
		for f in "$root"/usr/lib/debug/boot/vmlinux-* "$root"/usr/lib/debug/*lib/modules/*/vmlinux* \
			"$root"/usr/lib/debug/usr/lib/modules/*/vmlinux* ""; do
			[ -z "$f" ] || [ ! -e "$f" ] || break
		done
		[ -n "$f" ] || e2e_die "no vmlinux in $dbg_deb (tar: $root/tar.log)"
		basename "$dbg_deb" > "$root/.unpacked"
	fi
	first() { local p; for p in "$@"; do [ -e "$p" ] && { printf '%s\n' "$p"; return; }; done; printf '%s\n' "$1"; }
	VMLINUZ=$(first "$KDIR/image/boot/vmlinuz-$release" "$KDIR/image/usr/lib/modules/$release/vmlinuz" \
		"$KDIR/image/lib/modules/$release/vmlinuz")
	MODDIR=$(first "$KDIR/image/lib/modules/$release" "$KDIR/image/usr/lib/modules/$release")
	KCONFIG=$(first "$KDIR/image/boot/config-$release" "$KDIR/image/usr/lib/modules/$release/config" \
		"$KDIR/image/lib/modules/$release/config")
	VMLINUX=$(first "$root/usr/lib/debug/boot/vmlinux-$release" "$root/usr/lib/debug/lib/modules/$release/vmlinux" \
		"$root/usr/lib/debug/usr/lib/modules/$release/vmlinux")
	SYSMAP=$(first "$root/usr/lib/debug/boot/System.map-$release" \
		"$root/usr/lib/debug/lib/modules/$release/System.map" \
		"$root/usr/lib/debug/usr/lib/modules/$release/System.map")
	what="$(for d in "${debs[@]}" "$dbg_deb"; do basename "$d"; done | tr '\n' ' ')"
}

todo=()
for s in "${sets[@]}"; do
	if [ "$force" -eq 0 ] && complete "$(outdir_of "$s")"; then
		e2e_log "$LINE_PREFIX-$s: up to date in $(outdir_of "$s") (--force remakes it)"
	else
		todo+=("$s")
	fi
done
[ "${#todo[@]}" -gt 0 ] || exit 0

t=$(e2e_now)
MODDIR=
if [ -n "$LINE_KBUILD" ]; then
	# the O= tree; no module directory: what the guest needs
	# (qemu_fw_cfg) is built in
	VMLINUZ=$KDIR/arch/x86/boot/bzImage
	VMLINUX=$KDIR/vmlinux
	SYSMAP=$KDIR/System.map
	KCONFIG=$KDIR/.config
	what="kbuild.sh $LINE_KBUILD ($KDIR)"
elif [ -z "$LINE_SUITE" ]; then
	img_deb=$(e2e_fetch_deb "$CACHE/debs" "$img_pkg" amd64)
	dbg_deb=$(e2e_fetch_deb "$CACHE/debs" "$img_pkg-dbg" amd64)
	KDIR=$CACHE/$release
	e2e_unpack "$img_deb" "$KDIR/image"
	e2e_unpack "$dbg_deb" "$KDIR/dbg"
	VMLINUZ=$KDIR/image/boot/vmlinuz-$release
	VMLINUX=$KDIR/dbg/usr/lib/debug/boot/vmlinux-$release
	MODDIR=$KDIR/image/lib/modules/$release
	KCONFIG=$KDIR/image/boot/config-$release
	# The image package's System.map is a stub; the real one is in -dbg.
	SYSMAP=$KDIR/dbg/usr/lib/debug/boot/System.map-$release
	what="$(basename "$img_deb") / $(basename "$dbg_deb")"
else
	suite_kernel
fi
[ -f "$VMLINUZ" ] || e2e_die "no vmlinuz in $what"
[ -f "$VMLINUX" ] || e2e_die "no vmlinux in $what"
[ -f "$SYSMAP" ] || e2e_die "no System.map in $what"
[ -f "$KCONFIG" ] || e2e_die "no kernel config in $what"
[ -n "$LINE_KBUILD" ] || [ -d "$MODDIR" ] || e2e_die "no modules in $what"
e2e_log "kernel ready in $(e2e_elapsed "$t") s ($KDIR)"

# ---- guest programs and initramfs -------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/klpstack-x86_64.XXXXXX")
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		sleep 1
		kill -9 "$qpid" 2>/dev/null || true
	fi
	if [ "$keep" -eq 1 ]; then
		e2e_log "work dir kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$work/bin"
gcc -static -O2 -Wall -Wextra -o "$work/bin/klpt" "$E2E_DIR/guest/klpt.c" -lpthread ||
	e2e_die "building guest/klpt.c failed"
cp "$BUSYBOX" "$work/bin/busybox"
modules=()
if [ -n "$MODDIR" ]; then
	mapfile -t modules < <(e2e_module_order "$MODDIR" qemu_fw_cfg)
elif ! grep -qx 'CONFIG_FW_CFG_SYSFS=y' "$KCONFIG"; then
	e2e_die "$what has no qemu_fw_cfg built in (CONFIG_FW_CFG_SYSFS=y): the dump would have no VMCOREINFO"
fi
e2e_log "guest modules: $(for m in "${modules[@]}"; do basename "$m"; done | tr '\n' ' ')"
mkdir -p "$work/data"
# every set of a line that builds modules uses them (klpt_reliable.ko:
# the kernel's own reliable-stack verdicts; klpt_initwait.ko: a task asleep
# in a module's init function)
if [ "$klpmod" = 1 ]; then
	# out-of-tree test modules against Debian's headers of the same ABI,
	# with the compiler the kernel was built with
	t=$(e2e_now)
	if [ -n "$LINE_KBUILD" ]; then
		# the build tree itself, with the host's gcc that built it
		cp -r "$E2E_DIR/guest/livepatch" "$work/lp"
		e2e_timeout 300 make -C "$KDIR" M="$work/lp" modules > "$work/lp.log" 2>&1 || {
			tail -n 30 "$work/lp.log" >&2
			e2e_die "building the livepatch test modules against $KDIR failed"
		}
	elif [ -z "$LINE_SUITE" ]; then
		if [ "$deps" -eq 1 ]; then
			"$E2E_DIR/deps-x86_64.sh" "$release" >&2 || e2e_die "installing linux-headers-$release failed"
		fi
		kbuild=/usr/src/linux-headers-$release
		[ -f "$kbuild/Makefile" ] || e2e_die "no $kbuild (run tests/e2e/deps-x86_64.sh $release as root)"
		cp -r "$E2E_DIR/guest/livepatch" "$work/lp"
		e2e_timeout 300 make -C "$kbuild" M="$work/lp" modules > "$work/lp.log" 2>&1 || {
			tail -n 30 "$work/lp.log" >&2
			e2e_die "building the livepatch test modules failed"
		}
	else
		# another suite's compiler: in a debootstrap chroot of it
		# (made once, cached), for this very release (a fallback
		# kernel included)
		mkdir -p "$work/lp"
		bash "$E2E_DIR/suite-chroot.sh" "$LINE_SUITE" modules "$release" \
			"$E2E_DIR/guest/livepatch" "$work/lp" >&2 ||
			e2e_die "building the livepatch test modules in a $LINE_SUITE chroot failed"
	fi
	for m in klpt_sleeper klpt_livepatch klpt_livepatch2 klpt_livepatch_replace klpt_initwait klpt_reliable; do
		[ -f "$work/lp/$m.ko" ] || e2e_die "the module build made no $m.ko"
	done
	cp "$work/lp/"*.ko "$work/data/"
	e2e_log "livepatch test modules built in $(e2e_elapsed "$t") s"
fi
e2e_mk_initramfs "$work/initrd.gz" "$E2E_DIR/guest/init" "$work/bin" "$work/data" "${modules[@]}"

# ---- one guest per scenario set ----------------------------------------------
run_set() {
	local set=$1 attempt=${2:-1} out tmp append t0 rc=0
	out=$(outdir_of "$set")
	tmp=$out.new
	rm -rf "$tmp"
	mkdir -p "$tmp"
	append="console=ttyS0 panic=-1 klpset=$set"
	# no sleeper module on this line: the guest runs without its tasks
	[ "$klpmod" = 1 ] || append="$append klpmod=0"
	if [ "$set" = preempt ]; then
		append="$append preempt=full"
	fi

	e2e_log "$LINE_PREFIX-$set: booting ($append)"
	t0=$(e2e_now)
	# -nodefaults: no NIC, no VGA; -no-reboot + panic=-1: a kernel panic ends
	# QEMU, which qmp.py notices at once instead of waiting for its time-out.
	qemu-system-x86_64 -accel tcg -cpu max -m 512M -smp 2 \
		-nodefaults -nographic -no-reboot \
		-device vmcoreinfo \
		-kernel "$VMLINUZ" -initrd "$work/initrd.gz" -append "$append" \
		-serial "file:$tmp/console.raw" -monitor none \
		-qmp "unix:$work/qmp-$set.sock,server=on,wait=off" \
		> "$tmp/qemu.log" 2>&1 &
	qpid=$!
	python3 "$E2E_DIR/qmp.py" dump --sock "$work/qmp-$set.sock" --pid "$qpid" \
		--start "$t0" \
		--console "$tmp/console.raw" --marker "$E2E_READY" \
		--fail-marker 'klpt: FATAL' --fail-marker 'Kernel panic' \
		--ready-timeout 180 --dump-timeout 240 \
		--elf "$tmp/vmcore.elf" --kdump "$tmp/vmcore.flat" >&2 || rc=$?
	# QEMU quits after the dumps; give it a moment, then make sure
	for _ in $(seq 1 50); do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		sleep 2
		kill -9 "$qpid" 2>/dev/null || true
	fi
	wait "$qpid" 2>/dev/null || true
	qpid=
	tr -d '\r' < "$tmp/console.raw" > "$tmp/console.log" 2>/dev/null || true
	rm -f "$tmp/console.raw"
	if [ "$rc" -ne 0 ]; then
		e2e_log "$LINE_PREFIX-$set: last console lines:"
		tail -n 20 "$tmp/console.log" >&2 || true
		[ -s "$tmp/qemu.log" ] && { e2e_log "QEMU said:"; cat "$tmp/qemu.log" >&2; }
		# One more boot when the guest itself did not fail: a TCG guest
		# can hang once in a while (seen: 5.10's text_poke_bp() waiting
		# for an IPI the other vCPU never took, at function_graph
		# set-up, once in six boots); a second hang is a real failure.
		if [ "$attempt" -eq 1 ] && ! grep -q 'klpt: FATAL' "$tmp/console.log"; then
			mv "$tmp/console.log" "$out.console-failed.log"
			e2e_log "$LINE_PREFIX-$set: booting once more (first console in $out.console-failed.log)"
			run_set "$set" 2
			return
		fi
		e2e_die "$LINE_PREFIX-$set: no dump made (console in $tmp/console.log)"
	fi
	e2e_log "$LINE_PREFIX-$set: boot + scenarios + dumps took $(e2e_elapsed "$t0") s"

	e2e_timeout 120 makedumpfile -R "$tmp/vmcore" < "$tmp/vmcore.flat" > "$work/makedumpfile.log" 2>&1 || {
		cat "$work/makedumpfile.log" >&2
		e2e_die "makedumpfile -R failed on $tmp/vmcore.flat"
	}
	rm -f "$tmp/vmcore.flat"
	e2e_extract_truth "$tmp/console.log" "$tmp/truth.txt" ||
		e2e_die "$LINE_PREFIX-$set: no complete truth block in $tmp/console.log"
	grep -q "^kernel $release\$" "$tmp/truth.txt" ||
		e2e_die "$LINE_PREFIX-$set: truth.txt names another kernel than $release"
	if [ "$set" = livepatch ] || [ "$set" = stacked ] || [ "$set" = unpatch ] || [ "$set" = replace ]; then
		grep -q '^klp [0-9]* [^ ]* sleeping klpt_sleeper_wait$' "$tmp/truth.txt" ||
			e2e_die "$LINE_PREFIX-$set: the truth shows no task stalling the livepatch transition"
	fi
	ln -sfn "$VMLINUX" "$tmp/vmlinux"
	ln -sfn "$SYSMAP" "$tmp/System.map"
	echo "$release" > "$tmp/release"
	echo "$img_pkg" > "$tmp/meta"
	ln -sfn "$KCONFIG" "$tmp/config"
	echo "$guest_id" > "$tmp/guest-id"
	rm -f "$tmp/qemu.log"

	check_crash "$set" "$tmp"
	check_hooks "$set" "$tmp"

	rm -rf "$out"
	mv "$tmp" "$out"
	e2e_log "$LINE_PREFIX-$set: done: $out ($(grep -c '^task ' "$out/truth.txt") tasks in truth.txt)"
}

# crash(8) must open the dumps (the ELF file of every set, the kdump file of
# the line's first set) and run sys, bt -a and log. Debian's crash
# 8.0.2 sees only the active tasks of this kernel (struct pid mis-sized since
# 6.1.112, fixed in crash 8.0.4), which is expected. Its "bt" on an active
# task that runs in the kernel fails with "invalid size request: 0" while it
# probes the unnamed exception stacks of 6.1's cpu_entry_area: reported as a
# known limitation, not as a broken dump.
check_crash() {
	local set=$1 dir=$2 f log t files=vmcore.elf
	# The ELF file on every set; the kdump file (makedumpfile's format, what
	# customers' kdump writes) on the line's first set only: crash takes a
	# minute or two on it under TCG-era load, about 18 minutes of CI over
	# all sets for the same answer.
	[ "$set" = "${LINE_SETS%% *}" ] && files="vmcore.elf vmcore"
	for f in $files; do
		log=$dir/crash-$f.log
		t=$(e2e_now)
		# (minutes on the kdump file of a loaded machine: generous limit)
		printf 'sys\nbt -a\nlog\n' > "$work/crash.cmds"
		# first half of check_hooks, saving one start of crash (~20 s)
		[ "$f" = vmcore.elf ] && hooks_pass1 >> "$work/crash.cmds"
		echo quit >> "$work/crash.cmds"
		if ! e2e_timeout 900 bash "$E2E_DIR/lines-x86_64.sh" crash "$line" -s "$dir/vmlinux" "$dir/$f" -i "$work/crash.cmds" \
			< /dev/null > "$log" 2>&1; then
			tail -n 20 "$log" >&2
			e2e_die "$LINE_PREFIX-$set: crash cannot read $f (log: $log)"
		fi
		grep -q "RELEASE: $release" "$log" ||
			e2e_die "$LINE_PREFIX-$set: crash 'sys' on $f shows no RELEASE $release (log: $log)"
		grep -q '^PID: ' "$log" ||
			e2e_die "$LINE_PREFIX-$set: crash 'bt -a' on $f shows no task (log: $log)"
		grep -q 'klpt: truth: .* tasks recorded' "$log" ||
			e2e_die "$LINE_PREFIX-$set: crash 'log' on $f lacks the guest's messages (log: $log)"
		# "inconsistent active task indications": the dump caught a CPU
		# mid context switch (runqueue curr and current_task differ), a
		# property of the instant, not of a broken dump
		if grep -E -v 'invalid size request: 0 +type: "stack contents"|read of stack at fffffe|inconsistent active task indications' "$log" |
			grep -E -q '^(bt|crash|sys|log): '; then
			grep -E '^(bt|crash|sys|log): ' "$log" | sort | uniq -c >&2
			e2e_die "$LINE_PREFIX-$set: crash reported errors on $f (log: $log)"
		fi
		if grep -q 'invalid size request: 0' "$log"; then
			e2e_log "$LINE_PREFIX-$set: crash on $f: bt of the active tasks fails (known crash limitation, see $log)"
		fi
		e2e_log "$LINE_PREFIX-$set: crash sys/bt -a/log on $f ok in $(e2e_elapsed "$t") s"
	done
}

# The truth's "traced" lines against the dump itself: for every thread-group
# leader on init_task.tasks, the graph tracer's shadow stack and the number
# of the task's kretprobe instances must be exactly what truth.txt says.
# Uses crash (list/struct work although crash's own task table may be
# incomplete) and the System.map plus the KASLR offset to name the
# functions.  Layouts by kernel, told by the dump's own types and symbols:
#   task->ret_stack  struct ftrace_ret_stack * (<= 6.10): entries
#                    0..curr_ret_stack; unsigned long * (>= 6.11, commit
#                    "fgraph: Convert ret_stack to a series of longs"): a word
#                    array, curr_ret_stack words used, each frame closed by
#                    a word whose bits 0-9 give the distance to its start
#   kretprobes       task->rethooks (rethook, x86 since 6.0:
#                    arch_rethook_trampoline), task->kretprobe_instances
#                    (5.11-5.19: __kretprobe_trampoline), the global
#                    kretprobe_inst_table hash (<= 5.10)
hooks_pass1() {
	local kr=
	if grep -q ' arch_rethook_trampoline$' "$SYSMAP"; then
		kr=,rethooks
	elif grep -q ' __kretprobe_trampoline$' "$SYSMAP"; then
		kr=,kretprobe_instances
	fi
	printf '%s\n' 'sym schedule' 'p klp_target_state' 'struct task_struct.ret_stack' \
		'struct ftrace_ret_stack -o' \
		"list task_struct.tasks -s task_struct.pid,curr_ret_stack,ret_stack$kr,patch_state -h init_task"
}
check_hooks() {
	local set=$1 dir=$2 t
	t=$(e2e_now)
	E2E_WORK=$work E2E_LINE=$line E2E_LINES=$E2E_DIR/lines-x86_64.sh \
		e2e_timeout 1800 python3 - "$dir" "$SYSMAP" "$dir/crash-vmcore.elf.log" <<'PYEOF' >&2 ||
import bisect, re, subprocess, sys, os, collections

d, sysmap = sys.argv[1], sys.argv[2]
cmdfile = os.path.join(os.environ["E2E_WORK"], "hooks.cmds")

def crash(cmds):
    with open(cmdfile, "w") as f:
        f.write("\n".join(cmds + ["quit"]) + "\n")
    r = subprocess.run(["bash", os.environ["E2E_LINES"], "crash", os.environ["E2E_LINE"],
                        "-s", d + "/vmlinux", d + "/vmcore.elf", "-i", cmdfile],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=850)
    return r.stdout

def kname(a):
    # ftrace_ret_stack.func is the traced call site: the function's start,
    # or 4 bytes in where an ENDBR64 comes first (CONFIG_X86_KERNEL_IBT,
    # Debian's 6.12 and later)
    a -= kaslr
    i = bisect.bisect_right(addrs, a) - 1
    return names[i] if i >= 0 and a - addrs[i] in (0, 4) else hex(a)

addrs, names = [], []
link_schedule = None
with open(sysmap) as f:
    for line in f:
        w = line.split()
        if len(w) >= 3 and w[1] in "tTwW":
            addrs.append(int(w[0], 16)); names.append(w[2])
            if w[2] == "schedule":
                link_schedule = int(w[0], 16)
order = sorted(range(len(addrs)), key=addrs.__getitem__)
addrs = [addrs[i] for i in order]; names = [names[i] for i in order]

with open(sys.argv[3], errors="replace") as f:     # check_crash ran E2E_HOOKS_PASS1
    out = pass1 = f.read()
m = re.search(r"^([0-9a-f]{16}) \(\w\) schedule\b", out, re.M)
if not m or link_schedule is None:
    sys.exit("check_hooks: cannot find the KASLR offset")
kaslr = int(m.group(1), 16) - link_schedule
# the list walk: one block per task, its address on a line of its own
tasks = []
for m in re.finditer(r"^([0-9a-f]{16})\n((?:  .*\n)+)", out, re.M):
    b = m.group(2)
    pid = re.search(r"pid = (\d+),", b)
    crs = re.search(r"curr_ret_stack = (-?\d+),", b)
    rs = re.search(r"ret_stack = (0x[0-9a-f]+),", b)
    kr1 = re.search(r"(?:rethooks|kretprobe_instances) = \{\s+first = (0x[0-9a-f]+)", b)
    if pid and crs and rs:
        tasks.append((int(m.group(1), 16), int(pid.group(1)), int(crs.group(1)), rs.group(1),
                      kr1.group(1) if kr1 else None))
if len(tasks) < 10:
    sys.exit("check_hooks: the task list walk found %d tasks" % len(tasks))
words = "unsigned long *ret_stack" in out          # >= 6.11
if not words and "struct ftrace_ret_stack *ret_stack" not in out:
    sys.exit("check_hooks: unknown type of task_struct.ret_stack")
m = re.search(r"^\s+\[(\d+)\] unsigned long func;", out, re.M)
if not m:
    sys.exit("check_hooks: no ftrace_ret_stack.func offset")
func_off = int(m.group(1))
rethooks = re.search(r"rethooks = \{", out) is not None
kr_list = "rethook_node.llist -s rethook_node.ret_addr" if rethooks else \
    "kretprobe_instance.llist -s kretprobe_instance.ret_addr"
table = all(t[4] is None for t in tasks)     # <= 5.10: kretprobe_inst_table
cmds = []
for task, pid, crs, rs, rh in tasks:
    cmds.append("p %d" % (pid + 1000000))    # a marker crash echoes in order
    if not words and crs >= 0:
        cmds.append("struct ftrace_ret_stack.func -x %s %d" % (rs, crs + 1))
    if words and crs > 0 and rs != "0x0":
        cmds.append("rd -64 -x %s %d" % (rs, crs))
    if rh is not None and rh != "0x0":
        cmds.append("list -l %s -x %s" % (kr_list, rh))
if table:
    cmds.append("p 999999")
    cmds.append("p -x kretprobe_inst_table")
out = crash(cmds)
fg, kr, cur = {}, collections.Counter(), None
wordbuf = {}
heads = []
for line in out.splitlines():
    m = re.match(r"\$\d+ = (\d+)$", line)
    if m:
        cur = int(m.group(1)) - 1000000
        if cur >= 0:
            fg[cur] = []; wordbuf[cur] = []
        continue
    if cur is None:
        continue
    if cur < 0:                               # the 5.10 hash table
        heads += re.findall(r"first = (0x[0-9a-f]+)", line)
        continue
    m = re.search(r"func = (0x[0-9a-f]+)", line)
    if m:
        fg[cur].append(kname(int(m.group(1), 16)))
    m = re.match(r"([0-9a-f]{16}):\s+((?:[0-9a-f]{16}\s*)+)$", line)
    if m and words:
        wordbuf[cur] += [int(x, 16) for x in m.group(2).split()]
    if "ret_addr = " in line:
        kr[cur] += 1
if words:
    # frames from the top down: the last word of each frame gives the
    # distance back to its start (FGRAPH_FRAME_OFFSET, bits 0-9)
    for pid, w in wordbuf.items():
        off, found = len(w), []
        while off > 0:
            back = w[off - 1] & 0x3ff
            if back <= 0 or back > off - 1:
                sys.exit("check_hooks: task %d: corrupt shadow stack at word %d" % (pid, off - 1))
            off = off - 1 - back
            found.append(kname(w[off + func_off // 8]))
        fg[pid] = list(reversed(found))       # outermost first, as the struct array
if table:
    live = [h for h in heads if h != "0x0"]
    byaddr = dict((t[0], t[1]) for t in tasks)
    if live:
        out = crash(["list kretprobe_instance.hlist -s kretprobe_instance.task -x %s" % h for h in live])
        for a in re.findall(r"task = (0x[0-9a-f]+)", out):
            if int(a, 16) in byaddr:
                kr[byaddr[int(a, 16)]] += 1
if len(fg) != len(tasks):
    sys.exit("check_hooks: read %d of %d tasks" % (len(fg), len(tasks)))
tfg, tkr = collections.defaultdict(list), collections.Counter()
# Tasks that run (state R) or whose stack moved between the guest's two
# reads change their shadow stack at will: their hooks prove nothing.
unsettled = set()
with open(d + "/truth.txt") as f:
    for line in f:
        w = line.split()
        if len(w) >= 3 and w[0] == "state" and w[2] == "R":
            unsettled.add(int(w[1]))
        if len(w) >= 2 and w[0] == "moved":
            unsettled.add(int(w[1]))
with open(d + "/truth.txt") as f:
    for line in f:
        w = line.split()
        if w and w[0] == "traced":
            if w[3] == "ftrace-graph":
                tfg[int(w[1])].append(w[2])
            else:
                tkr[int(w[1])] += 1
bad = hooked = 0
for pid in sorted(fg):
    if pid in unsettled:
        continue
    dump = list(reversed(fg[pid]))      # innermost first, like truth.txt
    if dump or kr[pid]:
        hooked += 1
    if dump != tfg.get(pid, []) or kr[pid] != tkr[pid]:
        bad += 1
        print("check_hooks: task %d: dump %s + %d rethook(s), truth %s + %d"
              % (pid, dump, kr[pid], tfg.get(pid, []), tkr[pid]))
print("check_hooks: %d task(s) checked, %d with hooks, %d mismatch(es)" % (len(fg), hooked, bad))

# livepatch set: the last klp_try_switch_task round names exactly the tasks
# whose patch_state is not yet klp_target_state (leaders only: the list walk
# sees no other threads)
klp = set()
with open(d + "/truth.txt") as f:
    for line in f:
        w = line.split()
        if w and w[0] == "klp":
            klp.add(int(w[1]))
if klp:
    # crash prints "klp_target_state = $1 = 1"
    m = re.search(r"klp_target_state = (?:\$\d+ = )?(-?\d+)", pass1)
    states = dict((int(a), int(b)) for a, b in
                  re.findall(r"pid = (\d+),[^$]*?patch_state = (-?\d+)", pass1))
    if not m or len(states) != len(tasks):
        sys.exit("check_hooks: cannot read klp_target_state / patch_state")
    target = int(m.group(1))
    pending = set(p for p, st in states.items() if st != target)
    leaders = set(states)
    if pending != (klp & leaders):
        bad += 1
        print("check_hooks: livepatch: not switched in the dump %s, klp lines %s (target %d)"
              % (sorted(pending), sorted(klp & leaders), target))
    else:
        print("check_hooks: livepatch: %d unswitched leader(s), as the klp lines say" % len(pending))
sys.exit(1 if bad or not hooked else 0)
PYEOF
		e2e_die "$LINE_PREFIX-$set: the truth's traced lines do not match the dump"
	e2e_log "$LINE_PREFIX-$set: traced lines match the dump's shadow stacks and rethooks ($(e2e_elapsed "$t") s)"
}

for s in "${todo[@]}"; do
	run_set "$s"
done
e2e_log "all done in $(e2e_elapsed "$t_all") s"
