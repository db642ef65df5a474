#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# suite-chroot.sh - out-of-tree kernel modules for another Debian suite's
# kernel, built with the compiler that kernel was built with, in a
# debootstrap chroot of that suite (nothing of the suite is installed on
# the host).
#
#   suite-chroot.sh SUITE prepare RELEASE
#       make (once) the chroot and put the kernel's build tree in it;
#       prints the chroot directory
#   suite-chroot.sh SUITE modules RELEASE SRCDIR OUTDIR
#       build the Kbuild modules of SRCDIR against RELEASE in the chroot and
#       copy the .ko files into OUTDIR
#
# The chroot is ${XDG_CACHE_HOME:-$HOME/.cache}/klpstack/chroot-SUITE: a
# "debootstrap --variant=minbase" of SUITE from the host's own mirror
# (suite-apt.sh SUITE mirror), kept once made (.complete), plus, per kernel
# release (.complete-RELEASE):
#   - linux-headers-RELEASE, its linux-headers-*-common and linux-kbuild-*
#     packages, fetched by suite-apt.sh (the private apt of the host, whose
#     lists also carry a release the mkdump fell back to) and unpacked
#     into the chroot without their maintainer scripts or their dependency
#     on the kernel image, which only an installed kernel needs;
#   - through the chroot's own apt: the compiler those headers name
#     (gcc-N, gcc-N-for-host), make, libc6-dev and what the kbuild package
#     depends on (the libraries objtool and modpost link, pahole).
# objtool reads /proc: it is mounted during a build and always unmounted.
# Needs root (debootstrap, chroot, mount) and debootstrap.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
PROG=suite-chroot
die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

[ $# -ge 3 ] || die "usage: suite-chroot.sh SUITE prepare RELEASE | SUITE modules RELEASE SRCDIR OUTDIR"
SUITE=$1 CMD=$2 RELEASE=$3
shift 3
case $SUITE in '' | *[!a-z0-9-]*) die "bad suite name '$SUITE'" ;; esac
case $RELEASE in '' | *[!A-Za-z0-9.+~_-]*) die "bad kernel release '$RELEASE'" ;; esac
case $CMD in
prepare) [ $# -eq 0 ] || die "usage: suite-chroot.sh SUITE prepare RELEASE" ;;
modules) [ $# -eq 2 ] || die "usage: suite-chroot.sh SUITE modules RELEASE SRCDIR OUTDIR" ;;
*) die "unknown command '$CMD' (prepare, modules)" ;;
esac
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"
for c in debootstrap chroot mount umount mountpoint flock dpkg-deb; do
	command -v "$c" >/dev/null || die "$c not found (tests/e2e/deps-x86_64.sh installs debootstrap)"
done

ROOT=$CACHE/chroot-$SUITE
SA=(bash "$HERE/suite-apt.sh" "$SUITE")
mkdir -p "$CACHE"
# one user of a chroot at a time (another test run, another line of the
# same suite)
exec 9>"$ROOT.lock"
flock -w 1800 9 || die "$ROOT is locked by another run for 30 minutes"

# Nothing may stay mounted in the chroot: /proc while it is made or used,
# whatever a killed earlier run left behind (rm -rf must never reach into
# a mount).
unmount_all() {
	local m
	[ -d "$ROOT" ] || return 0
	for m in "$ROOT/proc" "$ROOT/sys" "$ROOT/dev/pts" "$ROOT/dev"; do
		if mountpoint -q "$m" 2>/dev/null; then
			umount "$m" 2>/dev/null || umount -l "$m" ||
				die "cannot unmount $m"
		fi
	done
}
trap unmount_all EXIT
trap 'exit 1' INT TERM HUP

# in_chroot SECONDS COMMAND...: a clean environment, a time limit
in_chroot() {
	local secs=$1
	shift
	timeout "$secs" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive chroot "$ROOT" "$@"
}

# ---- the chroot itself --------------------------------------------------------
make_base() {
	local uri t0 keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local -a kr=()
	uri=$("${SA[@]}" mirror) || die "no mirror URI for $SUITE"
	unmount_all
	if [ -e "$ROOT" ]; then
		log "removing the incomplete chroot $ROOT"
		rm -rf --one-file-system "$ROOT" || die "cannot remove $ROOT"
	fi
	# the keyring the host's apt trusts (suite-apt.sh checks the same
	# signatures); without it debootstrap takes its own default
	[ -e "$keyring" ] && kr=(--keyring="$keyring")
	log "debootstrap --variant=minbase $SUITE (from the host's mirror) into $ROOT"
	t0=$(date +%s)
	if ! timeout 1800 debootstrap --variant=minbase "${kr[@]}" "$SUITE" "$ROOT" "$uri" \
		>"$ROOT.debootstrap.log" 2>&1; then
		tail -n 20 "$ROOT.debootstrap.log" >&2
		[ -f "$ROOT/debootstrap/debootstrap.log" ] && tail -n 20 "$ROOT/debootstrap/debootstrap.log" >&2
		unmount_all
		die "debootstrap of $SUITE failed (log: $ROOT.debootstrap.log)"
	fi
	unmount_all
	# the chroot's apt: a mirror may serve a Release file past its
	# Valid-Until (a snapshot), as suite-apt.sh allows; no recommends, no
	# translations
	cat >"$ROOT/etc/apt/apt.conf.d/90klpstack" <<-'EOF'
		Acquire::Check-Valid-Until "false";
		Acquire::Languages "none";
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
	EOF
	[ -c "$ROOT/dev/null" ] || die "debootstrap made no /dev/null in $ROOT"
	date +%s >"$ROOT/.updated"
	echo "$SUITE" >"$ROOT/.complete"
	log "chroot of $SUITE made in $(($(date +%s) - t0)) s"
}

