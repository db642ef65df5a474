#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# deps-s390x.sh - fetch what the s390x end-to-end tests need, without
# installing any s390x package into the host.
#
#   deps-s390x.sh [--host] [--kernel] [--busybox] [--sysroot] [--all]
#
#   --host     host tools (apt-get install): qemu-system-s390x, qemu-s390x-static,
#              s390x cross gcc + static libc, makedumpfile, python3
#   --kernel   Debian's s390x kernel image and its -dbg package, unpacked into
#              $CACHE/s390x/kernel-RELEASE (RELEASE from linux-image-s390x:s390x)
#   --busybox  busybox-static:s390x, unpacked into $CACHE/s390x/busybox
#   --sysroot  crash:s390x and every s390x library it needs, unpacked into
#              $CACHE/s390x/sysroot (for running crash under qemu-s390x-static)
#   (no option = --host --kernel --busybox)
#
# CACHE is ${XDG_CACHE_HOME:-$HOME/.cache}/klpstack.  Everything is reused when
# present.  On success the last line printed is "release RELEASE".
set -euo pipefail

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
S390=$CACHE/s390x
DEBS=$S390/debs

die() { echo "deps-s390x: error: $*" >&2; exit 1; }
log() { echo "deps-s390x: $*" >&2; }

want_host=0 want_kernel=0 want_busybox=0 want_sysroot=0
[ $# -eq 0 ] && set -- --host --kernel --busybox
for a in "$@"; do
	case $a in
	--host) want_host=1 ;;
	--kernel) want_kernel=1 ;;
	--busybox) want_busybox=1 ;;
	--sysroot) want_sysroot=1 ;;
	--all) want_host=1 want_kernel=1 want_busybox=1 want_sysroot=1 ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	*) die "unknown option '$a' (try --help)" ;;
	esac
done

mkdir -p "$DEBS"

# apt metadata for s390x: needed only when something has to be looked up.
apt_ready=0
meta_depends=
apt_s390x() {
	[ $apt_ready = 1 ] && return 0
	if ! dpkg --print-foreign-architectures | grep -qx s390x; then
		log "adding dpkg architecture s390x (package lists only; nothing s390x is installed)"
		dpkg --add-architecture s390x
	fi
	# apt-cache is slow with two architectures' lists: ask it once and keep
	# the answer, which --kernel needs anyway
	meta_depends=$(apt-cache depends linux-image-s390x:s390x 2>/dev/null || true)
	if ! grep -q 'Depends: linux-image-' <<<"$meta_depends"; then
		log "apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed"
		meta_depends=$(apt-cache depends linux-image-s390x:s390x 2>/dev/null || true)
		grep -q 'Depends: linux-image-' <<<"$meta_depends" ||
			die "linux-image-s390x:s390x unknown to apt even after apt-get update"
	fi
	apt_ready=1
}

# Download one package (NAME:s390x, or NAME of an Architecture: all package)
# into $DEBS unless a .deb of the candidate version is already there.  Only
# s390x and all .debs are accepted, so a host-architecture package can never
# slip into the sysroot.  Prints the .deb path.
fetch_deb() {
	local pkg=$1 name ver file
	apt_s390x
	name=${pkg%%:*}
	ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ && !d {print $2; d = 1}')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no candidate version for $pkg"
	# .deb file names spell an epoch's ':' as '%3a'
	file=$(ls "$DEBS"/"${name}"_"${ver//:/%3a}"_{s390x,all}.deb 2>/dev/null | head -n1 || true)
	if [ -z "$file" ]; then
		log "downloading $pkg $ver"
		(cd "$DEBS" && apt-get download -q "$pkg=$ver" >&2) || die "apt-get download $pkg failed"
		file=$(ls "$DEBS"/"${name}"_"${ver//:/%3a}"_{s390x,all}.deb 2>/dev/null | head -n1 || true)
		[ -n "$file" ] || die "downloaded $pkg but cannot find its .deb in $DEBS"
	fi
	echo "$file"
}

# Unpack a .deb into a directory, once (a stamp file records which .deb).
unpack_deb() {
	local deb=$1 dir=$2 stamp
	stamp=$dir/.unpacked-$(basename "$deb")
	[ -e "$stamp" ] && return 0
	mkdir -p "$dir"
	log "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$dir" || die "dpkg-deb -x $deb failed"
	touch "$stamp"
}

