#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/bench.sh [--type TYPE] [--limit SECS] MODULE_DIR BIN_DIR [BENCH_ARG...]   (inside the test VM, as root)
#
# make bench's guest side (scripts/bench.sh boots it): loads nvkm_vgpu.ko
# and nvkm_vgpu_sim.ko from MODULE_DIR, hands the VM's spare PCI function
# 0000:00:11.0 to the simulated GPU as an h100-80gb (tests/vm/lib.sh),
# creates one vGPU of TYPE (default h100-10c) through its mdev type's
# create file, runs BIN_DIR/bench on it with BENCH_ARG... (see
# tests/vm/vfio/bench.c: --reps, --copy-reps, --sizes), then removes the
# vGPU and unloads both modules. Each vGPU's host-memory budget
# (vram_vgpu_cap_mib) is set at load to hold two copies of the largest
# --sizes (default 64 MiB) and the channel's MiB.
#
# Results in $NVKM_RESULTS: bench.tap (the program's TAP), bench.err,
# summary.tsv and samples.tsv (the program's numbers), env.txt (what the
# numbers were measured on), setup.tap (this script's own checks).
# Exits 1 if anything failed, bench included.

# The functions below are called through check() and the EXIT trap, which
# SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

type=h100-10c
limit=1200
while [ $# -gt 0 ]; do
	case $1 in
	--type) [ $# -ge 2 ] || usage; type=$2; shift 2 ;;
	--limit) [ $# -ge 2 ] || usage; limit=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
moddir=$1
bin=$2
shift 2
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}

# Host memory each vGPU may use: two copies of the largest size, the
# channel's first MiB, and room.
largest=64
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	sizes=
	case ${args[i]} in
	--sizes=*) sizes=${args[i]#--sizes=} ;;
	--sizes) sizes=${args[i + 1]:-} ;;
	esac
	for s in ${sizes//,/ }; do
		case $s in
		'' | *[!0-9]*) ;;
		*) [ "$s" -le "$largest" ] || largest=$s ;;
		esac
	done
done
cap_mib=$((2 * largest + 32))

tap=$results/setup.tap
: >"$tap"
loaded=0
uuid=
# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"

cleanup() {
	if [ -n "$uuid" ] && [ -e "/sys/bus/mdev/devices/$uuid" ]; then
		echo 1 >"/sys/bus/mdev/devices/$uuid/remove" || true
	fi
	if [ "$loaded" = 1 ]; then
		sim_pci_release 2>/dev/null || true
		unload_modules
	fi
}
trap cleanup EXIT

load() {
	modprobe mdev && modprobe vfio && modprobe vfio_iommu_type1 &&
		insmod "$moddir/nvkm_vgpu.ko" &&
		insmod "$moddir/nvkm_vgpu_sim.ko" gpus= "vram_vgpu_cap_mib=$cap_mib" &&
		loaded=1
}

create() {
	local t=/sys/class/mdev_bus/$SIM_PCI_H100/mdev_supported_types/nvkm_vgpu_sim-$type
	[ -e "$t/create" ] || { echo "bench: no type nvkm_vgpu_sim-$type on $SIM_PCI_H100"; return 1; }
	read -r uuid </proc/sys/kernel/random/uuid
	echo "$uuid" >"$t/create" && [ -e "/sys/bus/mdev/devices/$uuid" ]
}

# What the numbers were measured on, for results.md.
environment() {
	local mem model
	mem=$(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)
	model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	{
		echo "kernel	$(uname -r)"
		echo "cpus	$(nproc)"
		echo "cpu	$model"
		echo "memory	$mem"
		echo "gpu	a simulated $(cat "/sys/class/mdev_bus/$SIM_PCI_H100/preset") on PCI $SIM_PCI_H100"
		echo "vgpu	$type ($uuid), FB $(($(cat "/sys/bus/mdev/devices/$uuid/nvkm_vgpu/fb_size") >> 20)) MiB"
		echo "vram_vgpu_cap_mib	$cap_mib"
	} >"$results/env.txt"
}

run_bench() {
	local rc=0
	echo "bench: running $bin/bench $* $uuid (at most ${limit}s)"
	timeout -k 10 "$limit" "$bin/bench" --out "$results" "$@" "$uuid" \
		>"$results/bench.tap" 2>"$results/bench.err" || rc=$?
	cat "$results/bench.tap"
	sed 's/^/bench: stderr: /' "$results/bench.err"
	[ "$rc" = 0 ] || echo "bench: the program exited with $rc$([ "$rc" != 124 ] || echo ' (timeout)')"
	return "$rc"
}

check "load nvkm_vgpu.ko and nvkm_vgpu_sim.ko (vram_vgpu_cap_mib=$cap_mib)" load
[ "$failed" = 0 ] || finish
check "PCI $SIM_PCI_H100 binds to nvkm_vgpu_sim as an h100-80gb GPU" \
	sim_pci_bind "$SIM_PCI_H100" h100-80gb
[ "$failed" = 0 ] || finish
check "create a $type vGPU on $SIM_PCI_H100" create
[ "$failed" = 0 ] || finish
environment
check "bench on $type vGPU $uuid" run_bench "$@"
remove() {
	echo 1 >"/sys/bus/mdev/devices/$uuid/remove" && [ ! -e "/sys/bus/mdev/devices/$uuid" ]
}
check "remove the vGPU" remove
check "release the PCI function" sim_pci_release
check "rmmod nvkm_vgpu_sim nvkm_vgpu" rmmod nvkm_vgpu_sim nvkm_vgpu
loaded=0
finish
