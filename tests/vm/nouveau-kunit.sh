#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/nouveau-kunit.sh MODULE_DIR   (inside the test VM)
#
# Loads the nouveau KUnit modules built by tests/nouveau/build-kunit.sh in
# MODULE_DIR (loading a test module runs its suites): nouveau's own VRAM
# and channel ID allocators, and the nouveau backend's glue against fakes.
# Copies each suite's KTAP results to $NVKM_RESULTS/nouveau-kunit.ktap,
# unloads the modules and fails if a suite is missing or a case failed.
# Needs a kernel with KUnit and its debugfs (the debug kernel). make check
# loads the same modules from tests/vm/kunit.sh instead. From the host:
#   read -r name kdir image rel moddir < <(scripts/kernels.sh debug)
#   tests/nouveau/build-kunit.sh "$kdir" "$kdir" build/nouveau-kunit
#   tests/vm/run-vm.sh --kmemleak "$image" "$rel" "$moddir" \
#       /work/results/nouveau-kunit tests/vm/nouveau-kunit.sh \
#       "$PWD/build/nouveau-kunit"
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 MODULE_DIR" >&2
	exit 2
fi
dir=$1
out=${NVKM_RESULTS:?}/nouveau-kunit.ktap
modules=(nvkm_vgpu_nouveau_kunit nvkm_vgpu_nouveau_glue_kunit)
suites=(nvkm_vgpu_nouveau_mm nvkm_vgpu_nouveau_chid nvkm_vgpu_nouveau_glue nvkm_vgpu_nouveau_chan)

for m in "${modules[@]}"; do
	insmod "$dir/$m.ko"
done

: >"$out"
failed=0
for s in "${suites[@]}"; do
	r=/sys/kernel/debug/kunit/$s/results
	if [ ! -r "$r" ]; then
		echo "nouveau-kunit: suite $s did not run" >&2
		failed=1
		continue
	fi
	cat "$r" >>"$out"
done

for m in "${modules[@]}"; do
	rmmod "$m"
done

cases=$(grep -cE '^\s+ok [0-9]+ ' "$out" || true)
bad=$(grep -cE '^\s*not ok ' "$out" || true)
echo "nouveau-kunit: ${#suites[@]} suites, $cases cases passed, $bad failed"
grep -E '^\s*not ok ' "$out" >&2 || true
[ "$bad" -eq 0 ] || failed=1
exit $failed
