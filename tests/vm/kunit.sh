#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/kunit.sh MODULE_DIR   (inside the test VM)
#
# Loads nvkm_vgpu.ko, nvkm_vgpu_sim.ko and their KUnit modules from
# MODULE_DIR (loading a test module runs its suites), copies each suite's
# KTAP results to $NVKM_RESULTS/kunit.ktap and unloads all four.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 MODULE_DIR" >&2
	exit 2
fi
dir=$1
out=${NVKM_RESULTS:?}/kunit.ktap

modprobe -a vfio vfio_iommu_type1 mdev
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
insmod "$dir/nvkm_vgpu.ko"
insmod "$dir/nvkm_vgpu_kunit.ko"
# The simulated GPU's suites, with no simulated GPU created at load.
insmod "$dir/nvkm_vgpu_sim.ko" gpus=
insmod "$dir/nvkm_vgpu_sim_kunit.ko"

: > "$out"
found=0
for suite in /sys/kernel/debug/kunit/nvkm_vgpu_*; do
	[ -r "$suite/results" ] || continue
	cat "$suite/results" >> "$out"
	found=$((found + 1))
done

rmmod nvkm_vgpu_sim_kunit
rmmod nvkm_vgpu_sim
rmmod nvkm_vgpu_kunit
rmmod nvkm_vgpu
echo "kunit: $found suites"
[ "$found" -gt 0 ]
