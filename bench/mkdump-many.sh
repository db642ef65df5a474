#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/mkdump-many.sh [N...]
#
# Dumps of an x86_64 QEMU/TCG guest with N parked threads each (default:
# 100 500 1000 2000 5000; up to 100000), for the scaling figures of
# bench/run.sh.  The
# kernel is the one tests/e2e/mkdump-x86_64.sh already unpacked into the
# cache (run that first); this script only adds a different /init
# (bench/guest/init) and task load (bench/guest/many.c), using the
# functions of tests/e2e/common.sh as they are.
#
# Output: $CACHE/dumps/x86_64-many-N/{vmcore,vmlinux,release,console.log}
# with CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack; an existing one is
# kept.  Exit status: 0 ok, 1 failure.
#
# Environment:
#   MANY_DIR=DIR  write DIR/x86_64-many-N instead ($CACHE/dumps)
#   MANY_ELF=1    also an ELF dump, vmcore.elf (as big as the guest's
#                 memory), for drgn: the libkdumpfile of drgn 0.3.0 (sid,
#                 0.5.6) cannot open QEMU's kdump file ("KDUMP_ATTR_ARCH_NAME:
#                 Key has no value"); it reads the ELF one
set -euo pipefail

# shellcheck disable=SC2034  # read by tests/e2e/common.sh
E2E_PROG=mkdump-many
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/../tests/e2e/common.sh"

counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100 500 1000 2000 5000)
for n in "${counts[@]}"; do
	case $n in ''|*[!0-9]*) e2e_die "not a task count: $n" ;; esac
	if [ "$n" -lt 1 ] || [ "$n" -gt 100000 ]; then e2e_die "task count $n: 1..100000"; fi
done
for c in qemu-system-x86_64 makedumpfile gcc cpio gzip python3 timeout; do
	command -v "$c" >/dev/null || e2e_die "$c not found (tests/e2e/deps-x86_64.sh installs them)"
done
BUSYBOX=/bin/busybox
e2e_static_bin "$BUSYBOX" || e2e_die "$BUSYBOX is not a static binary (install busybox-static)"

# The kernel mkdump-x86_64.sh fetched: its release is in the dumps it made.
CACHE=$E2E_CACHE_ROOT
release=
for d in "$CACHE"/dumps/x86_64-voluntary "$CACHE"/dumps/x86_64-preempt; do
	[ -s "$d/release" ] && { release=$(cat "$d/release"); break; }
done
[ -n "$release" ] || e2e_die "no x86_64 dump in $CACHE/dumps: run tests/e2e/mkdump-x86_64.sh first"
KDIR=$CACHE/x86_64/$release
VMLINUZ=$KDIR/image/boot/vmlinuz-$release
VMLINUX=$KDIR/dbg/usr/lib/debug/boot/vmlinux-$release
MODDIR=$KDIR/image/lib/modules/$release
if [ ! -f "$VMLINUZ" ] || [ ! -f "$VMLINUX" ] || [ ! -d "$MODDIR" ]; then
	e2e_die "kernel $release is not unpacked under $KDIR: run tests/e2e/mkdump-x86_64.sh first"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/klpstack-many.XXXXXX")
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$work/bin"
gcc -static -O2 -Wall -Wextra -o "$work/bin/many" "$here/guest/many.c" -lpthread ||
	e2e_die "building bench/guest/many.c failed"
cp "$BUSYBOX" "$work/bin/busybox"
mapfile -t modules < <(e2e_module_order "$MODDIR" qemu_fw_cfg)
e2e_mk_initramfs "$work/initrd.gz" "$here/guest/init" "$work/bin" "" "${modules[@]}"

elf=()
for n in "${counts[@]}"; do
	out=${MANY_DIR:-$CACHE/dumps}/x86_64-many-$n
	if [ -n "${MANY_ELF:-}" ]; then elf=(--elf "$out.new/vmcore.elf"); fi
	if [ -s "$out/vmcore" ] && [ "$(cat "$out/release" 2>/dev/null)" = "$release" ] &&
		{ [ -z "${MANY_ELF:-}" ] || [ -s "$out/vmcore.elf" ]; }; then
		e2e_log "$out: up to date"
		continue
	fi
	tmp=$out.new
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# About 40 KiB of kernel memory per thread (stack, task_struct, page
	# tables of 50-thread processes): 1 GiB leaves room for 10000; more
	# threads get 64 KiB each on top of 512 MiB.
	mem=1024
	if [ "$n" -gt 10000 ]; then mem=$((512 + n * 64 / 1024)); fi
	e2e_log "x86_64-many-$n: booting"
	t0=$(e2e_now)
	rm -f "$work/qmp.sock"
	qemu-system-x86_64 -accel tcg -cpu max -m "${mem}M" -smp 2 \
		-nodefaults -nographic -no-reboot -device vmcoreinfo \
		-kernel "$VMLINUZ" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 panic=-1 klpmany=$n" \
		-serial "file:$tmp/console.raw" -monitor none \
		-qmp "unix:$work/qmp.sock,server=on,wait=off" >"$tmp/qemu.log" 2>&1 &
	qpid=$!
	rc=0
	python3 "$E2E_DIR/qmp.py" dump --sock "$work/qmp.sock" --pid "$qpid" --start "$t0" \
		--console "$tmp/console.raw" --marker "$E2E_READY" \
		--fail-marker 'many: FATAL' --fail-marker 'Kernel panic' \
		--ready-timeout 900 --dump-timeout 600 \
		"${elf[@]}" --kdump "$work/vmcore.flat" >&2 || rc=$?
	for _ in $(seq 1 50); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=
	tr -d '\r' <"$tmp/console.raw" >"$tmp/console.log" 2>/dev/null || true
	rm -f "$tmp/console.raw"
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$tmp/console.log" >&2 || true
		e2e_die "x86_64-many-$n: no dump (console in $tmp/console.log)"
	fi
	e2e_timeout 300 makedumpfile -R "$tmp/vmcore" <"$work/vmcore.flat" >&2 ||
		e2e_die "makedumpfile -R failed"
	rm -f "$work/vmcore.flat" "$tmp/qemu.log"
	ln -sfn "$VMLINUX" "$tmp/vmlinux"
	echo "$release" >"$tmp/release"
	rm -rf "$out"
	mv "$tmp" "$out"
	e2e_log "x86_64-many-$n: $(grep -a 'tasks parked\|threads' "$out/console.log" | tr '\n' ' ')in $(e2e_elapsed "$t0") s"
done
