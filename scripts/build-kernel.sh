#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/build-kernel.sh debug|guest|coverage [--print-dir]
#
# Builds one of nvkm-vgpu's kernels from Debian's linux-source-6.12:
#   debug  the test VMs' kernel (KASAN, UBSAN, lockdep, kmemleak, KUnit,
#          VFIO, mdev samples): scripts/debug-kernel.config merged over
#          x86_64_defconfig; bzImage, modules, modules_install
#   guest  the nested guests' kernel (tests/vm/nested.sh, make demo):
#          scripts/guest-kernel.config applied with allnoconfig; vmlinux
#          only, which QEMU boots through its PVH entry
#   coverage  make coverage's kernel: the debug kernel's fragment, then
#          scripts/coverage-kernel.config (gcov, fewer checkers) over it,
#          merged over x86_64_defconfig; built and installed like debug
# Debug and coverage also take scripts/kernel-patches/*.patch, in name
# order: fixes to upstream code that only fault injection reaches; then
# nouveau/patches/*.patch, the vGPU manager's hook in nouveau, so that the
# kernel's own nouveau.ko (CONFIG_DRM_NOUVEAU=m) is the patched one and its
# Module.symvers has the hook's symbols. A patch that does not apply fails
# the build, naming it.
# The result is cached outside the repository under $NVKM_VGPU_CACHE
# (default /var/cache/nvkm-vgpu) in <kind>-kernel-<key>, keyed by the
# source package version, the fragments' options and the patches; a
# cached build is reused, never rebuilt. --print-dir prints the cached
# build's directory (building it if needed): bzImage or vmlinux, release,
# and for debug and coverage modroot/lib/modules/<release> and the
# configured tree linux/.
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -ge 1 ] || usage
kind=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
# The fragments, in order: where two set an option, the last one wins.
patches=()
case "$kind" in
debug) base=x86_64_defconfig; fragments=("$here/debug-kernel.config")
	patches=("$here"/kernel-patches/*.patch "$here"/../nouveau/patches/*.patch) ;;
guest) base=allnoconfig; fragments=("$here/guest-kernel.config") ;;
coverage) base=x86_64_defconfig
	fragments=("$here/debug-kernel.config" "$here/coverage-kernel.config")
	patches=("$here"/kernel-patches/*.patch "$here"/../nouveau/patches/*.patch) ;;
*) usage ;;
esac
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${NVKM_VGPU_CACHE:-/var/cache/nvkm-vgpu}
me="build-kernel($kind)"

if [ ! -f "$tarball" ]; then
	echo "$me: $tarball missing (apt-get install linux-source-6.12)" >&2
	exit 1
fi

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# Comments and blank lines do not change the kernel, nor the key; a
# patch's every line does.
key=$( {
	echo "$srcver"
	grep -hvE '^[[:space:]]*(#|$)' "${fragments[@]}"
	if [ ${#patches[@]} -gt 0 ]; then
		cat "${patches[@]}"
	fi
} | sha256sum | cut -c1-16)
dir="$cache/$kind-kernel-$key"
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

# One build per kind at a time: a second caller waits, then reuses it.
mkdir -p "$cache"
exec 9> "$cache/.build-$kind.lock"
flock 9
if [ -f "$dir/stamp" ]; then
	print_dir "$@"
	exit 0
fi

# Builds under other keys are stale: the source or a fragment changed.
# Only this kind's: each kind's directories have their own prefix.
find "$cache" -maxdepth 1 -name "$kind-kernel-*" ! -name "$kind-kernel-$key" \
	-exec rm -rf {} +

echo "$me: building $srcver (key $key) in $dir" >&2
rm -rf "$dir"
mkdir -p "$dir"
tar -xJf "$tarball" -C "$dir"
mv "$dir/linux-source-6.12" "$tree"

cd "$tree"
for p in "${patches[@]}"; do
	echo "$me: applying ${p##*/}" >&2
	if ! patch -s -p1 --forward --no-backup-if-mismatch < "$p"; then
		echo "$me: ${p##*/} does not apply to linux-source-6.12 $srcver" >&2
		exit 1
	fi
done
if [ "$base" = allnoconfig ]; then
	make -s KCONFIG_ALLCONFIG="${fragments[0]}" allnoconfig
else
	make -s "$base"
	scripts/kconfig/merge_config.sh -m .config "${fragments[@]}" >/dev/null
	make -s olddefconfig
fi

# Every option the fragments ask for must have survived: each option's
# last assignment, the one merge_config.sh kept.
wanted() {
	awk '/^CONFIG_[A-Za-z0-9_]+=/ {
		opt = $0
		sub(/=.*/, "", opt)
		if (!(opt in val))
			order[++n] = opt
		val[opt] = $0
	}
	END { for (i = 1; i <= n; i++) print val[order[i]] }' "${fragments[@]}"
}
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		if grep -q "^$opt=" .config; then
			echo "$me: $opt still set" >&2
			missing=1
		fi ;;
	CONFIG_*=*)
		if ! grep -qxF "$line" .config; then
			echo "$me: $line did not stick" >&2
			missing=1
		fi ;;
	esac
done < <(wanted)
[ "$missing" = 0 ] || exit 1

# A line a minute while make runs, so a cold build is never silent: how
# long, and how many objects are built of the ones the config needs.
heartbeat() {
	local t0=$SECONDS total built
	total=$(grep -c '=y$' .config)
	while sleep 60; do
		built=$(find . -name '*.o' -newer .config 2>/dev/null | wc -l)
		echo "$me: still building, $(((SECONDS - t0) / 60)) min, $built objects (config has $total built-in options)" >&2
	done
}
heartbeat &
beat=$!
trap 'kill "$beat" 2>/dev/null' EXIT

jobs=$(nproc)
if [ "$kind" != guest ]; then
	make -s -j"$jobs" bzImage modules
	make -s INSTALL_MOD_PATH="$dir/modroot" INSTALL_MOD_STRIP=1 modules_install
	cp arch/x86/boot/bzImage "$dir/bzImage"
else
	make -s -j"$jobs" vmlinux
	cp vmlinux "$dir/vmlinux"
fi
make -s kernelrelease > "$dir/release"
if [ "$kind" = guest ]; then
	# Only the ELF is needed; the tree is 1 GiB of sources and objects.
	rm -rf "$tree"
fi
touch "$dir/stamp"
echo "$me: done, $(cat "$dir/release")" >&2
print_dir "$@"
