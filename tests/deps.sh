#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build and test dependencies on Debian bookworm (run as root).  The
# end-to-end scripts under tests/e2e install their own (QEMU, kernels).
set -eu
need=""
for p in gcc make clang libclang-rt-14-dev python3 libkdumpfile-dev libdw-dev libbpf-dev libdeflate-dev \
	 dwarves libelf-dev crash valgrind pkgconf debhelper lintian; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		need="$need $p"
done
if [ -n "$need" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $need
fi
echo "deps: ready"
