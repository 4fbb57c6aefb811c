#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/build-module.sh KDIR OUTDIR [make args...]
#
# Builds the modules against KDIR with W=1 in OUTDIR, a copy of the
# sources (out-of-tree builds write next to their sources, and each kernel
# needs its own objects). Fails on any compiler warning; the log is
# OUTDIR/build.log. When KDIR's own nouveau carries the vGPU hook (the
# debug kernel's tree: scripts/build-kernel.sh applies nouveau/patches/),
# also builds the nouveau backend, OUTDIR/nvkm_glue/nouveau/
# nvkm_vgpu_nouveau.ko, against that tree's nouveau sources, with the
# same make args.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 KDIR OUTDIR [make args...]" >&2
	exit 2
fi
kdir=$1
out=$(realpath -m "$2")
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$out"
rsync -a --delete --exclude=build.log \
	--include='/Kbuild' --include='/Makefile' --include='/VERSION' \
	--include='/include/***' --include='/vgpu_mgr/***' \
	--include='/nvkm_glue/***' --include='/tests/' --include='/tests/kunit/***' \
	--exclude='*' "$top/" "$out/"

status=0
make -C "$kdir" M="$out" W=1 -j"$(nproc)" "$@" modules > "$out/build.log" 2>&1 || status=$?
nouveau=$kdir/drivers/gpu/drm/nouveau
if [ $status -eq 0 ] && [ -d "$nouveau/include/nvkm" ] &&
	grep -q '^0x[0-9a-f]*[[:space:]]nvkm_vgpu_hook_register[[:space:]]' "$kdir/Module.symvers" 2>/dev/null; then
	echo "build-module: the nouveau backend, against $nouveau" >> "$out/build.log"
	make -C "$kdir" M="$out/nvkm_glue/nouveau" W=1 -j"$(nproc)" "$@" \
		NOUVEAU_SRC="$nouveau" KBUILD_EXTRA_SYMBOLS="$out/Module.symvers" \
		modules >> "$out/build.log" 2>&1 || status=$?
fi
if [ $status -ne 0 ]; then
	tail -n 30 "$out/build.log" >&2
	exit $status
fi
if grep -E '(warning|error):' "$out/build.log" >&2; then
	exit 1
fi
exit 0
