#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/nova.sh MODULE_DIR   (inside the test VM, as root)
#
# Drives nvkm_vgpu through OpenStack Nova's own libvirt driver (Debian's
# python3-nova, Zed) as nova-compute would: a "tiny" and an "h100-80gb"
# simulated GPU, loaded from MODULE_DIR, sit on the VM's spare PCI
# functions; libvirtd runs in the VM; tests/vm/nova_vgpu.py builds Nova's
# LibvirtDriver from a nova.conf this script writes, as an operator would,
# and calls the driver's own methods. Checked: Nova finds the parent and
# its type through libvirt, update_provider_tree() reports a VGPU
# inventory whose total is the type's available_instances in sysfs, and
# _allocate_mdevs() (what spawn() calls for a flavor's resources:VGPU=1)
# creates a vGPU of the right type on the right GPU, reuses an unassigned
# one, fills the GPU to exactly available_instances and then refuses;
# with two types, per-type device_addresses and an mdev_class put each
# type on its own GPU and resource class.
#
# The VM's root is the host's, read-only: as tests/vm/libvirt.sh does, with
# the same helpers (tests/vm/libvirtd.sh), the script puts a tmpfs copy
# over /etc/libvirt, overlays (or, with no overlayfs, empty tmpfs) over
# /var/lib, /var/cache and /var/log, adds the libvirt-qemu user to
# bind-mounted copies of /etc/passwd and /etc/group, runs its own
# systemd-udevd, and undoes all of it at the end. TAP goes to
# $NVKM_RESULTS/nova.tap; Nova's log to nova.log, libvirtd's to
# libvirtd.log there. Exits 1 if a check failed.

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -eq 1 ] || usage
# The VM has no host name ("(none)"), which Nova refuses as the default of
# its [DEFAULT] host option, and its loopback interface is down, which
# Nova's eventlet thread pool needs (it connects a socket pair through
# 127.0.0.1): the test, libvirtd and Nova run in UTS and network
# namespaces of their own, with a host name and a loopback interface, and
# the VM's stay as they were.
if [ "${NVKM_NOVA_NS:-}" != 1 ]; then
	exec env NVKM_NOVA_NS=1 unshare --uts --net /bin/bash "$0" "$@"
fi
hostname nvkm-nova-test
ip link set lo up
moddir=$1
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
here=$(cd "$(dirname "$0")" && pwd)
# udevadm refuses trigger/settle in a chroot unless told otherwise.
export SYSTEMD_IGNORE_CHROOT=1
# Seconds Nova may take to import (half a minute to more than a minute
# under TCG) and to answer one command.
limit=${NVKM_NOVA_TIMEOUT:-600}

tap=$results/nova.tap
log=$results/nova-commands.log
: >"$tap"
: >"$log"
state=/run/nvkm-nova
work=$state/work

# shellcheck source=tests/vm/lib.sh
source "$here/lib.sh"
# shellcheck source=tests/vm/libvirtd.sh
source "$here/libvirtd.sh"

