#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkdump-s390x.sh - boot Debian's s390x kernel under QEMU TCG with scenario
# tasks (ftrace graph, kretprobes, userfaultfd, busy, sleepers), take the
# kernel's own view of every task from the guest console, dump the guest and
# leave everything in $CACHE/dumps/s390x-SET/:
#
#   vmcore       kdump-compressed (zlib), converted from QEMU's flattened output
#   vmcore.elf   ELF dump, header repaired (QEMU 7.2 writes e_ehsize=8 and a
#                little-endian section-header table into a big-endian file)
#   truth.txt    the guest's truth lines (see guest-s390x/klpguest.c)
#   console.log  the whole console, CRs stripped
#   vmlinux      symlink to the debug vmlinux of the -dbg package
#   System.map   symlink to the -dbg package's System.map (the real one)
#   release      the kernel release
#
#   mkdump-s390x.sh [--line LINE]
#                   [--set all|fgraph|kretprobe|plain|sleepers|livepatch|unpatch]
#                   [--force] [--timeout S]
#
# LINE is the Debian suite whose s390x kernel the guest boots: bookworm
# (default; output $CACHE/dumps/s390x-SET), or another suite such as trixie
# or sid (output $CACHE/dumps/s390x-LINE-SET), fetched by deps-s390x.sh.
# LINE build-livepatch boots the kernel tests/e2e/kbuild.sh builds from the
# fragment kconfig/s390x-livepatch.config (CONFIG_LIVEPATCH, which no Debian
# s390x kernel has; vmlinux and System.map from its build directory), with
# the test modules of guest/livepatch/ cross-built against it; only that
# line runs the sets with them: sleepers (the "all" scenarios, two tasks
# asleep in the function the livepatch replaces, the kernel's own
# reliable-stack verdicts), livepatch (the same, and the livepatch
# loaded: a stalled transition, the kernel's last retry round) and unpatch
# (the patch applied first, the sleepers in its replacement, the patch
# disabled: a stalled unpatching transition).
# A complete directory is reused unless --force is given.  The last line
# printed on success is the output directory.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
S390=$CACHE/s390x

set_name=all
line=bookworm
force=0
boot_timeout=900	# TCG boot + settling; typically far less
dump_timeout=600

die() { echo "mkdump-s390x: error: $*" >&2; exit 1; }
log() { echo "mkdump-s390x: $*" >&2; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

while [ $# -gt 0 ]; do
	case $1 in
	--set) [ $# -ge 2 ] || die "--set needs a value"; set_name=$2; shift ;;
	--set=*) set_name=${1#--set=} ;;
	--line) [ $# -ge 2 ] || die "--line needs a value"; line=$2; shift ;;
	--line=*) line=${1#--line=} ;;
	--force) force=1 ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs seconds"; boot_timeout=$2; shift ;;
	-h|--help) sed -n '3,27p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
	shift
done
case $set_name in
all | fgraph | kretprobe | plain | sleepers | livepatch | unpatch) ;;
*) die "unknown set '$set_name' (all, fgraph, kretprobe, plain, sleepers, livepatch, unpatch)" ;;
esac
case $boot_timeout in '' | *[!0-9]*) die "--timeout wants whole seconds" ;; esac
case $line in '' | *[!a-z0-9-]*) die "bad line name '$line'" ;; esac
case $line in
build-*)
	kbuild=s390x-${line#build-}
	[ -f "$HERE/kconfig/$kbuild.config" ] || die "no kernel $kbuild to build for line $line"
	;;
*)
	kbuild=
	case $set_name in sleepers | livepatch | unpatch)
		die "set $set_name needs a kernel with CONFIG_LIVEPATCH (--line build-livepatch)" ;;
	esac
	;;
esac
# the test modules of the sets sleepers, livepatch, unpatch (guest/livepatch/)
KLP_MODULES="klpt_sleeper klpt_livepatch klpt_reliable"

if [ "$line" = bookworm ]; then
	OUT=$CACHE/dumps/s390x-$set_name
else
	OUT=$CACHE/dumps/s390x-$line-$set_name
