#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# suite-apt.sh - packages of another Debian suite (bullseye, trixie, sid, ...)
# through a private apt configuration: its own sources list, package lists
# and cache under $CACHE/apt/SUITE.  Packages are downloaded and unpacked
# only; nothing is ever installed on the host, whose own apt set-up is not
# touched.  The mirror URIs are read from the host's apt sources.
#
#   suite-apt.sh SUITE update              fetch the suite's lists (once a day)
#   suite-apt.sh SUITE kernel META[:ARCH]  the linux-image-ABI package behind a
#                                          metapackage (e.g. linux-image-cloud-amd64)
#   suite-apt.sh SUITE version PKG[:ARCH]  the candidate version
#   suite-apt.sh SUITE fetch DIR PKG[:ARCH]  download the candidate .deb into DIR
#                                          (reused when there); prints its path
#   suite-apt.sh SUITE unpack DIR PKG[:ARCH]...  fetch and unpack the packages
#                                          into DIR (a stamp per .deb)
#   suite-apt.sh SUITE sysroot ROOT PKG:ARCH [NEWER]   PKG and its whole
#                                          Depends closure unpacked into ROOT,
#                                          for running PKG's programs with
#                                          their own loader and libraries; a
#                                          dependency whose .deb the mirror
#                                          does not serve is taken from the
#                                          suite NEWER when given (newer
#                                          libraries keep their ABI)
#   suite-apt.sh SUITE apt-cache ARGS...   apt-cache with the private configuration
#   suite-apt.sh SUITE mirror              the host's main Debian mirror URI
#                                          (what debootstrap of SUITE takes)
#
# Architectures known to the private configuration: amd64 and s390x.
# CACHE is ${XDG_CACHE_HOME:-$HOME/.cache}/klpstack.
set -euo pipefail

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack
die() { echo "suite-apt: error: $*" >&2; exit 1; }
log() { echo "suite-apt: $*" >&2; }

[ $# -ge 2 ] || die "usage: suite-apt.sh SUITE update|kernel|version|fetch|unpack|sysroot|apt-cache ..."
SUITE=$1 CMD=$2
shift 2
case $SUITE in '' | *[!a-z0-9-]*) die "bad suite name '$SUITE'" ;; esac
A=$CACHE/apt/$SUITE

# The host's mirror URIs: deb822 sources first, then one-line sources.  The
# main archive is the URI whose suites carry no "-security"; the security
# archive the other one.
host_uris() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk '
			/^[ \t]*$/ { if (uri != "") print uri, suites; uri = ""; suites = ""; next }
			$1 == "URIs:" { uri = $2 }
			$1 == "Suites:" { suites = $2 }
			END { if (uri != "") print uri, suites }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		awk '$1 == "deb" { u = $2; s = $3; if (u ~ /^\[/) { u = $3; s = $4 } print u, s }' "$f"
	done
}

# mirror_uris: sets main and sec, the host's main and security archive URIs
mirror_uris() {
	local uri suite
	main="" sec=""
	while read -r uri suite; do
		case $suite in
		*-security) [ -n "$sec" ] || sec=$uri ;;
		*) [ -n "$main" ] || main=$uri ;;
		esac
	done < <(host_uris)
	[ -n "$main" ] || die "no Debian mirror URI in the host's apt sources"
}

write_sources() {
	local main sec keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	mirror_uris
	local opt="[arch=amd64,s390x"
	[ -e "$keyring" ] && opt="$opt signed-by=$keyring"
	opt="$opt]"
	{
		echo "deb $opt $main $SUITE main"
		case $SUITE in
		sid | unstable | experimental) ;;
		*)
			echo "deb $opt $main $SUITE-updates main"
			[ -z "$sec" ] || echo "deb $opt $sec $SUITE-security main"
			;;
		esac
	} >"$A/sources.list.new"
	mv "$A/sources.list.new" "$A/sources.list"
}

OPTS=(-o "Dir::Etc::SourceList=$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache"
	-o "Dir::State::Status=$A/status" -o Dir::Etc::Preferences=/dev/null
	-o Dir::Etc::PreferencesParts=/dev/null
	-o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Architectures::=s390x
	-o Acquire::Check-Valid-Until=false -o Acquire::Languages=none
	-o APT::Get::AllowUnauthenticated=false)

update() {
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
	: >>"$A/status"
	write_sources
	log "apt-get update for $SUITE"
	# a missing -updates or -security suite (e.g. an ended release) is no error
	timeout 600 apt-get "${OPTS[@]}" -q update >&2 || die "apt-get update of $SUITE failed"
	date +%s >"$A/updated"
}

