#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/mdevctl.sh MODULE_DIR   (inside the test VM, as root)
#
# Drives nvkm_vgpu through mdevctl (Debian package mdevctl) as an
# administrator would: loads nvkm_vgpu.ko and nvkm_vgpu_sim.ko (gpus=, no
# GPU of its own) from MODULE_DIR and hands the VM's two spare PCI
# functions to the simulated GPU, 0000:00:10.0 as a "tiny" and
# 0000:00:11.0 as an "h100-80gb" GPU (tests/vm/lib.sh), each the mdev
# parent named by its PCI address. Then checks that `mdevctl types` agrees
# with sysfs, that `mdevctl start/list/stop` create, show and remove
# vGPUs, and that vGPUs made persistent with `mdevctl define --auto` come
# back, through the udev rule mdevctl ships, on their own GPU: when the
# tiny GPU's function is unbound and bound again, and, with one such vGPU
# on each GPU, when the backend is unloaded (rmmod nvkm_vgpu_sim unbinds
# both functions) and loaded again with the GPUs registering in the other
# order (h100 first), as after a reboot. It leaves both functions unbound
# with no driver_override.
#
# The VM's root is the host's, read-only: the script mounts a tmpfs over
# /etc/mdevctl.d, runs its own systemd-udevd (and a busybox syslogd, so the
# rule's logger has somewhere to write), and undoes all of it at the end.
# TAP goes to $NVKM_RESULTS/mdevctl.tap, mdevctl's log to
# $NVKM_RESULTS/mdevctl-syslog.log.
# Exits 1 if a check failed.

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -eq 1 ] || usage
moddir=$1
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
# udevadm refuses trigger/settle in a chroot unless told otherwise.
export SYSTEMD_IGNORE_CHROOT=1
# Seconds to wait for udev to run mdevctl after a GPU comes back (TCG is slow).
wait_s=${NVKM_MDEVCTL_WAIT:-60}

tap=$results/mdevctl.tap
log=$results/mdevctl.log
: >"$tap"
: >"$log"
state=/run/nvkm-mdevctl

# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"

# ---- setup and teardown of the VM-side environment -----------------------

udevd_started=0
syslogd_pid=
mounted_conf=0
loaded=0
uuids=()

start_syslogd() {
	command -v busybox >/dev/null || return 0
	[ -e /dev/log ] && return 0
	busybox syslogd -n -O "$results/mdevctl-syslog.log" </dev/null >/dev/null 2>&1 &
	syslogd_pid=$!
}

# A tmpfs copy of /etc/mdevctl.d with its scripts.d (mdevctl refuses to run
# without scripts.d/callouts and scripts.d/notifiers) and no definitions.
mount_conf() {
	mkdir -p "$state/etc-mdevctl.d/scripts.d/callouts" \
		"$state/etc-mdevctl.d/scripts.d/notifiers"
	if [ -d /etc/mdevctl.d/scripts.d ]; then
		cp -a /etc/mdevctl.d/scripts.d/. "$state/etc-mdevctl.d/scripts.d/"
	fi
	mkdir -p /etc/mdevctl.d 2>/dev/null || true
	mount -t tmpfs -o mode=755 tmpfs /etc/mdevctl.d &&
		cp -a "$state/etc-mdevctl.d/." /etc/mdevctl.d/ &&
		mounted_conf=1
}

start_udevd() {
	# The socket outlives a udevd told to exit (an earlier test's): ask.
	if udevadm control --ping -t 2 2>/dev/null; then
		echo "mdevctl: a udevd is already running; using it"
		return 0
	fi
	/lib/systemd/systemd-udevd --daemon </dev/null >>"$results/udevd.log" 2>&1 || return 1
	udevd_started=1
	udevadm settle --timeout=60
}

mdevs() {
	find /sys/bus/mdev/devices -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null
}