fi
if [ -n "$kbuild" ]; then
	# the kernel build tools (kbuild.sh names deps-x86_64.sh for them:
	# flex, bison, pahole, the s390x cross compiler...), quick when present
	"$HERE/deps-x86_64.sh" >&2 || die "installing the kernel build tools failed"
	# the kernel first (cached; its directory name carries the source
	# version and the hash of the fragment), so the dump follows it
	KB=$(bash "$HERE/kbuild.sh" "$kbuild" | tail -n1) || die "kbuild.sh $kbuild failed"
	[ -e "$KB/.complete" ] || die "kbuild.sh $kbuild gave no build directory"
fi
# A dump is reused only when it was made by these very guest sources (and
# kernel, for a kernel built here).
guest_id=$({
	cat "$HERE/mkdump-s390x.sh" "$HERE"/guest-s390x/*
	if [ -n "$kbuild" ]; then
		# the build and its vmlinux's build-id: a rebuild of the same
		# config is another kernel (builds are not reproducible)
		echo "$KB"
		readelf -n "$KB/vmlinux" 2>/dev/null | sed -n 's/.*Build ID: *//p'
		for m in $KLP_MODULES; do cat "$HERE/guest/livepatch/$m.c"; done
	fi
} | sha256sum | cut -c1-16)
if [ $force = 0 ] && [ -e "$OUT/.complete" ] &&
	[ "$(cat "$OUT/.complete")" = "$guest_id" ]; then
	log "reusing $OUT (--force remakes it)"
	echo "$OUT"
	exit 0
fi

if [ -n "$kbuild" ]; then
	"$HERE/deps-s390x.sh" --host --busybox >/dev/null || die "deps-s390x.sh failed"
	release=$(cat "$KB/include/config/kernel.release") || die "no kernel release in $KB"
	VMLINUZ=$KB/arch/s390/boot/bzImage
	VMLINUX=$KB/vmlinux
	SYSMAP=$KB/System.map
else
	release=$("$HERE/deps-s390x.sh" --line "$line" --host --kernel --busybox |
		sed -n 's/^release //p' | tail -n1)
	[ -n "$release" ] || die "deps-s390x.sh did not report a kernel release"
	KDIR=$S390/kernel-$release
	# links made by deps-s390x.sh: the packages put these in different places
	VMLINUZ=$(readlink -f "$KDIR/klp-vmlinuz")
	VMLINUX=$(readlink -f "$KDIR/klp-vmlinux")
	SYSMAP=$(readlink -f "$KDIR/klp-System.map")
fi
for f in "$VMLINUZ" "$VMLINUX" "$SYSMAP" "$S390/busybox/bin/busybox"; do
	[ -s "$f" ] || die "missing $f (remove $KDIR/.complete and rerun?)"
done

rm -rf "$OUT"
mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/.work.XXXXXX")
QEMU_PID=
cleanup() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null || true
		sleep 1
		kill -9 "$QEMU_PID" 2>/dev/null || true
	fi
	# keep what the guest said when something went wrong
	if [ ! -e "$OUT/.complete" ] && [ -s "$WORK/console.raw" ]; then
		tr -d '\r' <"$WORK/console.raw" >"$OUT/console.failed.log" || true
		echo "mkdump-s390x: console kept in $OUT/console.failed.log" >&2
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# ---- initramfs: busybox, /init, the static guest program ----
log "building the initramfs"
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp}
cp "$S390/busybox/bin/busybox" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
install -m 755 "$HERE/guest-s390x/init" "$ROOT/init"
s390x-linux-gnu-gcc -static -O2 -Wall -Wextra -pthread \
	-o "$ROOT/klpguest" "$HERE/guest-s390x/klpguest.c" ||
	die "cannot build guest-s390x/klpguest.c with s390x-linux-gnu-gcc -static"
if [ -n "$kbuild" ]; then
	# the test modules, cross-built against the kernel's O= tree (the
	# compiler the kernel was built with), out of the source tree
	mkdir -p "$WORK/mod" "$ROOT/klpt"
	for m in $KLP_MODULES; do cp "$HERE/guest/livepatch/$m.c" "$WORK/mod/"; done
	echo "obj-m := $(printf '%s.o ' $KLP_MODULES)" >"$WORK/mod/Kbuild"
	make -C "$KB" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- M="$WORK/mod" modules \
		>"$WORK/mod.log" 2>&1 || { tail -n 20 "$WORK/mod.log" >&2; die "cannot build the test modules"; }
	for m in $KLP_MODULES; do cp "$WORK/mod/$m.ko" "$ROOT/klpt/"; done