h100_type=nvkm_vgpu_sim-h100-10c
tiny_type=nvkm_vgpu_sim-tiny-1c
# libvirt's node device names of the two GPUs (Nova's names for them).
h100_dev=pci_${SIM_PCI_H100//[:.]/_}
tiny_dev=pci_${SIM_PCI_TINY//[:.]/_}

# ---- setup and teardown of the VM-side environment -----------------------

loaded=0
bound=0

# Everything libvirtd and Nova write, made writable.
prepare_fs() {
	mkdir -p "$work" "$work/instances"
	libvirtd_fs
}

# remove_mdevs: removes every vGPU (Nova never removes the ones it made).
remove_mdevs() {
	local d
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/remove" ] && echo 1 >"$d/remove"
	done
	return 0
}

cleanup() {
	set +e
	nova_stop
	remove_mdevs
	stop_daemons
	if [ "$bound" = 1 ]; then
		sim_pci_release
		bound=0
	fi
	unload_modules
	libvirtd_env_undo
	rm -rf "$state"
}
trap cleanup EXIT


# ---- Nova's driver, one process for the whole test ------------------------

# nova_vgpu.py imports Nova once and then answers one line per command
# (see its docstring); nova_ask sends one and reads the answer.
nova_pid=
nova_in=
nova_out=
answer=

# nova_start: starts it; it imports Nova (a minute or two under TCG) while
# the rest of the environment comes up.
nova_start() {
	mkfifo "$state/nova.in" "$state/nova.out" || return 1
	/usr/bin/python3 "$here/nova_vgpu.py" "$results/nova.log" \
		<"$state/nova.in" >"$state/nova.out" 2>>"$results/nova-stderr.log" &
	nova_pid=$!
	exec {nova_in}>"$state/nova.in" {nova_out}<"$state/nova.out"
}

# nova_ready: it has imported Nova and found what the test calls.
nova_ready() {
	if [ -z "$nova_pid" ] || ! nova_read; then
		return 1
	fi
	[ "${answer%% *}" = ready ] || { echo "nova: $answer"; return 1; }
}

nova_stop() {
	[ -n "$nova_pid" ] || return 0
	# (A write to a FIFO nobody reads would kill this shell.)
	if kill -0 "$nova_pid" 2>/dev/null; then
		{ echo quit >&"$nova_in"; } 2>/dev/null
	fi
	exec {nova_in}>&- {nova_out}<&-
	timeout 60 tail --pid="$nova_pid" -f /dev/null || kill "$nova_pid" 2>/dev/null
	nova_pid=
}

# nova_read: the next answer line into $answer; fails on none in $limit s.
nova_read() {
	answer=
	if ! IFS= read -r -t "$limit" -u "$nova_out" answer; then
		echo "nova: nova_vgpu.py gave no answer in $limit s; stopping it"
		tail -n 5 "$results/nova-stderr.log" 2>/dev/null | sed 's/^/nova:   /'
		# The commands after it then fail at once.
		kill "$nova_pid" 2>/dev/null
		nova_stop
		return 1
	fi
	echo "< $answer" >>"$log"
}

# nova_ask COMMAND...: sends it; $answer is the answer less "ok ". Fails
# (and says why) on an "err" answer.
nova_ask() {
	local t=$SECONDS
	if [ -z "$nova_pid" ] || ! kill -0 "$nova_pid" 2>/dev/null; then
		echo "nova: nova_vgpu.py is not running"
		return 1
	fi
	echo "> $*" >>"$log"
	echo "$*" >&"$nova_in" || return 1
	nova_read || return 1
	echo "nova: $1: $((SECONDS - t)) s: $answer"
	case $answer in
	ok) answer= ;;
	"ok "*) answer=${answer#ok } ;;
	*) return 1 ;;
	esac
}

# ---- what the checks look at ---------------------------------------------

# available ADDR TYPE: the type's available_instances on PCI function ADDR.
available() {
	cat "/sys/bus/pci/devices/$1/mdev_supported_types/$2/available_instances"
}

# has WORD...: every WORD is a word of $answer.
has() {
	local w
	for w in "$@"; do
		grep -qxF -- "$w" <<<"${answer// /$'\n'}" ||
			{ echo "nova: no '$w' in '$answer'"; return 1; }
	done
}

# answer_is WORD...: $answer is exactly these words, in any order.
answer_is() {
	local got want
	got=$(tr ' ' '\n' <<<"$answer" | grep -v '^$' | sort)
	want=$(printf '%s\n' "$@" | sort)
	[ "$got" = "$want" ] || { echo "nova: answer '$answer', expected '$*'"; return 1; }
}

# vgpu_is UUID ADDR TYPE: a vGPU UUID exists in sysfs, of mdev type TYPE,
# on PCI function ADDR.
vgpu_is() {
	local d=/sys/bus/mdev/devices/$1 t p
	[ -d "$d" ] || { echo "nova: no vGPU $1 in /sys/bus/mdev/devices"; return 1; }
	t=$(basename "$(readlink -f "$d/mdev_type")")
	p=$(basename "$(dirname "$(readlink -f "$d")")")
	[ "$t" = "$3" ] || { echo "nova: vGPU $1 is of type $t, not $3"; return 1; }
	[ "$p" = "$2" ] || { echo "nova: vGPU $1 is on $p, not $2"; return 1; }
	[ "$(cat "$d/nvkm_vgpu/type")" = "${3#nvkm_vgpu_sim-}" ]
}

# mdev_count: how many vGPUs exist.
mdev_count() {
	find /sys/bus/mdev/devices -mindepth 1 -maxdepth 1 | wc -l
}

