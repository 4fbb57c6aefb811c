#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/bench.sh [--type TYPE] [--limit SECS] [--peers DIR] [--peer-reps N] [--peer-cycles N] [--no-peers] [--sched-window MS] [--no-sched] MODULE_DIR BIN_DIR [BENCH_ARG...]   (inside the test VM, as root)
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
# Then, unless --no-sched, the engine scheduler: BIN_DIR/bench_sched
# (tests/vm/vfio/bench_sched.c; --sched-window is its --window) on the
# same simulated GPU, holding no vGPU, which creates and removes its own
# eight h100-10c vGPUs.
#
# Then, unless --no-peers, the comparison with the kernel's mdev samples:
# insmods DIR/mtty.ko and DIR/mbochs.ko (count=PEER_MBOCHS_MIB, its
# framebuffer megabytes) when --peers DIR is given, and runs
# BIN_DIR/bench_peers (tests/vm/vfio/bench_peers.c; --peer-reps and
# --peer-cycles are its --reps and --cycles) on the same simulated GPU,
# now holding no vGPU; without DIR it measures ours alone. The samples
# are unloaded before our modules.
#
# Results in $NVKM_RESULTS: bench.tap (the program's TAP), bench.err,
# summary.tsv and samples.tsv (the program's numbers), peers.tap,
# peers.err, peers.tsv and peers-samples.tsv (bench_peers'), sched.tap,
# sched.err and sched-*.tsv (bench_sched's), env.txt (what
# the numbers were measured on), setup.tap (this script's own checks).
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
peers=
peers_on=1
peer_args=()
sched_on=1
sched_args=()
sched_window=3000
while [ $# -gt 0 ]; do
	case $1 in
	--type) [ $# -ge 2 ] || usage; type=$2; shift 2 ;;
	--limit) [ $# -ge 2 ] || usage; limit=$2; shift 2 ;;
	--peers) [ $# -ge 2 ] || usage; peers=$2; shift 2 ;;
	--peer-reps) [ $# -ge 2 ] || usage; peer_args+=(--reps "$2"); shift 2 ;;
	--peer-cycles) [ $# -ge 2 ] || usage; peer_args+=(--cycles "$2"); shift 2 ;;
	--no-peers) peers_on=0; shift ;;
	--sched-window) [ $# -ge 2 ] || usage; sched_window=$2; sched_args+=(--window "$2"); shift 2 ;;
	--no-sched) sched_on=0; shift ;;
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
# The samples this script insmodded, in load order.
peers_loaded=()
# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"

cleanup() {
	if [ -n "$uuid" ] && [ -e "/sys/bus/mdev/devices/$uuid" ]; then
		echo 1 >"/sys/bus/mdev/devices/$uuid/remove" || true
	fi
	peers_unload 2>/dev/null || true
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

# ---- the engine scheduler (bench_sched) ----

run_sched() {
	local rc=0
	echo "bench: running $bin/bench_sched ${sched_args[*]} (at most ${limit}s)"
	timeout -k 10 "$limit" "$bin/bench_sched" --out "$results" "${sched_args[@]}" \
		>"$results/sched.tap" 2>"$results/sched.err" || rc=$?
	cat "$results/sched.tap"
	sed 's/^/bench_sched: stderr: /' "$results/sched.err"
	[ "$rc" = 0 ] || echo "bench: bench_sched exited with $rc$([ "$rc" != 124 ] || echo ' (timeout)')"
	return "$rc"
}

sched_section() {
	echo "sched_window_ms	$sched_window" >>"$results/env.txt"
	check "bench_sched: the engine scheduler's shares, utilisation, latency" run_sched
}

# ---- beside the kernel's mdev samples, mtty and mbochs (bench_peers) ----

# mbochs' count= (megabytes for all its framebuffers): 16 idle 4 MiB ones,
# or one of the 16 MiB type bench_peers maps.
PEER_MBOCHS_MIB=64
PEER_MAP_MIB=16

peers_load() {
	local m
	for m in mtty mbochs; do
		[ -f "$peers/$m.ko" ] || { echo "bench: no $peers/$m.ko"; return 1; }
	done
	insmod "$peers/mtty.ko" && peers_loaded+=(mtty) &&
		insmod "$peers/mbochs.ko" "count=$PEER_MBOCHS_MIB" && peers_loaded+=(mbochs)
}

peers_unload() {
	local i rc=0
	for ((i = ${#peers_loaded[@]} - 1; i >= 0; i--)); do
		rmmod "${peers_loaded[i]}" || rc=1
	done
	peers_loaded=()
	return "$rc"
}

run_peers() {
	local rc=0
	echo "bench: running $bin/bench_peers ${peer_args[*]} (at most ${limit}s)"
	timeout -k 10 "$limit" "$bin/bench_peers" --out "$results" --type "$type" \
		--map-mib "$PEER_MAP_MIB" "${peer_args[@]}" \
		>"$results/peers.tap" 2>"$results/peers.err" || rc=$?
	cat "$results/peers.tap"
	sed 's/^/bench_peers: stderr: /' "$results/peers.err"
	[ "$rc" = 0 ] || echo "bench: bench_peers exited with $rc$([ "$rc" != 124 ] || echo ' (timeout)')"
	return "$rc"
}

peers_section() {
	{
		echo "peers_type	$type"
		echo "peers_map_mib	$PEER_MAP_MIB"
		[ -z "$peers" ] || echo "peers_params	mbochs count=$PEER_MBOCHS_MIB"
	} >>"$results/env.txt"
	if [ -n "$peers" ]; then
		check "insmod mtty.ko and mbochs.ko count=$PEER_MBOCHS_MIB from $peers" peers_load
	else
		note "no mtty.ko/mbochs.ko (no --peers): bench_peers measures ours alone"
	fi
	check "bench_peers: ours beside mtty and mbochs" run_peers
	[ ${#peers_loaded[@]} = 0 ] || check "rmmod mbochs mtty" peers_unload
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
if [ "$sched_on" = 1 ] && [ "$failed" = 0 ]; then
	sched_section
fi
if [ "$peers_on" = 1 ] && [ "$failed" = 0 ]; then
	peers_section
fi
check "release the PCI function" sim_pci_release
check "rmmod nvkm_vgpu_sim nvkm_vgpu" rmmod nvkm_vgpu_sim nvkm_vgpu
loaded=0
finish