if [ $want_host = 1 ]; then
	need=()
	command -v qemu-system-s390x >/dev/null || need+=(qemu-system-misc)
	command -v qemu-s390x-static >/dev/null || need+=(qemu-user-static)
	command -v s390x-linux-gnu-gcc >/dev/null || need+=(gcc-s390x-linux-gnu)
	[ -e /usr/s390x-linux-gnu/lib/libc.a ] || need+=(libc6-dev-s390x-cross)
	command -v makedumpfile >/dev/null || need+=(makedumpfile)
	command -v python3 >/dev/null || need+=(python3)
	command -v cpio >/dev/null || need+=(cpio)
	if [ ${#need[@]} -gt 0 ]; then
		log "installing host packages: ${need[*]}"
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2; then
			apt-get update -qq >&2 || die "apt-get update failed"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2 ||
				die "apt-get install ${need[*]} failed"
		fi
	fi
fi

release=
if [ $want_kernel = 1 ]; then
	apt_s390x
	# The metapackage depends on exactly one linux-image-ABI-s390x: that is
	# the release.  Debian moves the ABI with point releases, so never pin it.
	release=$(printf '%s\n' "$meta_depends" |
		sed -n 's/^ *Depends: linux-image-\([0-9][^:]*-s390x\)\(:s390x\)\{0,1\}$/\1/p' | head -n1)
	[ -n "$release" ] || die "cannot find the kernel ABI from linux-image-s390x:s390x"
	kdir=$S390/kernel-$release
	if [ ! -e "$kdir/.complete" ]; then
		img=$(fetch_deb "linux-image-$release:s390x")
		dbg=$(fetch_deb "linux-image-$release-dbg:s390x")
		unpack_deb "$img" "$kdir"
		unpack_deb "$dbg" "$kdir"
		for f in "boot/vmlinuz-$release" "usr/lib/debug/boot/vmlinux-$release" \
			"usr/lib/debug/boot/System.map-$release"; do
			[ -s "$kdir/$f" ] || die "$kdir/$f missing after unpacking"
		done
		touch "$kdir/.complete"
	fi
	echo "$release" >"$S390/release"
fi

if [ $want_busybox = 1 ]; then
	if [ ! -x "$S390/busybox/bin/busybox" ]; then
		deb=$(fetch_deb busybox-static:s390x)
		unpack_deb "$deb" "$S390/busybox"
		[ -x "$S390/busybox/bin/busybox" ] || die "busybox-static:s390x has no bin/busybox"
	fi
fi

if [ $want_sysroot = 1 ]; then
	root=$S390/sysroot
	if [ ! -e "$root/.complete" ]; then
		apt_s390x
		# Walk crash:s390x's Depends/PreDepends recursively.  Virtual packages
		# show up as <name>; apt-cache depends lists their providers on the
		# following indented lines, of which the first s390x one is taken.
		declare -A seen=()
		queue=(crash:s390x)
		pkgs=()
		n=0
		while [ ${#queue[@]} -gt 0 ]; do
			p=${queue[0]}
			queue=("${queue[@]:1}")
			[ -n "${seen[$p]:-}" ] && continue
			seen[$p]=1
			n=$((n + 1))
			[ $n -le 300 ] || die "dependency walk from crash:s390x did not end after 300 packages"
			pkgs+=("$p")
			while read -r dep; do
				[ -n "$dep" ] || continue
				case $dep in
				*:all) dep=${dep%:all} ;;     # arch-independent: plain name
				*:*) ;;
				*) dep=$dep:s390x ;;
				esac
				[ -z "${seen[$dep]:-}" ] && queue+=("$dep")
			done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts \
				--no-breaks --no-replaces --no-enhances "$p" 2>/dev/null |
				awk '
				/^ *(Pre)?Depends: </ { virt = 1; next }
				/^ *\|?(Pre)?Depends: / { virt = 0; print $NF; next }
				virt && /^    [^ ]/ { print $1; virt = 0; next }
				{ virt = 0 }')
		done
		log "crash:s390x needs ${#pkgs[@]} packages"
		for p in "${pkgs[@]}"; do
			# packages with no s390x build (e.g. debconf, which is :all) are
			# fetched without the architecture qualifier
			cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ && !d {print $2; d = 1}')
			if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
				deb=$(fetch_deb "$p")
			else
				deb=$(fetch_deb "${p%:s390x}")
			fi
			unpack_deb "$deb" "$root"
		done
		[ -x "$root/usr/bin/crash" ] || die "no usr/bin/crash in $root"
		# Debian's merged-/usr: the libraries' canonical home is usr/lib; make
		# the dynamic loader's path (/lib/ld64.so.1) resolve inside the sysroot.
		for d in lib lib64; do
			if [ ! -e "$root/$d" ]; then ln -s "usr/$d" "$root/$d"; fi
		done
		touch "$root/.complete"
	fi
fi

[ -n "$release" ] || release=$(cat "$S390/release" 2>/dev/null || true)
[ -n "$release" ] && echo "release $release"
exit 0
