#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/guest/build.sh OUTDIR
#
# Builds what tests/vm/nested.sh needs into OUTDIR:
#   vgpu-guest            static program the nested guest runs (vgpu-guest.c)
#   vgpu-peek             host-side VFIO helper (vgpu-peek.c)
#   guest-initramfs.cpio.gz
#                         busybox-static + vgpu-guest, /init = ./init
#   guest-vmlinux         the guest kernel, uncompressed (an ELF QEMU boots
#                         through its PVH entry), from the newest stock
#                         Debian 6.1 kernel in /boot or $NVKM_GUEST_KERNEL;
#                         guest-vmlinux.source names the image it came from
# Decompressing a bzImage takes the nested guest (TCG inside TCG) minutes
# for the 6.1 kernel's xz; the ELF skips that. OUTDIR must be visible in the
# test VM (not under /tmp, /var/tmp or /run). Needs gcc, the static glibc
# (libc6-dev), busybox-static, cpio (or busybox's) and xz (zstd for a 6.12
# kernel). Prints one line per product; fails on any warning.
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

if ! "$busybox" --list 2>/dev/null | grep -qx poweroff || ldd "$busybox" >/dev/null 2>&1; then
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

# The guest kernel: the bzImage's payload, decompressed, once per image.
image=${NVKM_GUEST_KERNEL:-$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*' | sort -V | tail -n 1)}
if [ -z "$image" ] || [ ! -f "$image" ]; then
	echo "guest-build: no guest kernel (/boot/vmlinuz-6.1.*; set NVKM_GUEST_KERNEL)" >&2
	exit 1
fi
stamp="$image $(stat -Lc '%s %Y' "$image")"
if [ ! -f "$out/guest-vmlinux" ] || [ "$(cat "$out/guest-vmlinux.source" 2>/dev/null)" != "$stamp" ]; then
	# offset_of HEX_PATTERN: the first byte offset of a magic in the image.
	offset_of() {
		LC_ALL=C grep -obUaP "$1" "$image" | head -n 1 | cut -d: -f1
	}
	rm -f "$out/guest-vmlinux" "$out/guest-vmlinux.source"
	if off=$(offset_of '\xfd\x37\x7a\x58\x5a\x00') && [ -n "$off" ]; then
		# Trailing data after the stream makes xz complain; the ELF is whole.
		tail -c +$((off + 1)) "$image" | xz -dc >"$out/guest-vmlinux.tmp" 2>/dev/null || true
	elif off=$(offset_of '\x28\xb5\x2f\xfd') && [ -n "$off" ]; then
		tail -c +$((off + 1)) "$image" | zstd -dcq >"$out/guest-vmlinux.tmp" 2>/dev/null || true
	else
		echo "guest-build: $image: no xz or zstd payload found" >&2
		exit 1
	fi
	if [ "$(head -c 4 "$out/guest-vmlinux.tmp" | od -An -tx1 | tr -d ' ')" != 7f454c46 ]; then
		echo "guest-build: $image: the decompressed payload is not an ELF kernel" >&2
		exit 1
	fi
	mv "$out/guest-vmlinux.tmp" "$out/guest-vmlinux"
	echo "$stamp" >"$out/guest-vmlinux.source"
fi
echo "guest-build: $out/guest-vmlinux (from $image)"
