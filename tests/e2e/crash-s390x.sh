#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# crash-s390x.sh - run Debian's s390x crash(8) under qemu-s390x-static, for
# s390x dumps on a non-s390x host (crash 8.0.2 cannot be built for an s390x
# target on x86_64).  All arguments go to crash unchanged:
#
#   crash-s390x.sh -s VMLINUX VMCORE -i CMDFILE
#   crash-s390x.sh --sysroot      print the sysroot path (for building
#                                 extensions against SYSROOT/usr/include/crash)
#
# The sysroot ($CACHE/s390x/sysroot: crash:s390x plus the s390x libraries it
# needs) is made by deps-s390x.sh --sysroot on first use.  Paths given to
# crash are host paths: qemu-user's -L only redirects the loader and library
# lookups that are absolute and exist inside the sysroot.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
SYSROOT=$CACHE/s390x/sysroot

die() { echo "crash-s390x: error: $*" >&2; exit 1; }

if [ ! -e "$SYSROOT/.complete" ]; then
	"$HERE/deps-s390x.sh" --host --sysroot >/dev/null ||
		die "cannot prepare the s390x sysroot (deps-s390x.sh --sysroot)"
fi
[ -x "$SYSROOT/usr/bin/crash" ] || die "no crash in $SYSROOT"
QEMU=$(command -v qemu-s390x-static || true)
[ -n "$QEMU" ] || die "qemu-s390x-static not found (package qemu-user-static)"

if [ "${1:-}" = --sysroot ]; then
	echo "$SYSROOT"
	exit 0
fi

# crash runs gdb in-process and asks for a pager and a terminal size: keep it
# plain so that scripted runs (-i FILE, stdin from a pipe) do not stall.
export PAGER=cat
export TERM=${TERM:-dumb}
exec "$QEMU" -L "$SYSROOT" "$SYSROOT/usr/bin/crash" "$@"