ensure_lists() {
	local now then
	now=$(date +%s)
	then=$(cat "$A/updated" 2>/dev/null || echo 0)
	case $then in '' | *[!0-9]*) then=0 ;; esac
	if [ $((now - then)) -gt 86400 ] || ! ls "$A"/lists/*_Packages* >/dev/null 2>&1; then
		update
	fi
}

apt_cache() { apt-cache "${OPTS[@]}" "$@"; }

candidate() {
	local v
	v=$(apt_cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }')
	[ -n "$v" ] && [ "$v" != "(none)" ] || return 1
	printf '%s\n' "$v"
}

# fetch DIR PKG[:ARCH]: prints the .deb path
fetch() {
	local dir=$1 pkg=$2 name arch ver f
	name=${pkg%%:*}
	arch=
	[ "$name" = "$pkg" ] || arch=${pkg#*:}
	ver=$(candidate "$pkg") || die "$SUITE has no candidate version of $pkg"
	mkdir -p "$dir"
	for f in "$dir/${name}_${ver//:/%3a}_"{"${arch:-amd64}",all}.deb; do
		if [ -s "$f" ] && dpkg-deb --info "$f" >/dev/null 2>&1; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	log "downloading $pkg $ver ($SUITE)"
	(cd "$dir" && timeout 1800 apt-get "${OPTS[@]}" -q download "$pkg=$ver" >&2) ||
		die "apt-get download $pkg=$ver ($SUITE) failed"
	for f in "$dir/${name}_${ver//:/%3a}_"{"${arch:-amd64}",all}.deb; do
		if [ -s "$f" ] && dpkg-deb --info "$f" >/dev/null 2>&1; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	die "download of $pkg ($SUITE) gave no valid .deb in $dir"
}

unpack_into() {
	local root=$1 deb=$2 stamp
	stamp=$root/.unpacked/$(basename "$deb")
	[ -e "$stamp" ] && return 0
	mkdir -p "$root/.unpacked"
	dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x $deb failed"
	touch "$stamp"
}

# The Depends/PreDepends closure of PKG:ARCH, one package a line.  A virtual
# package is replaced by its first provider.
closure() {
	local start=$1 arch=${1#*:} p dep n=0
	local -A seen=()
	local -a queue=("$start")
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		[ -z "${seen[$p]:-}" ] || continue
		seen[$p]=1
		n=$((n + 1))
		[ $n -le 400 ] || die "dependency walk from $start did not end after 400 packages"
		printf '%s\n' "$p"
		while read -r dep; do
			[ -n "$dep" ] || continue
			case $dep in
			*:all) dep=${dep%:all} ;;
			*:*) ;;
			*) dep=$dep:$arch ;;
			esac
			[ -n "${seen[$dep]:-}" ] || queue+=("$dep")
		done < <(apt_cache depends --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances "$p" 2>/dev/null |
			awk '
			# a virtual dependency ("<python3:any>"): one of its
			# providers, the native one ("python3") before a foreign
			# one ("python3:s390x", listed first by apt-cache), whose
			# files would overwrite the native ones in the root
			function flush() { if (virt && alt != "") print alt; virt = 0; alt = "" }
			/^ *\|?(Pre)?Depends: </ { flush(); virt = 1; next }
			/^ *\|?(Pre)?Depends: / { flush(); print $NF; next }
			virt && /^    [^ ]/ {
				if ($1 !~ /:/) { print $1; virt = 0; alt = "" }
				else if (alt == "") alt = $1
				next }
			{ flush() }
			END { flush() }')
	done
}

case $CMD in
update) update ;;
kernel)
	[ $# -eq 1 ] || die "usage: suite-apt.sh SUITE kernel META[:ARCH]"
	ensure_lists
	dep=$(apt_cache depends "$1" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	[ -n "$dep" ] || die "$SUITE: cannot find the kernel image package behind $1"
	printf '%s\n' "${dep%%:*}"
	;;
version)
	[ $# -eq 1 ] || die "usage: suite-apt.sh SUITE version PKG"
	ensure_lists
	candidate "$1" || die "$SUITE has no candidate version of $1"
	;;
fetch)
	[ $# -eq 2 ] || die "usage: suite-apt.sh SUITE fetch DIR PKG"
	ensure_lists
	fetch "$1" "$2"
	;;
unpack)
	[ $# -ge 2 ] || die "usage: suite-apt.sh SUITE unpack DIR PKG..."
	ensure_lists
	dir=$1
	shift
	for p in "$@"; do
		# a failed download must fail here: an empty path would look
		# like an unpacked stamp directory
		deb=$(fetch "$CACHE/apt/$SUITE/debs" "$p") || exit 1
		unpack_into "$dir" "$deb"
	done
	;;
sysroot)
	[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: suite-apt.sh SUITE sysroot ROOT PKG:ARCH [NEWER]"
	root=$1 newer=${3:-}
	[ -e "$root/.complete" ] && exit 0
	ensure_lists
	mapfile -t pkgs < <(closure "$2")
	log "$2 ($SUITE) needs ${#pkgs[@]} packages"
	for p in "${pkgs[@]}"; do
		q=$p
		# Architecture: all packages have no qualified name
		candidate "$p" >/dev/null || q=${p%%:*}
		if deb=$(fetch "$CACHE/apt/$SUITE/debs" "$q"); then
			:
		elif [ -n "$newer" ] && [ "$p" != "$2" ] &&
			deb=$(bash "$0" "$newer" fetch "$CACHE/apt/$newer/debs" "$q"); then
			log "$q: $SUITE's .deb does not download, took $newer's $(basename "$deb")"
		else
			die "cannot download $q ($SUITE${newer:+, nor from $newer})"
		fi
		unpack_into "$root" "$deb"
	done
	# merged /usr: the loader's path (/lib64/ld-linux-x86-64.so.2,
	# /lib/ld64.so.1) must resolve inside the root
	for d in lib lib64; do
		[ -e "$root/$d" ] || [ ! -d "$root/usr/$d" ] || ln -s "usr/$d" "$root/$d"
	done
	touch "$root/.complete"
	;;
apt-cache)
	ensure_lists
	apt_cache "$@"
	;;
mirror)
	[ $# -eq 0 ] || die "usage: suite-apt.sh SUITE mirror"
	mirror_uris
	printf '%s\n' "$main"
	;;
*) die "unknown command '$CMD'" ;;
esac
