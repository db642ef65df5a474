#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# crash-s390x.sh - run Debian's s390x crash(8) under qemu-s390x-static, for
# s390x dumps on a non-s390x host (crash cannot be built for an s390x target
# on x86_64).  All other arguments go to crash unchanged:
#
#   crash-s390x.sh [--line LINE] -s VMLINUX VMCORE -i CMDFILE
#   crash-s390x.sh [--line LINE] --sysroot   print the sysroot path (for
#                                 building extensions against
#                                 SYSROOT/usr/include/crash)
#   crash-s390x.sh [--line LINE] --version   print crash's package version
#
# LINE is the Debian suite whose crash:s390x runs (bookworm by default:
# crash 8.0.2; trixie: 8.0.6; sid: 9.0.x), each with its own libraries in its
# sysroot ($CACHE/s390x/sysroot for bookworm, $CACHE/s390x/sysroot-LINE
# otherwise), made by deps-s390x.sh --sysroot on first use.  Paths given to
# crash are host paths: qemu-user's -L only redirects the loader and library
# lookups that are absolute and exist inside the sysroot.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack

die() { echo "crash-s390x: error: $*" >&2; exit 1; }

line=bookworm
case ${1:-} in
--line) [ $# -ge 2 ] || die "--line needs a value"; line=$2; shift 2 ;;
--line=*) line=${1#--line=}; shift ;;
esac
case $line in '' | *[!a-z0-9-]*) die "bad line name '$line'" ;; esac
if [ "$line" = bookworm ]; then
	SYSROOT=$CACHE/s390x/sysroot
else
	SYSROOT=$CACHE/s390x/sysroot-$line
fi

if [ ! -e "$SYSROOT/.complete" ]; then
	"$HERE/deps-s390x.sh" --line "$line" --host --sysroot >/dev/null ||
		die "cannot prepare the s390x sysroot of $line (deps-s390x.sh --sysroot)"
fi
[ -x "$SYSROOT/usr/bin/crash" ] || die "no crash in $SYSROOT"
QEMU=$(command -v qemu-s390x-static || true)
[ -n "$QEMU" ] || die "qemu-s390x-static not found (package qemu-user-static)"

case ${1:-} in
--sysroot)
	echo "$SYSROOT"
	exit 0
	;;
--version)
	# the package version, from the .deb that was unpacked (no dpkg database
	# in the sysroot)
	v=
	for f in "$SYSROOT"/.unpacked-crash_*_s390x.deb "$SYSROOT"/.unpacked/crash_*_s390x.deb; do
		[ -e "$f" ] || continue
		v=$(basename "$f" | sed 's/.*crash_\([^_]*\)_s390x\.deb$/\1/; s/%3a/:/')
		break
	done
	[ -n "$v" ] || die "cannot tell crash's version in $SYSROOT"
	echo "$v"
	exit 0
	;;
esac

# crash runs gdb in-process and asks for a pager and a terminal size: keep it
# plain so that scripted runs (-i FILE, stdin from a pipe) do not stall.
export PAGER=cat
export TERM=${TERM:-dumb}
exec "$QEMU" -L "$SYSROOT" "$SYSROOT/usr/bin/crash" "$@"
