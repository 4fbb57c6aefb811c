#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/build-debug-kernel.sh [--print-dir]
#
# Builds the nvkm-vgpu debug kernel from Debian's linux-source-6.12 with the
# fragment scripts/debug-kernel.config merged over x86_64_defconfig. The
# result is cached outside the repository under $NVKM_VGPU_CACHE (default
# /var/cache/nvkm-vgpu), keyed by the source package version and the
# fragment's hash; a cached build is reused, never rebuilt.
# --print-dir prints the cached tree's directory (building it if needed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment="$here/debug-kernel.config"
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${NVKM_VGPU_CACHE:-/var/cache/nvkm-vgpu}

if [ ! -f "$tarball" ]; then
	echo "build-debug-kernel: $tarball missing (apt-get install linux-source-6.12)" >&2
	exit 1
fi

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( { echo "$srcver"; cat "$fragment"; } | sha256sum | cut -c1-16)
dir="$cache/debug-kernel-$key"
tree="$dir/linux"

print_dir() {
	if [ "${1:-}" = --print-dir ]; then
		echo "$dir"
	fi
}

if [ -f "$dir/stamp" ]; then
	print_dir "$@"
	exit 0
fi

# One build at a time: a second caller waits for the first, then reuses it.
mkdir -p "$cache"
exec 9> "$cache/.build.lock"
flock 9
if [ -f "$dir/stamp" ]; then
	print_dir "$@"
	exit 0
fi

# Builds under other keys are stale: the source or the fragment changed.
find "$cache" -maxdepth 1 -name 'debug-kernel-*' ! -name "debug-kernel-$key" \
	-exec rm -rf {} +

echo "build-debug-kernel: building $srcver (key $key) in $dir" >&2
rm -rf "$dir"
mkdir -p "$dir"
tar -xJf "$tarball" -C "$dir"
mv "$dir/linux-source-6.12" "$tree"

cd "$tree"
make -s x86_64_defconfig
scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null
make -s olddefconfig

# Every option the fragment asks for must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		if grep -q "^$opt=" .config; then
			echo "build-debug-kernel: $opt still set" >&2
			missing=1
		fi ;;
	CONFIG_*=*)
		if ! grep -qxF "$line" .config; then
			echo "build-debug-kernel: $line did not stick" >&2
			missing=1
		fi ;;
	esac
done < "$fragment"
[ "$missing" = 0 ] || exit 1

jobs=$(nproc)
make -s -j"$jobs" bzImage modules
make -s INSTALL_MOD_PATH="$dir/modroot" INSTALL_MOD_STRIP=1 modules_install
cp arch/x86/boot/bzImage "$dir/bzImage"
make -s kernelrelease > "$dir/release"
touch "$dir/stamp"
echo "build-debug-kernel: done, $(cat "$dir/release")" >&2
print_dir "$@"
