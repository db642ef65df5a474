#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# deps-s390x.sh - fetch what the s390x end-to-end tests need, without
# installing any s390x package into the host.
#
#   deps-s390x.sh [--line LINE] [--host] [--kernel] [--busybox] [--sysroot] [--all]
#
#   --line L   the kernel line: bookworm (default, the host's own suite), or
#              another Debian suite (trixie, sid, ...) read through
#              suite-apt.sh (downloaded and unpacked only)
#   --host     host tools (apt-get install): qemu-system-s390x, qemu-s390x-static,
#              s390x cross gcc + static libc, makedumpfile, python3
#   --kernel   the line's s390x kernel image and its -dbg package, unpacked into
#              $CACHE/s390x/kernel-RELEASE (RELEASE from linux-image-s390x:s390x
#              of that suite; never pinned)
#   --busybox  busybox-static:s390x (bookworm's, for every line), unpacked into
#              $CACHE/s390x/busybox
#   --sysroot  the line's crash:s390x and every s390x library it needs, unpacked
#              into $CACHE/s390x/sysroot (bookworm) or $CACHE/s390x/sysroot-LINE
#              (for running crash under qemu-s390x-static)
#   (no option = --host --kernel --busybox)
#
# A line's release is also kept in $CACHE/s390x/release (bookworm) or
# $CACHE/s390x/release-LINE.
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
line=bookworm
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--line) [ $# -ge 2 ] || die "--line needs a value"; line=$2; shift ;;
	--line=*) line=${1#--line=} ;;
	*) args+=("$1") ;;
	esac
	shift
done
case $line in '' | *[!a-z0-9-]*) die "bad line name '$line'" ;; esac
[ ${#args[@]} -eq 0 ] && args=(--host --kernel --busybox)
for a in "${args[@]}"; do
	case $a in
	--host) want_host=1 ;;
	--kernel) want_kernel=1 ;;
	--busybox) want_busybox=1 ;;
	--sysroot) want_sysroot=1 ;;
	--all) want_host=1 want_kernel=1 want_busybox=1 want_sysroot=1 ;;
	-h|--help) sed -n '3,29p' "$0"; exit 0 ;;
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

# Another suite's kernel: the image package behind the suite's
# linux-image-s390x metapackage, through suite-apt.sh (never installed).
# From 7.x Debian splits the image: linux-image-ABI depends on
# linux-binary-ABI (vmlinuz, System.map) and linux-modules-ABI; the -dbg
# package keeps the linux-image-ABI-dbg name.
SUITE_APT=$(cd "$(dirname "$0")" && pwd)/suite-apt.sh
# kernel_links KDIR RELEASE: KDIR/klp-vmlinuz, klp-vmlinux and klp-System.map
# point to the files wherever the packages put them: boot/ up to 6.x, from
# 7.x (image split into linux-binary) usr/lib/modules/REL/vmlinuz and the
# -dbg package's usr/lib/debug/lib/modules/REL/System.map.
kernel_links() {
	local kdir=$1 rel=$2 name f found
	for name in vmlinuz vmlinux System.map; do
		found=
		case $name in
		vmlinuz) set -- "boot/vmlinuz-$rel" "usr/lib/modules/$rel/vmlinuz" ;;
		vmlinux) set -- "usr/lib/debug/boot/vmlinux-$rel" \
			"usr/lib/debug/lib/modules/$rel/vmlinux" ;;
		System.map) set -- "usr/lib/debug/boot/System.map-$rel" \
			"usr/lib/debug/lib/modules/$rel/System.map" "boot/System.map-$rel" ;;
		esac
		for f in "$@"; do
			if [ -s "$kdir/$f" ]; then found=$f; break; fi
		done
		[ -n "$found" ] || die "no $name for $rel in $kdir (looked at: $*)"
		ln -sfn "$found" "$kdir/klp-$name"
	done
}

# suite_unpack_kernel RELEASE: the image (or binary) and -dbg packages of one
# ABI into $S390/kernel-RELEASE; fails when a download fails.
suite_unpack_kernel() {
	local rel=$1 img=linux-image-$1 kdir=$S390/kernel-$1 pkgs f
	[ -e "$kdir/.complete" ] && return 0
	pkgs=("$img:s390x")
	if bash "$SUITE_APT" "$line" apt-cache depends "$img:s390x" 2>/dev/null |
		grep -q "Depends: linux-binary-$rel"; then
		pkgs=("linux-binary-$rel:s390x")
	fi
	pkgs+=("$img-dbg:s390x")
	log "$line: unpacking ${pkgs[*]}"
	bash "$SUITE_APT" "$line" unpack "$kdir" "${pkgs[@]}" >&2 || return 1
	kernel_links "$kdir" "$rel"
	touch "$kdir/.complete"
}

