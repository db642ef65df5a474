# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034  # variables are for the sourcing scripts
#
# Shared functions of the end-to-end dump scripts (tests/e2e/mkdump-*.sh).
# Source it from bash; it defines functions and a few variables only.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack

# Markers printed by guest/klpt.c ("truth"); keep both in sync.
E2E_TRUTH_BEGIN='=== KLPSTACK TRUTH BEGIN ==='
E2E_TRUTH_END='=== KLPSTACK TRUTH END ==='
E2E_READY='=== KLPSTACK READY-TO-DUMP ==='

e2e_log() { printf '%s: %s\n' "${E2E_PROG:-e2e}" "$*" >&2; }
e2e_die() { printf '%s: error: %s\n' "${E2E_PROG:-e2e}" "$*" >&2; exit 1; }

# Seconds since the epoch with a fraction, for timings.
e2e_now() { date +%s.%N; }
e2e_elapsed() { awk -v a="$1" -v b="$(e2e_now)" 'BEGIN { printf "%.1f", b - a }'; }

# Run "$@" with a time limit (seconds in $1); fails with a message on expiry.
e2e_timeout() {
	local secs=$1; shift
	local rc=0
	timeout --kill-after=10 "$secs" "$@" || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		e2e_log "timed out after ${secs}s: $*"
	fi
	return "$rc"
}

# The apt lists must be there for apt-cache; fetch them once if they are not.
e2e_apt_update() {
	[ "$(id -u)" -eq 0 ] || e2e_die "apt-cache knows no $1 and we are not root to run apt-get update"
	e2e_log "apt-get update (no package lists for $1)"
	e2e_timeout 300 apt-get update >&2 || e2e_die "apt-get update failed"
}

# Print the kernel image package the metapackage $1 depends on, for the
# candidate version (e.g. linux-image-cloud-amd64 -> linux-image-6.1.0-56-cloud-amd64).
# apt-cache takes seconds here, so it runs once unless the lists are missing.
e2e_meta_depends() {
	local meta=$1 dep try
	for try in 1 2; do
		dep=$(apt-cache depends "$meta" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		[ -z "$dep" ] || break
		[ "$try" -eq 1 ] && e2e_apt_update "$meta"
	done
	[ -n "$dep" ] || e2e_die "cannot find the kernel image package behind $meta (apt-cache depends)"
	printf '%s\n' "$dep"
}

# Candidate version of package $1.
e2e_candidate_version() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		e2e_die "no installable version of $1"
	fi
	printf '%s\n' "$v"
}

# e2e_fetch_deb DIR PKG ARCH: make sure DIR holds a valid .deb of the candidate
# version of PKG; prints its path. Downloads only when it is missing or broken.
e2e_fetch_deb() {
	local dir=$1 pkg=$2 arch=$3 ver file
	local -a cached=()
	# The ABI is part of the package name, so any cached build of it will
	# do: that spares an apt-cache look-up (seconds) on every run.
	shopt -s nullglob
	cached=("$dir/${pkg}_"*"_${arch}.deb")
	shopt -u nullglob
	if [ "${#cached[@]}" -eq 1 ] && dpkg-deb --info "${cached[0]}" >/dev/null 2>&1; then
		printf '%s\n' "${cached[0]}"
		return 0
	fi
	ver=$(e2e_candidate_version "$pkg")
	# apt-get download names files PKG_VERSION_ARCH.deb with ':' as %3a
	file="$dir/${pkg}_${ver//:/%3a}_${arch}.deb"
	if [ -s "$file" ] && dpkg-deb --info "$file" >/dev/null 2>&1; then
		printf '%s\n' "$file"
		return 0
	fi
	rm -f "$file"
	mkdir -p "$dir"
	e2e_log "downloading $pkg $ver"
	(cd "$dir" && e2e_timeout 1800 apt-get download "$pkg=$ver" >&2) ||
		e2e_die "apt-get download $pkg=$ver failed"
	if [ ! -s "$file" ] || ! dpkg-deb --info "$file" >/dev/null 2>&1; then
		e2e_die "download of $pkg gave no valid $file"
	fi
	printf '%s\n' "$file"
}

# e2e_unpack DEB DEST: dpkg-deb -x into DEST once (a stamp names the .deb).
e2e_unpack() {
	local deb=$1 dest=$2 stamp="$2/.unpacked"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(basename "$deb")" ]; then
		return 0
	fi
	e2e_log "unpacking $(basename "$deb")"
	rm -rf "$dest"
	mkdir -p "$dest"
	dpkg-deb -x "$deb" "$dest" || e2e_die "dpkg-deb -x $deb failed"
	basename "$deb" > "$stamp"
}

