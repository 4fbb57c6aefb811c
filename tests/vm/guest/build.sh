#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/guest/build.sh OUTDIR
#
# Builds what tests/vm/nested.sh needs into OUTDIR:
#   vgpu-guest            static program the nested guest runs (vgpu-guest.c)
#   vgpu-peek             host-side VFIO helper (vgpu-peek.c)
#   guest-initramfs.cpio.gz
#                         busybox-static + vgpu-guest, /init = ./init
#   guest-vmlinux         the guest kernel: a small 6.12 built for it by
#                         scripts/build-kernel.sh guest (an ELF QEMU boots
#                         through its PVH entry), or $NVKM_GUEST_KERNEL;
#                         guest-vmlinux.source names where it came from
# A stock Debian kernel takes the nested guest (TCG inside TCG) about three
# minutes to boot; the small one, seconds. OUTDIR must be visible in the
# test VM (not under /tmp, /var/tmp or /run). Needs gcc, the static glibc
# (libc6-dev), busybox-static, cpio (or busybox's), and what the kernel
# build needs. Prints one line per product; fails on any warning.
set -euo pipefail

if [ $# -ne 1 ]; then
	sed -n '3s/^# //p' "$0" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

cc=${CC:-gcc}
cflags=(-Wall -Wextra -Werror -O2 -std=gnu11 -D_GNU_SOURCE
	-I"$here" -I"$here/../vfio/lib" -I"$top/include/uapi")
busybox=${BUSYBOX:-/bin/busybox}

"$cc" "${cflags[@]}" -static -s -o "$out/vgpu-guest.tmp" "$here/vgpu-guest.c"
mv "$out/vgpu-guest.tmp" "$out/vgpu-guest"
echo "guest-build: $out/vgpu-guest"
"$cc" "${cflags[@]}" -o "$out/vgpu-peek.tmp" "$here/vgpu-peek.c"
mv "$out/vgpu-peek.tmp" "$out/vgpu-peek"
echo "guest-build: $out/vgpu-peek"

if ! "$busybox" --list 2>/dev/null | grep -x poweroff >/dev/null || ldd "$busybox" >/dev/null 2>&1; then
	echo "guest-build: $busybox is not a static busybox (apt-get install busybox-static)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nvkm-guest-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$out/vgpu-guest" "$root/bin/vgpu-guest"
install -m 755 "$here/init" "$root/init"
# The kernel opens /dev/console before /init mounts devtmpfs.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

if command -v cpio >/dev/null; then
	cpio_cmd=(cpio --quiet -o -H newc -R 0:0)
else
	cpio_cmd=("$busybox" cpio -o -H newc)
fi
(cd "$root" && find . -print | LC_ALL=C sort | "${cpio_cmd[@]}") |
	gzip -9n >"$out/guest-initramfs.cpio.gz.tmp"
mv "$out/guest-initramfs.cpio.gz.tmp" "$out/guest-initramfs.cpio.gz"
echo "guest-build: $out/guest-initramfs.cpio.gz ($(stat -c %s "$out/guest-initramfs.cpio.gz") bytes)"

# The guest kernel: scripts/build-kernel.sh guest (cached), or
# $NVKM_GUEST_KERNEL, any kernel QEMU's -kernel boots.
image=${NVKM_GUEST_KERNEL:-}
if [ -z "$image" ]; then
	kdir=$("$top/scripts/build-kernel.sh" guest --print-dir)
	image=$kdir/vmlinux
fi
if [ ! -f "$image" ]; then
	echo "guest-build: no guest kernel at $image" >&2
	exit 1
fi
cp "$image" "$out/guest-vmlinux.tmp"
mv "$out/guest-vmlinux.tmp" "$out/guest-vmlinux"
echo "$image" >"$out/guest-vmlinux.source"
echo "guest-build: $out/guest-vmlinux (from $image)"