suite_kernel() {
	local img vers v dep abis choice tries=0
	img=$(bash "$SUITE_APT" "$line" kernel linux-image-s390x:s390x) ||
		die "$line: no kernel behind linux-image-s390x:s390x"
	release=${img#linux-image-}
	case $release in *-s390x) ;; *) die "$line: unexpected kernel package $img" ;; esac
	choice=$S390/kernel-choice-$line
	# an earlier run found the candidate undownloadable and chose another
	# ABI: reuse that choice while the candidate stays the same
	if [ ! -e "$S390/kernel-$release/.complete" ] && [ -s "$choice" ] &&
		[ "$(awk '{ print $1 }' "$choice")" = "$release" ]; then
		dep=$(awk '{ print $2 }' "$choice")
		if [ -e "$S390/kernel-$dep/.complete" ]; then
			log "$line: $release does not download here; using $dep (as before)"
			echo "$dep" >"$S390/release-$line"
			release=$dep
			return 0
		fi
	fi
	if ! suite_unpack_kernel "$release"; then
		# A mirror may list a pocket's s390x packages without serving
		# them (seen with trixie-security and a stale trixie/main): take
		# the newest other s390x kernel ABI of the suite whose packages
		# do download - first the metapackage's older versions, then any
		# linux-image-ABI-s390x the suite lists, newest first.
		vers=$(bash "$SUITE_APT" "$line" apt-cache madison linux-image-s390x:s390x |
			awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
		abis=$(for v in $vers; do
				bash "$SUITE_APT" "$line" apt-cache show "linux-image-s390x:s390x=$v" 2>/dev/null |
					sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-s390x\).*/\1/p' | head -n1
			done
			bash "$SUITE_APT" "$line" apt-cache pkgnames linux-image- 2>/dev/null |
				sed -n 's/^linux-image-\([0-9][^:]*-s390x\)$/\1/p' | sort -rV)
		release=
		for dep in $(printf '%s\n' $abis | awk '!seen[$0]++'); do
			[ "$dep" != "${img#linux-image-}" ] || continue
			tries=$((tries + 1))
			[ $tries -le 6 ] || break
			log "$line: trying the older kernel $dep"
			if suite_unpack_kernel "$dep"; then
				release=$dep
				break
			fi
		done
		[ -n "$release" ] || die "$line: no s390x kernel of linux-image-s390x could be downloaded"
		echo "${img#linux-image-} $release" >"$choice"
	fi
	echo "$release" >"$S390/release-$line"
}

release=
if [ $want_kernel = 1 ] && [ "$line" != bookworm ]; then
	suite_kernel
elif [ $want_kernel = 1 ]; then
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
		kernel_links "$kdir" "$release"
		touch "$kdir/.complete"
	fi
	[ -L "$kdir/klp-vmlinux" ] || kernel_links "$kdir" "$release"
	echo "$release" >"$S390/release"
fi

if [ $want_busybox = 1 ]; then
	if [ ! -x "$S390/busybox/bin/busybox" ]; then
		deb=$(fetch_deb busybox-static:s390x)
		unpack_deb "$deb" "$S390/busybox"
		[ -x "$S390/busybox/bin/busybox" ] || die "busybox-static:s390x has no bin/busybox"
	fi
fi

if [ $want_sysroot = 1 ] && [ "$line" != bookworm ]; then
	root=$S390/sysroot-$line
	# a library the mirror does not serve for the line (seen: trixie's
	# s390x libc6, zlib1g, libzstd1 point-release builds) comes from sid
	fallback=sid
	[ "$line" != sid ] || fallback=
	bash "$SUITE_APT" "$line" sysroot "$root" crash:s390x $fallback >&2 ||
		die "$line: cannot make the crash:s390x sysroot"
	[ -x "$root/usr/bin/crash" ] || die "no usr/bin/crash in $root"
elif [ $want_sysroot = 1 ]; then
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
			# (a package may already ship it, possibly dangling: keep that)
			if [ ! -e "$root/$d" ] && [ ! -L "$root/$d" ]; then ln -s "usr/$d" "$root/$d"; fi
		done
		touch "$root/.complete"
	fi
fi

if [ -z "$release" ]; then
	if [ "$line" = bookworm ]; then
		release=$(cat "$S390/release" 2>/dev/null || true)
	else
		release=$(cat "$S390/release-$line" 2>/dev/null || true)
	fi
fi
[ -n "$release" ] && echo "release $release"
exit 0