if [ "$(cat "$ROOT/.complete" 2>/dev/null)" != "$SUITE" ]; then
	make_base
fi

# ---- the kernel's build tree and compiler ------------------------------------
# A field of a .deb's control file, one dependency name a line (versions,
# alternatives after the first and architecture qualifiers dropped).
deb_deps() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' |
		sed -e 's/|.*//' -e 's/(.*)//' -e 's/:[a-z0-9]*//' -e 's/[[:space:]]//g' | grep -v '^$' || true
}

prepare_release() {
	local hdr common="" kbuild="" d p t0
	local -a debs=() tools=(make libc6-dev)
	t0=$(date +%s)
	hdr=$("${SA[@]}" fetch "$CACHE/apt/$SUITE/debs" "linux-headers-$RELEASE") ||
		die "$SUITE has no linux-headers-$RELEASE to download"
	debs=("$hdr")
	while read -r p; do
		case $p in
		linux-headers-*-common*) common=$p ;;
		linux-kbuild-*) kbuild=$p ;;
		gcc-[0-9]* | gcc) tools+=("$p") ;;
		esac
	done < <(deb_deps "$hdr")
	[ -n "$kbuild" ] || die "linux-headers-$RELEASE names no linux-kbuild package"
	[ "${#tools[@]}" -gt 2 ] || die "linux-headers-$RELEASE names no compiler (gcc-N)"
	for p in $common $kbuild; do
		d=$("${SA[@]}" fetch "$CACHE/apt/$SUITE/debs" "$p") || die "cannot download $p ($SUITE)"
		debs+=("$d")
	done
	# what the kbuild programs need: their libraries (objtool: libelf;
	# sign-file: libssl), pahole (BTF of the modules, 6.x)
	while read -r p; do
		tools+=("$p")
	done < <(deb_deps "${debs[-1]}")
	log "installing ${tools[*]} in the $SUITE chroot"
	if [ ! -e "$ROOT/.updated" ] || [ $(($(date +%s) - $(cat "$ROOT/.updated"))) -gt 3600 ]; then
		in_chroot 900 apt-get -q update >"$ROOT.apt.log" 2>&1 || {
			tail -n 20 "$ROOT.apt.log" >&2
			die "apt-get update in the $SUITE chroot failed (log: $ROOT.apt.log)"
		}
		date +%s >"$ROOT/.updated"
	fi
	in_chroot 1800 apt-get -q -y install "${tools[@]}" >>"$ROOT.apt.log" 2>&1 || {
		tail -n 20 "$ROOT.apt.log" >&2
		die "apt-get install ${tools[*]} in the $SUITE chroot failed (log: $ROOT.apt.log)"
	}
	in_chroot 300 apt-get -q clean >/dev/null 2>&1 || true
	for d in "${debs[@]}"; do
		log "unpacking $(basename "$d") into the chroot"
		dpkg-deb -x "$d" "$ROOT" || die "dpkg-deb -x $d failed"
	done
	[ -f "$ROOT/usr/src/linux-headers-$RELEASE/Makefile" ] ||
		die "no /usr/src/linux-headers-$RELEASE/Makefile in the chroot after unpacking"
	printf '%s\n' "${debs[@]##*/}" >"$ROOT/.complete-$RELEASE"
	log "kernel $RELEASE build tree ready in $(($(date +%s) - t0)) s"
}

[ -s "$ROOT/.complete-$RELEASE" ] || prepare_release

case $CMD in
prepare)
	printf '%s\n' "$ROOT"
	;;
modules)
	src=$1 outdir=$2
	[ -f "$src/Kbuild" ] || [ -f "$src/Makefile" ] || die "$src has no Kbuild file"
	mkdir -p "$ROOT/build" "$outdir"
	work=$(mktemp -d "$ROOT/build/modules.XXXXXX")
	cp -r "$src/." "$work/"
	mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc" || die "cannot mount /proc in $ROOT"
	t0=$(date +%s)
	rc=0
	in_chroot 600 make -C "/usr/src/linux-headers-$RELEASE" M="/build/${work##*/}" modules \
		>"$work.log" 2>&1 || rc=$?
	unmount_all
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$work.log" >&2
		die "building the modules of $src against $RELEASE in the $SUITE chroot failed (exit $rc, log: $work.log)"
	fi
	n=0
	for ko in "$work"/*.ko; do
		[ -e "$ko" ] || continue
		cp "$ko" "$outdir/"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "the build in the $SUITE chroot made no .ko file (log: $work.log)"
	rm -rf "$work" "$work.log"
	log "$n module(s) built against $RELEASE in the $SUITE chroot in $(($(date +%s) - t0)) s"
	;;
esac
