#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/load.sh MODULE_DIR   (inside the test VM)
#
# Loads and unloads nvkm_vgpu.ko from MODULE_DIR and checks the kernel saw
# both; writes TAP to $NVKM_RESULTS/load.tap.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 MODULE_DIR" >&2
	exit 2
fi
dir=$1
tap=${NVKM_RESULTS:?}/load.tap
n=0
failed=0

check() {
	n=$((n + 1))
	if "${@:2}"; then
		echo "ok $n - $1" >> "$tap"
	else
		echo "not ok $n - $1" >> "$tap"
		failed=1
	fi
}

# These run through check(), which shellcheck cannot follow.
# shellcheck disable=SC2317
loaded() { [ -d /sys/module/nvkm_vgpu ]; }
# shellcheck disable=SC2317
not_loaded() { ! loaded; }
# Only what the kernel logged after this script's mark counts: an earlier
# test of the same boot loaded the module too.
mark="load.sh: start $$ $RANDOM"
echo "$mark" > /dev/kmsg
# shellcheck disable=SC2317
logged() {
	dmesg | awk -v m="$mark" -v s="nvkm_vgpu: $1" \
		'index($0, m) { on = 1; next } on && index($0, s) { f = 1 } END { exit !f }'
}

echo "1..6" > "$tap"
check "modprobe vfio, vfio_iommu_type1 and mdev" modprobe -a vfio vfio_iommu_type1 mdev
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko" insmod "$dir/nvkm_vgpu.ko"
check "module is live in sysfs" loaded
check "load is logged" logged "vGPU manager loaded"
check "rmmod nvkm_vgpu" rmmod nvkm_vgpu
check "module is gone and unload logged" \
	eval 'not_loaded && logged "vGPU manager unloaded"'
cat "$tap"
exit $failed
