#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# lines-x86_64.sh - the x86_64 kernel lines of the end-to-end tests and the
# crash that reads each line's dumps.
#
#   lines-x86_64.sh names               every line, bookworm-cloud first
#   lines-x86_64.sh sets LINE           the scenario sets run for LINE
#   lines-x86_64.sh dumpdir LINE SET    the dump directory of LINE's SET
#   lines-x86_64.sh crash LINE ARGS...  run LINE's crash with ARGS (an
#                                       unpacked sysroot for other suites)
#   lines-x86_64.sh crash-version LINE  e.g. "8.0.6"
#   lines-x86_64.sh so LINE             build, when needed, and print the
#                                       klpstack.so built against that crash's
#                                       own defs.h
#
# Lines (Debian kernel lines; the kernel version always comes from the
# suite's metapackage):
#   bookworm-cloud  linux-image-cloud-amd64 of the host's suite (bookworm)
#   bullseye-cloud  bullseye's linux-image-cloud-amd64 (5.10)
#   trixie-cloud    trixie's linux-image-cloud-amd64 (6.12)
#   trixie-rt       trixie's linux-image-rt-amd64 (6.12 PREEMPT_RT)
#   sid-cloud       sid's linux-image-cloud-amd64 (7.x)
#   fp-6.1          no Debian kernel: built from the host suite's
#                   linux-source (tests/e2e/kbuild.sh x86_64-fp) with
#                   CONFIG_UNWINDER_FRAME_POINTER, which Debian's x86_64
#                   kernels never have (ORC only); its test modules built
#                   against that build tree with the host's gcc, the one
#                   that built the kernel
# crash per line: the newest Debian crash that reads the kernel: the host's
# (bookworm, 8.0.2) for 5.10 and 6.1, trixie's (8.0.6) for 6.12, sid's
# (9.0.x) for 7.x, the host's for the kernels built here.  Other suites'
# crash runs from a sysroot in the cache, started through the sysroot's own
# loader (suite-apt.sh sysroot).
#
# Can also be sourced (bash) for line_* functions.

# shellcheck disable=SC2034  # LINE_* are for the sourcing scripts
LINES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LINES_TOP=$(cd "$LINES_DIR/../.." && pwd)
LINES_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
LINES_ALL="bookworm-cloud bullseye-cloud trixie-cloud trixie-rt sid-cloud fp-6.1"

lines_die() { echo "lines-x86_64: error: $*" >&2; exit 1; }

# line_info LINE: sets LINE_SUITE ("" = the host's own apt), LINE_META,
# LINE_PREFIX (dump directory prefix), LINE_CRASH_SUITE ("" = host crash),
# LINE_SETS (default scenario sets), LINE_MODULES (1: the test modules are
# built for the line, its guests can run every set), LINE_CRASH_OPTS
# (options the line's crash needs), LINE_KBUILD (the kernel is no Debian
# package but tests/e2e/kbuild.sh LINE_KBUILD; LINE_META is then unused).
line_info() {
	LINE_SUITE='' LINE_META=linux-image-cloud-amd64 LINE_CRASH_SUITE='' LINE_CRASH_OPTS=''
	LINE_KBUILD=''
	LINE_MODULES=0
	LINE_PREFIX=x86_64-$1
	# The sets with out-of-tree modules (livepatch, stacked, unpatch,
	# replace; the voluntary set's sleepers) need the kernel's own
	# compiler: the host's for bookworm, a chroot of the suite
	# (suite-chroot.sh) for trixie and sid.  Each set is one guest (two
	# to three minutes of CI on TCG with its crash checks): bookworm runs
	# the first patch, stacked and unpatch; 6.12 and 7.x the first patch
	# and the atomic replace (stacked, unpatch and replace differ only in
	# which range the livepatch reader picks, the same code on every
	# kernel since 5.1; mkdump-x86_64.sh runs every set on request).
	LINE_SETS="voluntary preempt"
	case $1 in
	bookworm-cloud)
		LINE_PREFIX=x86_64 LINE_MODULES=1
		LINE_SETS="voluntary preempt livepatch stacked unpatch" ;;
	bullseye-cloud) LINE_SUITE=bullseye ;;
	trixie-cloud)
		LINE_SUITE=trixie LINE_CRASH_SUITE=trixie LINE_MODULES=1
		LINE_SETS="voluntary preempt livepatch replace" ;;
	trixie-rt) LINE_SUITE=trixie LINE_CRASH_SUITE=trixie LINE_META=linux-image-rt-amd64 ;;
	sid-cloud)
		LINE_SUITE=sid LINE_CRASH_SUITE=sid LINE_MODULES=1
		LINE_SETS="voluntary preempt livepatch replace"
		# crash 9.0.2 stops in module_init() on 7.x ("invalid structure
		# member offset: module_num_gpl_syms", the member went in 7.0):
		# without crash's module list, klpstack names module frames from
		# the kernel's own list (src/modules.c)
		LINE_CRASH_OPTS=--no_modules ;;
	fp-6.1)
		# the frame-pointer rules (encoded pt_regs, kernel-mode pt_regs
		# => unreliable) on a real dump; the host's suite, compiler
		# and crash.  The name says what bookworm's linux-source is:
		# mkdump-x86_64.sh refuses a build of another X.Y
		LINE_KBUILD=x86_64-fp LINE_META='' LINE_MODULES=1
		LINE_SETS="voluntary preempt livepatch" ;;
	*) lines_die "unknown kernel line '$1' (one of: $LINES_ALL)" ;;
	esac
}