# Value of a .modinfo key ("depends") of module file $1.
e2e_modinfo() {
	local ko=$1 key=$2
	objcopy -O binary --only-section=.modinfo "$ko" /dev/stdout 2>/dev/null |
		tr '\0' '\n' | sed -n "s/^$key=//p" | head -n 1
}

# e2e_module_order MODDIR NAME...: print module file paths, dependencies
# first, each once. Module names use '_' or '-' interchangeably.
e2e_module_order() {
	local moddir=$1; shift
	local -A path=() seen=()
	local ko n
	local -a order=()
	while IFS= read -r ko; do
		n=$(basename "$ko" .ko)
		path[${n//-/_}]=$ko
	done < <(find "$moddir" -name '*.ko' -type f)

	# depth-first, deps before the module; bounded by the number of modules
	_e2e_visit() {
		local m=${1//-/_} d deps depth=$2
		[ "$depth" -lt 64 ] || e2e_die "module dependency loop at $m"
		[ -z "${seen[$m]:-}" ] || return 0
		seen[$m]=1
		[ -n "${path[$m]:-}" ] || e2e_die "module $m not found under $moddir"
		deps=$(e2e_modinfo "${path[$m]}" depends)
		for d in ${deps//,/ }; do
			_e2e_visit "$d" $((depth + 1))
		done
		order+=("${path[$m]}")
	}
	for n in "$@"; do
		_e2e_visit "$n" 0
	done
	printf '%s\n' "${order[@]}"
}

# e2e_static_bin FILE: succeed when FILE is a statically linked ELF.
e2e_static_bin() {
	[ -x "$1" ] && ! readelf -l "$1" 2>/dev/null | grep -q 'INTERP'
}

# e2e_mk_initramfs OUT INIT BIN_DIR DATA_DIR MODULE...: a gzip'd newc cpio
# with /init, /bin/* from BIN_DIR (busybox and static test programs), /klpt/* from
# DATA_DIR ("" for none) and the modules in /modules/ (load order in
# /modules/order).
e2e_mk_initramfs() {
	local out=$1 init=$2 bindir=$3 datadir=$4; shift 4
	local root ko
	root=$(mktemp -d "${TMPDIR:-/tmp}/klpstack-initrd.XXXXXX")
	mkdir -p "$root/bin" "$root/modules" "$root/proc" "$root/sys" "$root/dev" \
		"$root/run" "$root/tmp" "$root/sbin"
	install -m 0755 "$init" "$root/init"
	cp -a "$bindir/." "$root/bin/"
	if [ -n "$datadir" ]; then
		mkdir -p "$root/klpt"
		cp -a "$datadir/." "$root/klpt/"
	fi
	: > "$root/modules/order"
	for ko in "$@"; do
		cp "$ko" "$root/modules/"
		basename "$ko" >> "$root/modules/order"
	done
	# /dev/console for init's stdout comes from the kernel's built-in
	# initramfs, which this archive is laid over
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet --owner 0:0) |
		gzip -1 > "$out.tmp" || { rm -rf "$root"; e2e_die "cpio of the initramfs failed"; }
	rm -rf "$root"
	mv "$out.tmp" "$out"
}

# Extract the truth block from a console log: CRs stripped, markers dropped.
e2e_extract_truth() {
	local console=$1 out=$2
	tr -d '\r' < "$console" |
		awk -v b="$E2E_TRUTH_BEGIN" -v e="$E2E_TRUTH_END" '
			$0 == b { inside = 1; found = 1; n = 0; next }
			$0 == e { if (inside) done = 1; inside = 0; next }
			inside && !done { lines[n++] = $0 }
			END {
				if (!found || !done) exit 1
				for (i = 0; i < n; i++) print lines[i]
			}' > "$out.tmp" || { rm -f "$out.tmp"; return 1; }
	# every line must be one of the known kinds: a kernel message that got
	# into the block would otherwise pass unnoticed
	if grep -n -v -E '^(kernel|guest|cmdline|tracer|fgraph-functions|kretprobe-functions|fprobe-functions|task|state|frame|moved|reliable|traced|klp)( |$)' \
		"$out.tmp" >&2; then
		e2e_log "unexpected lines (above) in the truth block of $console"
		rm -f "$out.tmp"
		return 1
	fi
	mv "$out.tmp" "$out"
}
