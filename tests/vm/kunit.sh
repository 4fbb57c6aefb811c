#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/kunit.sh MODULE_DIR [NOUVEAU_KUNIT_DIR]   (inside the test VM)
#
# Loads nvkm_vgpu.ko, nvkm_vgpu_sim.ko and their KUnit modules from
# MODULE_DIR (loading a test module runs its suites), and with
# NOUVEAU_KUNIT_DIR the nouveau side's KUnit modules built there by
# tests/nouveau/build-kunit.sh (nouveau's allocators and the backend's
# glue; they need no other module), copies each suite's KTAP results to
# $NVKM_RESULTS/kunit.ktap and unloads them all.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 MODULE_DIR [NOUVEAU_KUNIT_DIR]" >&2
	exit 2
fi
dir=$1
nouveau_dir=${2:-}
nouveau_modules=()
[ -z "$nouveau_dir" ] ||
	nouveau_modules=(nvkm_vgpu_nouveau_kunit nvkm_vgpu_nouveau_glue_kunit)
out=${NVKM_RESULTS:?}/kunit.ktap

modprobe -a vfio vfio_iommu_type1 mdev
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
insmod "$dir/nvkm_vgpu.ko"
insmod "$dir/nvkm_vgpu_kunit.ko"
# The simulated GPU's suites, with no simulated GPU created at load.
insmod "$dir/nvkm_vgpu_sim.ko" gpus=
insmod "$dir/nvkm_vgpu_sim_kunit.ko"
for m in "${nouveau_modules[@]}"; do
	insmod "$nouveau_dir/$m.ko"
done

: > "$out"
found=0
for suite in /sys/kernel/debug/kunit/nvkm_vgpu_*; do
	[ -r "$suite/results" ] || continue
	cat "$suite/results" >> "$out"
	found=$((found + 1))
done

for m in "${nouveau_modules[@]}"; do
	rmmod "$m"
done
rmmod nvkm_vgpu_sim_kunit
rmmod nvkm_vgpu_sim
rmmod nvkm_vgpu_kunit
rmmod nvkm_vgpu
echo "kunit: $found suites"
[ "$found" -gt 0 ]