fi
# the kernel opens /dev/console for PID 1 before devtmpfs is mounted
mknod -m 600 "$ROOT/dev/console" c 5 1 || die "mknod /dev/console (needs root)"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$WORK/initrd.gz" ||
	die "cannot pack the initramfs"

# ---- boot ----
QMP=$WORK/qmp.sock
CONSOLE_RAW=$WORK/console.raw
log "booting $release under qemu-system-s390x (TCG), set $set_name"
t0=$(date +%s.%N)
qemu-system-s390x -M s390-ccw-virtio -cpu max -m 512M -smp 2 -nographic \
	-kernel "$VMLINUZ" -initrd "$WORK/initrd.gz" \
	-append "console=ttysclp0 quiet klp.set=$set_name" \
	-qmp "unix:$QMP,server=on,wait=off" -no-reboot \
	</dev/null >"$CONSOLE_RAW" 2>"$WORK/qemu.err" &
QEMU_PID=$!

# Wait for the end marker; give up on timeout, on QEMU exiting, or on a guest
# error line.
deadline=$(( $(date +%s) + boot_timeout ))
while :; do
	if grep -q 'KLP-TRUTH-END' "$CONSOLE_RAW" 2>/dev/null; then
		break
	fi
	if ! kill -0 "$QEMU_PID" 2>/dev/null; then
		tail -n 20 "$CONSOLE_RAW" >&2 || true
		cat "$WORK/qemu.err" >&2 || true
		die "QEMU exited before the guest printed its truth"
	fi
	if grep -a -q 'klp-guest: error:' "$CONSOLE_RAW" 2>/dev/null; then
		grep -a 'klp-guest: error:' "$CONSOLE_RAW" | tr -d '\r' >&2
		die "the guest reported an error"
	fi
	if [ "$(date +%s)" -ge $deadline ]; then
		tail -n 20 "$CONSOLE_RAW" | tr -d '\r' >&2 || true
		die "no KLP-TRUTH-END on the console within ${boot_timeout}s"
	fi
	# short: a livepatch set's stall lasts only until the kernel
	# signals the blocking tasks, about 15 s after the patch was loaded
	sleep 0.2
done
t1=$(date +%s.%N)
log "boot + scenarios + truth: $(elapsed "$t0" "$t1") s"
# the reporter stays after the marker; a moment for its last console
# lines, and for what its exit sets going: the RCU grace period of its
# task_struct wakes rcu_sched, which the dump would otherwise catch in
# rcu_gp_fqs_loop instead of where the truth saw it asleep (seen once in
# four unpatch dumps).  The livepatch sets get one second: their
# transition must still stall (the kernel signals the blocking tasks
# about 15 s after the patch was loaded; the marker comes 3-4 s after).
case $set_name in livepatch | unpatch) sleep 1 ;; *) sleep 2 ;; esac

# ---- dump through QMP ----
python3 - "$QMP" "$WORK/vmcore.flat" "$WORK/vmcore.elf" "$dump_timeout" <<'EOF' || die "QMP dump failed"
import json, socket, sys, time

sock_path, flat, elf, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(timeout)
s.connect(sock_path)
f = s.makefile("rwb")

def reply():
    # events (STOP, DUMP_COMPLETED...) may arrive before the command's answer
    while True:
        line = f.readline()
        if not line:
            sys.exit("QMP: connection closed")
        msg = json.loads(line)
        if "return" in msg:
            return msg["return"]
        if "error" in msg:
            sys.exit("QMP error: %s" % msg["error"].get("desc", msg["error"]))

