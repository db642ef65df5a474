#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# deps-x86_64.sh [KERNEL-RELEASE]
# Install what tests/e2e/mkdump-x86_64.sh needs on a Debian bookworm host;
# with a kernel release (e.g. 6.1.0-56-cloud-amd64) also its headers, for the
# out-of-tree test modules of the livepatch scenario set.
# Quick when everything is there already: apt-get runs only for missing
# packages (after one "apt-get update"). Needs root for the install.
set -euo pipefail

PKGS=(
	qemu-system-x86   # the guest (TCG)
	busybox-static    # guest userland
	gcc libc6-dev     # static guest programs
	binutils          # objcopy: module dependencies from .modinfo
	cpio gzip         # initramfs
	python3           # QMP client
	makedumpfile      # flattened kdump -> kdump (-R)
	crash             # dump sanity check
	apt               # apt-get download, apt-cache
	dpkg              # dpkg-deb -x
	make              # out-of-tree modules (livepatch set)
	xz-utils zstd     # compressed modules of newer kernel lines
	tar               # vmlinux out of the -dbg packages
	debootstrap       # other suites' compilers for the test modules (suite-chroot.sh)
	flex bison bc     # kernels built from linux-source (kbuild.sh)
	libelf-dev libssl-dev dwarves gcc-s390x-linux-gnu
)
if [ $# -ge 1 ] && [ -n "$1" ]; then
	PKGS+=("linux-headers-$1")   # pulls linux-kbuild-6.1 and gcc-12
fi

missing=()
for p in "${PKGS[@]}"; do
	# "install ok installed" only: half-removed packages count as missing
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps-x86_64: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps-x86_64: missing packages: ${missing[*]} (run this script as root)" >&2
	exit 1
fi

echo "deps-x86_64: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# another apt-get (e.g. the s390x dependencies installed at the same time)
# holds the dpkg lock for a while: wait for it instead of failing
LOCK=(-o DPkg::Lock::Timeout=900)
apt-get "${LOCK[@]}" update
# busybox (dynamic) conflicts with busybox-static: apt resolves that itself
apt-get "${LOCK[@]}" install -y --no-install-recommends "${missing[@]}"