cleanup() {
	local u
	set +e
	for u in "${uuids[@]}"; do
		mdevctl stop -u "$u" >/dev/null 2>&1
		mdevctl undefine -u "$u" >/dev/null 2>&1
		[ -e "/sys/bus/mdev/devices/$u/remove" ] && echo 1 >"/sys/bus/mdev/devices/$u/remove"
	done
	uuids=()
	# Unbinds the functions if the backend still has them; clears their
	# driver_override either way, so no later load binds them by itself.
	sim_pci_release >/dev/null 2>&1
	unload_modules
	if [ "$udevd_started" = 1 ]; then
		udevd_exit
		udevd_started=0
	fi
	remove_rule
	if [ -n "$syslogd_pid" ]; then
		kill "$syslogd_pid" 2>/dev/null
		wait "$syslogd_pid" 2>/dev/null
		syslogd_pid=
	fi
	if [ "$mounted_conf" = 1 ]; then
		umount /etc/mdevctl.d && mounted_conf=0
	fi
	rm -rf "$state"
}
trap cleanup EXIT


# ---- what the checks look at ---------------------------------------------

# "parent type available device_api name" for every type, from sysfs
# (read, not cat: a fork costs tens of ms under TCG).
sysfs_types() {
	local t p avail api name
	for t in /sys/class/mdev_bus/*/mdev_supported_types/*; do
		[ -e "$t" ] || continue
		p=${t%/mdev_supported_types/*}
		read -r avail <"$t/available_instances"
		read -r api <"$t/device_api"
		read -r name <"$t/name"
		echo "${p##*/} ${t##*/} $avail $api $name"
	done | sort
}

# The same, from `mdevctl types`.
mdevctl_types() {
	mdevctl types | awk '
		function flush() { if (type != "") print parent, type, avail, api, name; type = "" }
		/^[^ ]/ { flush(); parent = $1 }
		/^  [^ ]/ { flush(); type = $1; avail = api = name = "" }
		/^    Available instances:/ { avail = $3 }
		/^    Device API:/ { api = $3 }
		/^    Name:/ { sub(/^    Name: /, ""); name = $0 }
		END { flush() }' | sort
}

types_agree() {
	local a b
	a=$(sysfs_types)
	b=$(mdevctl_types)
	if [ "$a" != "$b" ]; then
		echo "mdevctl: sysfs and mdevctl types differ:"
		echo "$a" >"$state/types.sysfs"
		echo "$b" >"$state/types.mdevctl"
		# (no process substitution: the VM's /dev has no /dev/fd)
		diff "$state/types.sysfs" "$state/types.mdevctl" | sed 's/^/mdevctl:   /'
		return 1
	fi
	[ -n "$a" ]
}

# mdevctl_avail PARENT TYPE: available instances as mdevctl types shows them.
mdevctl_avail() {
	mdevctl_types | awk -v p="$1" -v t="$2" '$1 == p && $2 == t { print $3 }'
}

sysfs_avail() {
	local v
	read -r v <"/sys/class/mdev_bus/$1/mdev_supported_types/$2/available_instances"
	echo "$v"
}

# is_vgpu UUID PARENT TYPE: the mdev exists, on PARENT, of TYPE.
is_vgpu() {
	local d=/sys/bus/mdev/devices/$1 t p
	[ -d "$d" ] || { echo "mdevctl: $1 does not exist"; return 1; }
	t=$(basename "$(readlink -f "$d/mdev_type")")
	p=$(basename "$(readlink -f "$d/..")")
	if [ "$t" != "$3" ] || [ "$p" != "$2" ] || [ "$(cat "$d/nvkm_vgpu/type")" != "${3#nvkm_vgpu_sim-}" ]; then
		echo "mdevctl: $1 is $t on $p, not $3 on $2"
		return 1
	fi
}

no_vgpu() {
	[ ! -e "/sys/bus/mdev/devices/$1" ]
}

# listed ARGS... -- LINE: `mdevctl list ARGS` has LINE.
listed() {
	local args=()
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	# grep without -q: it reads everything, so no SIGPIPE with pipefail.
	mdevctl list "${args[@]}" | grep -xF "$*" >/dev/null
}

not_listed() {
	! mdevctl list | grep -F "$1" >/dev/null
}