def cmd(name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
    f.flush()
    return reply()

greeting = json.loads(f.readline() or b"{}")
if "QMP" not in greeting:
    sys.exit("QMP: no greeting")
cmd("qmp_capabilities")
cmd("stop")
for path, fmt in ((flat, "kdump-zlib"), (elf, "elf")):
    t = time.time()
    # synchronous (detach false): the answer comes when the file is written
    cmd("dump-guest-memory", paging=False, protocol="file:" + path, format=fmt)
    print("mkdump-s390x: dump %s: %.1f s" % (fmt, time.time() - t), file=sys.stderr)
cmd("quit")
EOF
t2=$(date +%s.%N)
for _ in $(seq 1 30); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 1; done
QEMU_PID=

# ---- post-process ----
# QEMU writes makedumpfile's flattened format for kdump; turn it into a
# seekable kdump file.
if head -c 16 "$WORK/vmcore.flat" | grep -q '^makedumpfile'; then
	makedumpfile -R "$OUT/vmcore" <"$WORK/vmcore.flat" >/dev/null || die "makedumpfile -R failed"
else
	mv "$WORK/vmcore.flat" "$OUT/vmcore"
fi
head -c 8 "$OUT/vmcore" | grep -q 'KDUMP' || die "$OUT/vmcore is not a kdump-compressed file"

python3 - "$WORK/vmcore.elf" <<'EOF' || die "cannot repair the ELF dump"
import struct, sys

path = sys.argv[1]
with open(path, "r+b") as f:
    h = bytearray(f.read(64))
    if len(h) < 64 or h[:4] != b"\x7fELF" or h[4] != 2 or h[5] != 2:
        sys.exit("not a 64-bit big-endian ELF file")
    machine, = struct.unpack_from(">H", h, 18)
    if machine != 22:
        sys.exit("ELF e_machine %d is not S390 (22)" % machine)
    ehsize, = struct.unpack_from(">H", h, 52)
    shoff, = struct.unpack_from(">Q", h, 40)
    if ehsize != 64 or shoff != 0:
        # e_ehsize, and no section headers: the dump needs only program headers
        struct.pack_into(">H", h, 52, 64)
        struct.pack_into(">Q", h, 40, 0)
        struct.pack_into(">HHH", h, 58, 0, 0, 0)   # shentsize, shnum, shstrndx
        f.seek(0)
        f.write(h)
        print("mkdump-s390x: repaired ELF header (e_ehsize was %d, e_shoff 0x%x)" % (ehsize, shoff),
              file=sys.stderr)
    phoff, = struct.unpack_from(">Q", h, 32)
    phentsize, phnum = struct.unpack_from(">HH", h, 54)
    if phentsize != 56 or phnum == 0 or phoff == 0:
        sys.exit("unexpected program headers: off %d entsize %d num %d" % (phoff, phentsize, phnum))
EOF
mv "$WORK/vmcore.elf" "$OUT/vmcore.elf"
# QEMU creates its dumps 0400/0600; the files are test data, not secrets
chmod 644 "$OUT/vmcore" "$OUT/vmcore.elf"

tr -d '\r' <"$CONSOLE_RAW" >"$OUT/console.log"
sed -n '/^KLP-TRUTH-BEGIN$/,/^KLP-TRUTH-END$/p' "$OUT/console.log" | sed '1d;$d' >"$OUT/truth.txt"
[ -s "$OUT/truth.txt" ] || die "no truth between the markers in console.log"
# every line must be one of the documented kinds
bad=$(grep -vcE '^(kernel|fgraph-functions|kretprobe-functions|task|state|frame|traced|moved|reliable|klp)( |$)' \
	"$OUT/truth.txt" || true)
[ "$bad" = 0 ] || die "truth.txt has $bad malformed lines (console noise?)"
grep -q "^kernel $release\$" "$OUT/truth.txt" || die "truth.txt names another kernel than $release"
if [ "$set_name" = livepatch ] || [ "$set_name" = unpatch ]; then
	grep -q '^klp .* sleeping ' "$OUT/truth.txt" ||
		die "truth.txt has no task sleeping on the patched function (no stalled transition)"
fi
if [ "$set_name" = sleepers ] || [ "$set_name" = livepatch ] || [ "$set_name" = unpatch ]; then
	grep -q '^reliable ' "$OUT/truth.txt" || die "truth.txt has no verdict of the kernel's reliable walk"
fi
if grep -q 'klp-guest: warning' "$OUT/console.log"; then
	grep 'klp-guest: warning' "$OUT/console.log" >&2
	log "the guest printed warnings (above); the truth may be incomplete"
fi
missed=$(sed -n 's/^klp-guest: kretprobe-missed //p' "$OUT/console.log")
[ "${missed:-0}" = 0 ] || log "warning: $missed kretprobe hits were missed (no instance)"

ln -sf "$VMLINUX" "$OUT/vmlinux"
ln -sf "$SYSMAP" "$OUT/System.map"
echo "$release" >"$OUT/release"
echo "$guest_id" >"$OUT/.complete"
log "dump (stop to files ready): $(elapsed "$t1" "$t2") s"
log "$(grep -c '^task ' "$OUT/truth.txt") tasks in truth.txt"
echo "$OUT"