# is_uuid WORD
is_uuid() {
	[[ $1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
}

# nova_sees UUID: Nova lists the vGPU (libvirt's node device for it appears
# once udev has told libvirtd; polled for up to 30 s).
nova_sees() {
	local i
	for ((i = 0; i < 30; i++)); do
		nova_ask mdevs >/dev/null && grep -q "$1/" <<<"$answer" && return 0
		sleep 1
	done
	nova_ask mdevs
	has "$1/$2/$3"
}

# nova_lists N: Nova lists N vGPUs of its types (libvirt's node devices
# follow udev's events, some seconds behind sysfs; polled for up to 60 s).
nova_lists() {
	local i
	for ((i = 0; i < 60; i++)); do
		nova_ask mdevs >/dev/null && [ "$(wc -w <<<"$answer")" = "$1" ] && return 0
		sleep 1
	done
	echo "nova: Nova lists $(wc -w <<<"$answer") vGPUs, not $1: $answer"
	return 1
}

# nova_conf FILE SPEC...: the nova.conf an operator writes for those mdev
# types, each SPEC a TYPE, or TYPE@DEVICE_ADDRESS[@MDEV_CLASS] for a
# [mdev_TYPE] group (which Nova needs for each type when there are two or
# more).
nova_conf() {
	local f=$1 spec type addr class types=
	shift
	for spec in "$@"; do
		types+=${types:+, }${spec%%@*}
	done
	{
		echo "[DEFAULT]"
		echo "state_path = $work"
		echo "instances_path = $work/instances"
		echo
		echo "[libvirt]"
		echo "virt_type = qemu"
		echo "connection_uri = qemu:///system"
		echo
		echo "[devices]"
		echo "enabled_mdev_types = $types"
		for spec in "$@"; do
			[[ $spec == *@* ]] || continue
			IFS=@ read -r type addr class <<<"$spec"
			echo
			echo "[mdev_$type]"
			echo "device_addresses = $addr"
			[ -z "$class" ] || echo "mdev_class = $class"
		done
	} >"$f"
	sed 's/^/# nova.conf: /' "$f" >>"$log"
}

# ---- the test --------------------------------------------------------------

echo "nova: $(dpkg-query -W -f='${Package} ${Version}, ' python3-nova python3-libvirt libvirt-daemon 2>&1)$(uname -r)"
check "python3-nova and python3-libvirt are installed, and libvirtd" \
	eval "dpkg-query -W python3-nova python3-libvirt >/dev/null && command -v libvirtd virsh >/dev/null"
check "the host's root is writable where libvirt and Nova need it (tmpfs, overlays)" prepare_fs
if [ $failed != 0 ]; then
	finish
fi
nova_start || echo "nova: cannot start nova_vgpu.py"

check "modprobe mdev vfio" modprobe -a mdev vfio
modprobe vfio_iommu_type1 || echo "nova: vfio_iommu_type1 did not load"
loaded=1
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko, nvkm_vgpu_sim.ko gpus= (no GPU of its own)" \
	eval "insmod '$moddir/nvkm_vgpu.ko' && insmod '$moddir/nvkm_vgpu_sim.ko' gpus="
bound=1
check "$SIM_PCI_TINY is a tiny and $SIM_PCI_H100 an h100-80gb simulated GPU" sim_pci_gpus
check "systemd-udevd runs and has seen every device" start_udevd
check "libvirtd starts" start_daemon libvirtd
check "libvirtd answers on qemu:///system" libvirtd_up
if [ $failed != 0 ]; then
	finish
fi

n_h100=$(available "$SIM_PCI_H100" "$h100_type")
n_tiny=$(available "$SIM_PCI_TINY" "$tiny_type")
note "sysfs available_instances: $h100_type $n_h100 on $SIM_PCI_H100, $tiny_type $n_tiny on $SIM_PCI_TINY"

# One type: [devices] enabled_mdev_types alone.
nova_conf "$work/one-type.conf" "$h100_type"
t=$SECONDS
check "Nova's libvirt driver loads (python3-nova, Zed)" nova_ready
note "Nova $(cut -d' ' -f2 <<<"$answer"): importing it took $(cut -d' ' -f3 <<<"$answer") s, $((SECONDS - t)) s of them after libvirtd had started"
if [ $failed != 0 ]; then
	finish
fi
t=$SECONDS
check "LibvirtDriver with enabled_mdev_types = $h100_type" \
	eval "nova_ask driver '$work/one-type.conf' && [ \"\${answer#* }\" = '$h100_type' ]"
note "LibvirtDriver built in $((SECONDS - t)) s"

check "Nova finds one mdev-capable device for it: $h100_dev, available instances $n_h100" \
	eval "nova_ask capable && answer_is '$h100_dev/$h100_type=$n_h100'"
t=$SECONDS
check "update_provider_tree: a child provider $h100_dev with VGPU total $n_h100, max_unit $n_h100" \
	eval "nova_ask inventory && has '$h100_dev/VGPU=$n_h100/$n_h100'"
note "update_provider_tree took $((SECONDS - t)) s"
check "... and no VGPU anywhere else (root, the tiny GPU)" \
	eval "[ \$(grep -o '/VGPU=' <<<\"\$answer\" | wc -l) = 1 ]"

check "_allocate_mdevs(VGPU: 1 on $h100_dev) creates one vGPU" \
	eval "nova_ask allocate '$h100_dev' VGPU 1 && is_uuid \"\$answer\""
u1=$answer
check "... $u1 is an $h100_type vGPU on $SIM_PCI_H100 in sysfs" vgpu_is "$u1" "$SIM_PCI_H100" "$h100_type"
check "... available_instances is $((n_h100 - 1)) now" \
	eval "[ \"\$(available '$SIM_PCI_H100' '$h100_type')\" = $((n_h100 - 1)) ]"
check "Nova sees it through libvirt: parent $h100_dev, type $h100_type" \
	nova_sees "$u1" "$h100_dev" "$h100_type"
check "update_provider_tree: VGPU total still $n_h100 ($((n_h100 - 1)) to create, 1 created and free)" \
	eval "nova_ask inventory && has '$h100_dev/VGPU=$n_h100/$n_h100'"
check "_allocate_mdevs(VGPU: 1) again takes that unassigned vGPU, creates none" \
	eval "nova_ask allocate '$h100_dev' VGPU 1 && [ \"\$answer\" = '$u1' ] && [ \$(mdev_count) = 1 ]"

# Fill the GPU: one free vGPU and n_h100 - 1 to create; one more fails.
check "_allocate_mdevs(VGPU: $((n_h100 + 1))) fails: ComputeResourcesUnavailable" \
	eval "! nova_ask allocate '$h100_dev' VGPU $((n_h100 + 1)) && grep -q '^err ComputeResourcesUnavailable' <<<\"\$answer\""
check "... having made exactly available_instances vGPUs: $n_h100, none left" \
	eval "[ \$(mdev_count) = $n_h100 ] && [ \"\$(available '$SIM_PCI_H100' '$h100_type')\" = 0 ]"
all_h100() {
	local d
	for d in /sys/bus/mdev/devices/*; do
		vgpu_is "${d##*/}" "$SIM_PCI_H100" "$h100_type" || return 1
	done
}
check "... all of them $h100_type on $SIM_PCI_H100" all_h100
check "Nova lists the $n_h100 through libvirt" nova_lists "$n_h100"
check "update_provider_tree on a full GPU: VGPU total still $n_h100" \
	eval "nova_ask inventory && has '$h100_dev/VGPU=$n_h100/$n_h100'"
check "the vGPUs removed through sysfs" eval "remove_mdevs && [ \$(mdev_count) = 0 ]"
check "... and gone from Nova's view" nova_lists 0

# Two types: a [mdev_<type>] group each, with device_addresses, and for the
# tiny GPU a resource class of its own.
nova_conf "$work/two-types.conf" "$h100_type@$SIM_PCI_H100" \
	"$tiny_type@$SIM_PCI_TINY@CUSTOM_NVKM_TINY"
check "LibvirtDriver with two types, device_addresses and mdev_class" \
	eval "nova_ask driver '$work/two-types.conf' && [ \"\${answer#* }\" = '$h100_type $tiny_type' ]"
check "Nova finds both devices, each with its own type" \
	eval "nova_ask capable && answer_is '$h100_dev/$h100_type=$n_h100' '$tiny_dev/$tiny_type=$n_tiny'"
check "update_provider_tree: VGPU $n_h100 on $h100_dev, CUSTOM_NVKM_TINY $n_tiny on $tiny_dev" \
	eval "nova_ask inventory && has '$h100_dev/VGPU=$n_h100/$n_h100' '$tiny_dev/CUSTOM_NVKM_TINY=$n_tiny/$n_tiny'"
check "_allocate_mdevs(CUSTOM_NVKM_TINY: 1 on $tiny_dev) creates one vGPU" \
	eval "nova_ask allocate '$tiny_dev' CUSTOM_NVKM_TINY 1 && is_uuid \"\$answer\""
u2=$answer
check "... $u2 is a $tiny_type vGPU on $SIM_PCI_TINY in sysfs" vgpu_is "$u2" "$SIM_PCI_TINY" "$tiny_type"
check "_allocate_mdevs(VGPU: 1 on $h100_dev) creates an $h100_type vGPU there" \
	eval "nova_ask allocate '$h100_dev' VGPU 1 && vgpu_is \"\$answer\" '$SIM_PCI_H100' '$h100_type'"

# Teardown, checked.
nova_stop
check "the vGPUs removed through sysfs" eval "remove_mdevs && [ \$(mdev_count) = 0 ]"
daemons=("${pids[@]}")
stop_daemons
check "libvirtd stops" gone_pids "${daemons[@]}"
check "the PCI functions released, their driver_override cleared" \
	eval "sim_pci_release && bound=0 && unbound $SIM_PCI_TINY && unbound $SIM_PCI_H100"
check "rmmod nvkm_vgpu_sim nvkm_vgpu" eval "rmmod nvkm_vgpu_sim && rmmod nvkm_vgpu && loaded=0"
udevadm settle --timeout=60 || true
cleanup
check "udevd, the tmpfs copies and the overlays are gone" \
	eval "[ \${#mounts[@]} = 0 ] && ! udevadm control --ping -t 2 2>/dev/null && ! grep -q ' /etc/libvirt ' /proc/mounts"
finish
