#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/vgpu.sh [--limit SECS] MODULE_DIR BIN_DIR [TEST...]   (inside the test VM, as root)
#
# Loads nvkm_vgpu.ko and nvkm_vgpu_sim.ko from MODULE_DIR and hands the
# VM's two spare PCI functions to the simulated GPU (a "tiny" and an
# "h100-80gb" GPU, each its own mdev parent, tests/vm/lib.sh), runs the VFIO test programs built into
# BIN_DIR by tests/vm/vfio/Makefile, then unloads both modules. Each
# program's TAP goes to $NVKM_RESULTS/<name>.tap (its stderr to <name>.err);
# this script's own checks (loading, sysfs, no vGPU left behind after each
# program, unloading) go to $NVKM_RESULTS/vgpu.tap. A failing program does
# not stop the others. Exits 1 if anything failed. TEST... runs only those
# programs (default: all, in the order below); a TEST may carry arguments
# for its program in the same word ("fuzz --seed 7 --ops 20000"). --limit
# sets the seconds each program may take (default 300).

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

limit=
if [ "${1:-}" = --limit ]; then
	[ $# -ge 2 ] || usage
	limit=$2
	shift 2
fi
[ $# -ge 2 ] || usage
moddir=$1
bin=$2
shift 2
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
tests=(lifecycle config bar0 bar1 scrub irq channel sched reset request badinput
	stress hotplug accept hostile fuzz
	"failnth mdev-create vfio-open bar1-mmap bar1-pwrite reset set-irqs vfio-close mdev-remove gpu-unregister gpu-register")
if [ $# -gt 0 ]; then
	tests=("$@")
fi
# Seconds each program may take before it is killed; the slowest, stress,
# takes about 120 s on the debug kernel under TCG; failnth, which runs each
# path once per fault point it reaches, has longer.
failnth_limit=${limit:-2400}
limit=${limit:-300}

tap=$results/vgpu.tap
: >"$tap"
# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"


mdevs() {
	local d
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d" ] && echo "$d"
	done
	return 0
}

no_mdevs() {
	[ -z "$(mdevs)" ]
}

# Removes whatever a failed program left behind, so the next one starts clean.
remove_leftovers() {
	local dev
	for dev in $(mdevs); do
		echo "vgpu: removing leftover $dev"
		echo 1 >"$dev/remove" || true
	done
}

parents_idle() {
	local p v
	for p in /sys/class/mdev_bus/*; do
		[ -e "$p/nvkm_vgpu" ] || continue
		read -r v <"$p/nvkm_vgpu/vgpus"
		[ "$v" = 0 ] || { echo "vgpu: $p has $v vGPUs"; return 1; }
	done
}

board_present() {
	local b
	for b in /sys/class/mdev_bus/*/nvkm_vgpu/board; do
		[ -e "$b" ] || continue
		read -r b _ <"$b"
		[ "$b" = "$1" ] && return 0
	done
	return 1
}

# Every type directory has the files mdevctl and libvirt read. Builtins
# only: every exec is slow under TCG with a debug kernel.
types_sane() {
	local t api name desc avail ok=0
	for t in /sys/class/mdev_bus/*/mdev_supported_types/*; do
		read -r api <"$t/device_api"
		read -r name <"$t/name"
		read -r desc <"$t/description"
		read -r avail <"$t/available_instances"
		[ "$api" = vfio-pci ] || { echo "vgpu: $t device_api $api"; ok=1; }
		[ -n "$name" ] || { echo "vgpu: $t name"; ok=1; }
		[ -n "$desc" ] || { echo "vgpu: $t description"; ok=1; }
		[ -w "$t/create" ] || { echo "vgpu: $t create"; ok=1; }
		case "$avail" in
		'' | *[!0-9]*) echo "vgpu: $t available_instances $avail"; ok=1 ;;
		esac
	done
	return "$ok"
}

# Runs one program; it passed if it exited 0 and its TAP has a plan and no
# "not ok". Output is echoed and counted with builtins (see types_sane).
run_program() {
	local t=$1 out=$results/$1.tap rc=0 start line oks=0 bad=0 plan=0 lim=$limit
	[ "$t" != failnth ] || lim=$failnth_limit
	if [ ! -x "$bin/$t" ]; then
		check "$t: program $bin/$t exists" false
		return
	fi
	echo "vgpu: running $t"
	start=$SECONDS
	timeout -k 10 "$lim" "$bin/$t" "${@:2}" >"$out" 2>"$results/$t.err" || rc=$?
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"ok "*) oks=$((oks + 1)) ;;
		"not ok "*) bad=$((bad + 1)) ;;
		1..[1-9]*) plan=1 ;;
		esac
	done <"$out"
	while IFS= read -r line; do
		echo "vgpu: $t stderr: $line"
	done <"$results/$t.err"
	check "$t: exit $rc, $oks ok, $bad not ok, $((SECONDS - start)) s" \
		test "$rc" = 0 -a "$bad" = 0 -a "$plan" = 1
	check "$t: no vGPU left behind" no_mdevs
	remove_leftovers
	check "$t: every GPU idle afterwards" parents_idle
}

check "modprobe mdev" modprobe mdev
check "modprobe vfio" modprobe vfio
modprobe vfio_iommu_type1 || echo "vgpu: vfio_iommu_type1 did not load"
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko" insmod "$moddir/nvkm_vgpu.ko"
check "insmod nvkm_vgpu_sim.ko gpus= (no GPU of its own)" \
	insmod "$moddir/nvkm_vgpu_sim.ko" gpus=
check "PCI $SIM_PCI_TINY binds to nvkm_vgpu_sim as a tiny GPU" \
	sim_pci_bind "$SIM_PCI_TINY" tiny
check "PCI $SIM_PCI_H100 binds to nvkm_vgpu_sim as an h100-80gb GPU" \
	sim_pci_bind "$SIM_PCI_H100" h100-80gb
if [ $failed != 0 ]; then
	finish
fi
check "a tiny GPU is registered" board_present tiny
check "an h100 GPU is registered" board_present h100
# The mdev parent is the GPU's PCI function, named by its address, and the
# type directories carry its driver's name.
pci_parent() {
	local p=/sys/class/mdev_bus/$1
	[ "$(readlink -f "$p")" = "$(readlink -f "/sys/bus/pci/devices/$1")" ] &&
		[ -e "$p/mdev_supported_types/nvkm_vgpu_sim-$2-1c/create" ] &&
		[ "$(cat "$p/nvkm_vgpu/board")" = "$2 sim" ] &&
		[ "$(cat "$p/preset")" = "$3" ]
}
check "the tiny GPU's mdev parent is PCI $SIM_PCI_TINY, types nvkm_vgpu_sim-tiny-*" \
	pci_parent "$SIM_PCI_TINY" tiny tiny
check "the h100 GPU's mdev parent is PCI $SIM_PCI_H100, types nvkm_vgpu_sim-h100-*" \
	pci_parent "$SIM_PCI_H100" h100 h100-80gb
check "every mdev type shows vfio-pci, a name, a description, a count" types_sane
check "no vGPU exists at start" no_mdevs

for t in "${tests[@]}"; do
	read -r -a words <<<"$t"
	run_program "${words[@]}"
done

# Unloading the backend removes the vGPUs of its GPUs.
read -r leftover </proc/sys/kernel/random/uuid
tiny=
for b in /sys/class/mdev_bus/*/nvkm_vgpu/board; do
	[ -e "$b" ] || continue
	read -r board _ <"$b"
	if [ "$board" = tiny ]; then
		tiny=${b%/nvkm_vgpu/board}
		break
	fi
done
leave_behind() {
	echo "$leftover" >"$tiny/mdev_supported_types/nvkm_vgpu_sim-tiny-1c/create"
}
check "create a vGPU to leave behind" leave_behind
check "rmmod nvkm_vgpu_sim" rmmod nvkm_vgpu_sim
check "unloading the backend removed the vGPU" \
	test ! -e "/sys/bus/mdev/devices/$leftover"
check "the PCI functions are free again" sim_pci_release
no_gpus() {
	! compgen -G '/sys/class/mdev_bus/*/nvkm_vgpu' >/dev/null
}
check "no GPU is registered" no_gpus
check "rmmod nvkm_vgpu" rmmod nvkm_vgpu
modules_gone() {
	[ ! -d /sys/module/nvkm_vgpu ] && [ ! -d /sys/module/nvkm_vgpu_sim ]
}
check "both modules are gone" modules_gone
finish
