#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kbuild.sh NAME - build (once, cached) a small kernel from Debian's own
# linux-source package for the end-to-end tests, for the rules no Debian
# kernel exercises.  Prints the build directory on success.
#
#   NAME = ARCH-WHAT, with the config fragment tests/e2e/kconfig/NAME.config:
#     x86_64-fp         CONFIG_UNWINDER_FRAME_POINTER (Debian builds ORC only)
#     s390x-livepatch   CONFIG_LIVEPATCH (Debian's s390x kernels have none)
#
# The source is the host suite's linux-source-X.Y, the version its
# "linux-source" metapackage names (never hard-coded), downloaded and
# unpacked into the cache, not installed.  The kernel is allnoconfig plus
# the fragment; every option the fragment sets must survive olddefconfig
# (a dropped dependency is an error, not a silently different kernel).
# s390x is cross-built with the host's s390x-linux-gnu-gcc.
#
# Output: $CACHE/kbuild/NAME-SRCVERSION-FRAGHASH/ (the O= tree: vmlinux,
# System.map, .config, arch/*/boot/*Image, Module.symvers; out-of-tree
# modules build against it with make -C DIR M=...), reused while complete.
# CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/klpstack.
set -euo pipefail

E2E_PROG=kbuild
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -eq 1 ] || { sed -n '4,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
name=$1
frag=$E2E_DIR/kconfig/$name.config
[ -f "$frag" ] || e2e_die "no config fragment $frag"
case $name in
x86_64-*) karch=x86_64 cross= image=arch/x86/boot/bzImage ;;
s390x-*)
	karch=s390 cross=s390x-linux-gnu- image=arch/s390/boot/bzImage
	command -v s390x-linux-gnu-gcc >/dev/null ||
		e2e_die "no s390x-linux-gnu-gcc (apt-get install gcc-s390x-linux-gnu)" ;;
*) e2e_die "unknown kernel '$name' (x86_64-* or s390x-*)" ;;
esac
for c in make gcc flex bison bc perl xz pahole; do
	command -v "$c" >/dev/null || e2e_die "$c not found (tests/e2e/deps-x86_64.sh installs the kernel build tools)"
done

root=$E2E_CACHE_ROOT/kbuild
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9

# ---- the source: the host suite's linux-source-X.Y ---------------------------
srcpkg=$(apt-cache depends linux-source 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-source-[0-9]/ { print $2; exit }')
[ -n "$srcpkg" ] || e2e_die "the linux-source metapackage names no linux-source-X.Y (apt-get update?)"
deb=$(e2e_fetch_deb "$root/debs" "$srcpkg" all) || e2e_die "cannot download $srcpkg"
srcver=$(dpkg-deb -f "$deb" Version)
src=$root/src/$srcpkg-$srcver
if [ ! -e "$src/.complete" ]; then
	t=$(e2e_now)
	e2e_log "unpacking $(basename "$deb")"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$src.tmp" --wildcards './usr/src/linux-source-*.tar.xz' ||
		e2e_die "no source tarball in $deb"
	tar -xJf "$src.tmp"/usr/src/linux-source-*.tar.xz -C "$src.tmp" || e2e_die "cannot unpack the kernel source"
	mv "$src.tmp"/linux-source-* "$src"
	rm -rf "$src.tmp"
	touch "$src/.complete"
	e2e_log "source unpacked in $(e2e_elapsed "$t") s"
fi

# ---- configure and build ---------------------------------------------------------
hash=$(cat "$frag" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
out=$root/$name-$srcver-$hash
if [ -e "$out/.complete" ]; then
	printf '%s\n' "$out"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"
kmake() {
	make -C "$src" O="$out" ARCH="$karch" ${cross:+CROSS_COMPILE=$cross} "$@"
}
t=$(e2e_now)
kmake allnoconfig >"$out/config.log" 2>&1 || e2e_die "allnoconfig failed ($out/config.log)"
# ARCH=x86_64 makes allnoconfig 64-bit; the fragment adds the rest
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >>"$out/config.log" 2>&1 ||
	e2e_die "merging $frag failed ($out/config.log)"
kmake olddefconfig >>"$out/config.log" 2>&1 || e2e_die "olddefconfig failed ($out/config.log)"
missing=$(grep -E '^(CONFIG_[A-Z0-9_]+=.*|# CONFIG_[A-Z0-9_]+ is not set)$' "$frag" |
	while read -r l; do grep -qxF "$l" "$out/.config" || printf ' %s' "$l"; done)
[ -z "$missing" ] || e2e_die "the kernel config dropped:$missing ($out/.config)"
e2e_log "building $name from $srcpkg $srcver (log: $out/build.log)"
nice -n 10 make -C "$src" O="$out" ARCH="$karch" ${cross:+CROSS_COMPILE=$cross} \
	-j"$(nproc)" all >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	e2e_die "the kernel build failed ($out/build.log)"
}
[ -f "$out/vmlinux" ] && [ -f "$out/$image" ] || e2e_die "the build made no vmlinux or $image"
touch "$out/.complete"
e2e_log "$name built in $(e2e_elapsed "$t") s"
printf '%s\n' "$out"
