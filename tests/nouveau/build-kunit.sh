#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/nouveau/build-kunit.sh KDIR NOUVEAU_DIR OUTDIR
#
# Builds the KUnit modules of tests/nouveau/Kbuild for KDIR, a kernel with
# KUnit (the debug kernel; DRM not needed), in OUTDIR, W=1, warnings fatal
# (log: OUTDIR/build.log): nvkm_vgpu_nouveau_kunit.ko from nouveau's own
# nvkm/core/mm.c and nvkm/engine/fifo/chid.c in NOUVEAU_DIR, and
# nvkm_vgpu_nouveau_glue_kunit.ko from nvkm_glue/nouveau/. Prints OUTDIR.
# NOUVEAU_DIR is the patched cache of scripts/nouveau.sh (print-dir; the
# sources in its linux/) or a kernel tree patched with nouveau/patches/
# (the debug kernel's, whose tree is KDIR: make check passes it twice).
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 KDIR NOUVEAU_DIR OUTDIR" >&2
	exit 2
fi
kdir=$1
src=$2/linux/drivers/gpu/drm/nouveau
[ -d "$src" ] || src=$2/drivers/gpu/drm/nouveau
out=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if ! grep -q '^CONFIG_KUNIT=[ym]' "$kdir/.config"; then
	echo "nouveau-kunit: $kdir has no KUnit (CONFIG_KUNIT)" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/nvkm/core" "$out/nvkm/engine/fifo" "$out/glue/chan"
cp "$here"/Kbuild "$here"/*.[ch] "$out/"
cp "$src/nvkm/core/mm.c" "$out/nvkm/core/"
cp "$src"/nvkm/engine/fifo/chid.[ch] "$out/nvkm/engine/fifo/"
cp "$top"/nvkm_glue/nouveau/{fb,chid,geometry,pm}.[ch] "$out/glue/"
cp "$top"/nvkm_glue/nouveau/chan/*.[ch] "$out/glue/chan/"
cp -r "$top/include" "$out/include"

status=0
make -C "$kdir" M="$out" W=1 NOUVEAU_SRC="$src" -j"${JOBS:-2}" modules \
	>"$out/build.log" 2>&1 || status=$?
if [ $status -ne 0 ]; then
	tail -n 30 "$out/build.log" >&2
	exit $status
fi
if grep -E '(warning|error):' "$out/build.log" >&2; then
	exit 1
fi
echo "$out"