# wait_for COMMAND...: polls COMMAND for up to $wait_s seconds.
wait_for() {
	local i
	for ((i = 0; i < wait_s * 2; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	"$@"
}

gone() {
	[ ! -e "/sys/class/mdev_bus/$1" ]
}

defined_on() {
	[ -f "/etc/mdevctl.d/$1/$2" ]
}

modules_unloaded() {
	rmmod nvkm_vgpu_sim && rmmod nvkm_vgpu && loaded=0
}

# ---- the test --------------------------------------------------------------

echo "mdevctl: $(mdevctl --version 2>&1 | head -n1), $(uname -r)"
check "mdevctl is installed" command -v mdevctl
check "modprobe mdev vfio" modprobe -a mdev vfio
modprobe vfio_iommu_type1 || echo "mdevctl: vfio_iommu_type1 did not load"
check "tmpfs over /etc/mdevctl.d" mount_conf
start_syslogd
check "mdevctl's udev rule is installed (fixed in /run if it runs a missing program)" install_rule
case "$rule_runs" in
*override*) note "the packaged rule runs a missing program; using $rule_runs from /run/udev/rules.d" ;;
esac
check "systemd-udevd runs" start_udevd
if [ $failed != 0 ]; then
	finish
fi
tiny=$SIM_PCI_TINY
h100=$SIM_PCI_H100
check "PCI functions $tiny and $h100 are there, with no driver and no driver_override" \
	eval "unbound $tiny && unbound $h100"
if [ $failed != 0 ]; then
	finish
fi
loaded=1
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko" insmod "$moddir/nvkm_vgpu.ko"
check "insmod nvkm_vgpu_sim.ko gpus= (no GPU of its own)" \
	insmod "$moddir/nvkm_vgpu_sim.ko" gpus=
check "PCI $tiny binds to nvkm_vgpu_sim as a tiny GPU" sim_pci_bind "$tiny" tiny
check "PCI $h100 binds to nvkm_vgpu_sim as an h100-80gb GPU" sim_pci_bind "$h100" h100-80gb
udevadm settle --timeout=60 || true
check "the tiny GPU's mdev parent is its PCI function $tiny" pci_mdev_parent "$tiny" tiny
check "the h100 GPU's mdev parent is its PCI function $h100" pci_mdev_parent "$h100" h100
if [ $failed != 0 ]; then
	finish
fi
run mdevctl types -p "$tiny" >/dev/null
check "mdevctl types lists every type of both GPUs as sysfs does (instances, API, name)" types_agree
check "mdevctl types: $tiny nvkm_vgpu_sim-tiny-1c has 4 available" \
	test "$(mdevctl_avail "$tiny" nvkm_vgpu_sim-tiny-1c)" = 4
check "mdevctl types: $h100 nvkm_vgpu_sim-h100-10c has 8 available" \
	test "$(mdevctl_avail "$h100" nvkm_vgpu_sim-h100-10c)" = 8

u1=$(cat /proc/sys/kernel/random/uuid)
u2=$(cat /proc/sys/kernel/random/uuid)
u3=$(cat /proc/sys/kernel/random/uuid)
u4=$(cat /proc/sys/kernel/random/uuid)
uuids=("$u1" "$u2" "$u3" "$u4")

# start / list / stop
check "mdevctl start -p $tiny -t nvkm_vgpu_sim-tiny-1c -u $u1" \
	run mdevctl start -p "$tiny" -t nvkm_vgpu_sim-tiny-1c -u "$u1"
check "the vGPU is in /sys/bus/mdev/devices, on $tiny, of type tiny-1c" \
	is_vgpu "$u1" "$tiny" nvkm_vgpu_sim-tiny-1c
check "mdevctl list shows it, started manually" \
	listed -- "$u1 $tiny nvkm_vgpu_sim-tiny-1c manual"
check "mdevctl types and sysfs agree with one vGPU (tiny-1c: 3 left, others 0)" types_agree
check "mdevctl types: tiny-1c 3 available" test "$(mdevctl_avail "$tiny" nvkm_vgpu_sim-tiny-1c)" = 3
check "mdevctl types: tiny-2c 0 available (equal placement)" \
	test "$(mdevctl_avail "$tiny" nvkm_vgpu_sim-tiny-2c)" = 0
check "mdevctl start -p $h100 -t nvkm_vgpu_sim-h100-10c -u $u2" \
	run mdevctl start -p "$h100" -t nvkm_vgpu_sim-h100-10c -u "$u2"
check "the h100 vGPU exists" is_vgpu "$u2" "$h100" nvkm_vgpu_sim-h100-10c
check "mdevctl list shows both" eval \
	"listed -- '$u1 $tiny nvkm_vgpu_sim-tiny-1c manual' && listed -- '$u2 $h100 nvkm_vgpu_sim-h100-10c manual'"
check "mdevctl start of a type with no instance left fails" \
	eval "! run mdevctl start -p '$tiny' -t nvkm_vgpu_sim-tiny-4c -u '$u3'"
check "... and leaves nothing behind" no_vgpu "$u3"
check "mdevctl stop -u $u1" run mdevctl stop -u "$u1"
check "the vGPU is gone from /sys/bus/mdev/devices" no_vgpu "$u1"
check "mdevctl list no longer shows it" not_listed "$u1"
check "mdevctl stop -u $u2" run mdevctl stop -u "$u2"
check "tiny-1c is back to 4 available, as in sysfs" \
	eval "[ \"\$(mdevctl_avail $tiny nvkm_vgpu_sim-tiny-1c)\" = 4 ] && [ \"\$(sysfs_avail $tiny nvkm_vgpu_sim-tiny-1c)\" = 4 ]"

# define --auto: the vGPU follows its GPU when the GPU's function is
# unbound and bound again.
check "mdevctl define --auto -p $tiny -t nvkm_vgpu_sim-tiny-1c -u $u3" \
	run mdevctl define --auto -p "$tiny" -t nvkm_vgpu_sim-tiny-1c -u "$u3"
check "its definition is /etc/mdevctl.d/$tiny/$u3" defined_on "$tiny" "$u3"
check "mdevctl list --defined shows it, auto" \
	listed --defined -- "$u3 $tiny nvkm_vgpu_sim-tiny-1c auto"
check "define does not start it" no_vgpu "$u3"
check "mdevctl start -u $u3 starts the defined vGPU" run mdevctl start -u "$u3"
check "it exists" is_vgpu "$u3" "$tiny" nvkm_vgpu_sim-tiny-1c
check "mdevctl list shows it active and defined" \
	listed -- "$u3 $tiny nvkm_vgpu_sim-tiny-1c auto (defined)"
check "unbinding PCI $tiny removes the tiny GPU and its vGPU" \
	eval "sim_pci_unbind $tiny && gone $tiny && no_vgpu $u3 && unbound $tiny"
check "the h100 GPU stays" pci_mdev_parent "$h100" h100
check "the definition survives" defined_on "$tiny" "$u3"
# The mdev core keeps a removed mdev's UUID taken until its device is
# released, which the debug kernel (DEBUG_KOBJECT_RELEASE) delays by up to
# 4 s; udev's one start of the auto vGPU must not come before that.
sleep 5
check "PCI $tiny binds again as a tiny GPU" sim_pci_bind "$tiny" tiny
udevadm settle --timeout=60 || true
check "its mdev parent is $tiny again" pci_mdev_parent "$tiny" tiny
check "udev + mdevctl start the auto vGPU on it again" \
	wait_for is_vgpu "$u3" "$tiny" nvkm_vgpu_sim-tiny-1c
check "mdevctl list shows it again" listed -- "$u3 $tiny nvkm_vgpu_sim-tiny-1c auto (defined)"
check "available instances still agree after the round trip" types_agree

# As across a reboot: an auto vGPU on each GPU, the backend unloaded and
# loaded again, the GPUs registering in the other order. A parent is named
# by its PCI address, not by registration order, so each definition meets
# its own GPU again.
check "mdevctl define --auto -p $h100 -t nvkm_vgpu_sim-h100-10c -u $u4" \
	run mdevctl define --auto -p "$h100" -t nvkm_vgpu_sim-h100-10c -u "$u4"
check "mdevctl start -u $u4 starts it" run mdevctl start -u "$u4"
check "mdevctl list shows both auto vGPUs active, each on its GPU" eval \
	"listed -- '$u3 $tiny nvkm_vgpu_sim-tiny-1c auto (defined)' &&
	listed -- '$u4 $h100 nvkm_vgpu_sim-h100-10c auto (defined)'"
check "rmmod nvkm_vgpu_sim removes both GPUs and their vGPUs" \
	eval "rmmod nvkm_vgpu_sim && gone $tiny && gone $h100 && no_vgpu $u3 && no_vgpu $u4"
check "the definitions survive" eval "defined_on $tiny $u3 && defined_on $h100 $u4"
# Both functions keep driver_override after the unload; left set, the
# next load would bind both by itself, in bus order, as tiny GPUs.
check "clearing the PCI functions' driver_override" \
	eval "sim_pci_release && unbound $tiny && unbound $h100"
sleep 5	# the removed vGPUs' UUIDs released, as above
check "insmod nvkm_vgpu_sim.ko gpus= again binds no function by itself" \
	eval "insmod $moddir/nvkm_vgpu_sim.ko gpus= && unbound $tiny && unbound $h100"
check "PCI $h100 binds first, as an h100-80gb GPU" sim_pci_bind "$h100" h100-80gb
check "then PCI $tiny, as a tiny GPU" sim_pci_bind "$tiny" tiny
udevadm settle --timeout=60 || true
check "the h100 GPU's mdev parent is $h100 again" pci_mdev_parent "$h100" h100
check "the tiny GPU's mdev parent is $tiny again" pci_mdev_parent "$tiny" tiny
check "udev + mdevctl start the auto h100 vGPU on the h100 GPU" \
	wait_for is_vgpu "$u4" "$h100" nvkm_vgpu_sim-h100-10c
check "udev + mdevctl start the auto tiny vGPU on the tiny GPU" \
	wait_for is_vgpu "$u3" "$tiny" nvkm_vgpu_sim-tiny-1c
check "mdevctl list shows both again, each on its GPU" eval \
	"listed -- '$u3 $tiny nvkm_vgpu_sim-tiny-1c auto (defined)' &&
	listed -- '$u4 $h100 nvkm_vgpu_sim-h100-10c auto (defined)'"
check "mdevctl types and sysfs agree after the reload (tiny-1c: 3 left, h100-10c: 7)" \
	eval "types_agree && [ \"\$(mdevctl_avail $tiny nvkm_vgpu_sim-tiny-1c)\" = 3 ] &&
	[ \"\$(mdevctl_avail $h100 nvkm_vgpu_sim-h100-10c)\" = 7 ]"
# What mdevctl said when udev ran it (nothing, when every start worked).
sleep 1
if grep 'mdevctl' "$results/mdevctl-syslog.log" >"$state/syslog" 2>/dev/null; then
	tail -n 4 "$state/syslog" | sed 's/^/# syslog: /' | tee -a "$tap"
fi

# Teardown, checked.
for u in "${uuids[@]}"; do
	mdevctl stop -u "$u" >/dev/null 2>&1 || true
	mdevctl undefine -u "$u" >/dev/null 2>&1 || true
done
check "mdevctl undefine leaves no definitions" \
	test -z "$(find /etc/mdevctl.d -mindepth 2 -maxdepth 2 -not -path '*/scripts.d/*')"
check "no vGPU is left" test -z "$(mdevctl list; mdevs)"
check "PCI $tiny and $h100 unbound, with no driver_override" \
	eval "sim_pci_release && unbound $tiny && unbound $h100"
check "rmmod nvkm_vgpu_sim nvkm_vgpu" modules_unloaded
udevadm settle --timeout=60 || true
cleanup
check "udevd, syslogd and the tmpfs are gone" \
	eval "[ \$udevd_started = 0 ] && [ \$mounted_conf = 0 ] && ! udevadm control --ping -t 2 2>/dev/null"
finish