# The sysroot of SUITE's crash (made once).
line_crash_root() {
	local root=$LINES_CACHE/x86_64/crash-$1
	if [ ! -e "$root/.complete" ]; then
		bash "$LINES_DIR/suite-apt.sh" "$1" sysroot "$root" crash:amd64 >&2 ||
			lines_die "cannot make the sysroot of $1's crash"
	fi
	[ -x "$root/usr/bin/crash" ] || lines_die "no usr/bin/crash in $root"
	printf '%s\n' "$root"
}

# line_crash LINE ARGS...: run LINE's crash.
line_crash() {
	local root
	line_info "$1"
	shift
	if [ -z "$LINE_CRASH_SUITE" ]; then
		command -v crash >/dev/null || lines_die "crash not found (tests/e2e/deps-x86_64.sh)"
		# shellcheck disable=SC2086
		crash $LINE_CRASH_OPTS "$@"
		return
	fi
	root=$(line_crash_root "$LINE_CRASH_SUITE") || return 1
	"$root/lib64/ld-linux-x86-64.so.2" \
		--library-path "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu:$root/usr/lib" \
		"$root/usr/bin/crash" $LINE_CRASH_OPTS "$@"
}

line_crash_version() {
	line_crash "$1" --version </dev/null 2>/dev/null |
		awk '$1 == "crash" && $2 ~ /^[0-9]/ { print $2; exit }'
}

# line_so LINE: the klpstack.so for LINE's crash, built against its defs.h
# (struct layouts of crash's own tables differ between crash versions).
line_so() {
	local root ver b
	line_info "$1"
	if [ -z "$LINE_CRASH_SUITE" ]; then
		make -s -C "$LINES_TOP" klpstack.so >&2 || lines_die "make klpstack.so failed"
		printf '%s\n' "$LINES_TOP/klpstack.so"
		return
	fi
	root=$(line_crash_root "$LINE_CRASH_SUITE") || return 1
	[ -f "$root/usr/include/crash/defs.h" ] || lines_die "$LINE_CRASH_SUITE's crash ships no usr/include/crash/defs.h"
	ver=$(line_crash_version "$1")
	[ -n "$ver" ] || lines_die "cannot tell the version of $LINE_CRASH_SUITE's crash"
	# the Makefile names the build by the version of the crash package
	# next to the headers: build/crash-VERSION/klpstack.so
	b=build/crash-$ver
	make -s -C "$LINES_TOP" CRASH_INC="$root/usr/include/crash" "$b/klpstack.so" >&2 ||
		lines_die "make $b/klpstack.so failed"
	printf '%s\n' "$LINES_TOP/$b/klpstack.so"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	[ $# -ge 1 ] || { sed -n '4,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
	cmd=$1
	shift
	case $cmd in
	names) echo "$LINES_ALL" ;;
	sets) [ $# -eq 1 ] || lines_die "usage: sets LINE"; line_info "$1"; echo "$LINE_SETS" ;;
	dumpdir)
		[ $# -eq 2 ] || lines_die "usage: dumpdir LINE SET"
		line_info "$1"
		echo "$LINES_CACHE/dumps/$LINE_PREFIX-$2" ;;
	crash) [ $# -ge 1 ] || lines_die "usage: crash LINE ARGS..."; line_crash "$@" ;;
	crash-version) [ $# -eq 1 ] || lines_die "usage: crash-version LINE"; line_crash_version "$1" ;;
	so) [ $# -eq 1 ] || lines_die "usage: so LINE"; line_so "$1" ;;
	*) lines_die "unknown command '$cmd'" ;;
	esac
fi
