#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/libvirt.sh MODULE_DIR GUEST_BIN_DIR   (inside the test VM, as root)
#
# Drives nvkm_vgpu through libvirt (Debian packages libvirt-daemon,
# libvirt-clients, mdevctl) as an administrator would. Checks that
# virt-xml-validate accepts what scripts/libvirt-xml.sh prints, then runs
# udevd, virtlogd and libvirtd inside the VM, loads nvkm_vgpu.ko and
# nvkm_vgpu_sim.ko (no GPU of its own) from MODULE_DIR and hands the VM's
# spare PCI functions to the simulator (tests/vm/lib.sh, sim_pci_bind): a
# "tiny" GPU on 0000:00:10.0 and an "h100-80gb" on 0000:00:11.0, each its
# own mdev parent, named by its PCI address. Then checks, with libvirtd
# watching:
#   - `virsh nodedev-list --cap mdev_types` lists exactly the two PCI
#     functions (pci_0000_00_10_0, pci_0000_00_11_0), from the moment they
#     are bound until they are unbound;
#   - `virsh nodedev-dumpxml` of each shows every type sysfs has, with the
#     same name, device API and available instances, also after a vGPU
#     took some;
#   - `virsh nodedev-create` (libvirt-xml.sh --nodedev) makes a vGPU of the
#     type asked on the parent asked, and `nodedev-destroy` removes it; a
#     vGPU made through sysfs shows up as a node device too;
#   - `nodedev-define`, `nodedev-start`, `nodedev-autostart` keep one
#     through mdevctl (its definition, "auto"), and the vGPU comes back by
#     itself (udev runs mdevctl's rule) when its GPU is unbound and bound
#     again; `nodedev-undefine` forgets it;
#   - a domain (libvirt-xml.sh --domain, TCG) with the vGPU as
#     <hostdev type='mdev'> boots the nested guest's kernel and initramfs
#     from GUEST_BIN_DIR (tests/vm/guest/build.sh) directly: QEMU holds the
#     vGPU's VFIO group, nobody else can open it, and the guest's console
#     line (vgpu-guest) says it found an NVIDIA function with the vGPU's
#     framebuffer and used it; after `virsh destroy` the group is free,
#     GUEST_BIN_DIR/vgpu-peek opens the vGPU, and its framebuffer holds
#     nothing of the guest's.
#
# The VM's root is the host's, read-only: the script puts tmpfs copies over
# /etc/libvirt and /etc/mdevctl.d, overlays (or, with no overlayfs, empty
# tmpfs) over /var/lib, /var/cache and /var/log, adds the libvirt-qemu user
# (which Debian's libvirt-daemon-system would create) to bind-mounted
# copies of /etc/passwd and /etc/group, adds the /dev/stdin and /dev/fd
# links systemd makes at boot (libvirt hands mdevctl JSON on /dev/stdin),
# fixes mdevctl's udev rule in /run/udev/rules.d when it runs a missing
# program, runs its own systemd-udevd, and undoes all of it at the end,
# the PCI functions' driver_override included. TAP goes to $NVKM_RESULTS/libvirt.tap;
# libvirtd's warnings and errors to libvirtd.log there, the domain's
# console and QEMU log to domain.console and domain.qemu.log.
# Exits 1 if a check failed.

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -eq 2 ] || usage
moddir=$1
guest_bin=$2
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
top=$(cd "$(dirname "$0")/../.." && pwd)
xml=$top/scripts/libvirt-xml.sh
# udevadm refuses trigger/settle in a chroot unless told otherwise.
export SYSTEMD_IGNORE_CHROOT=1
# Seconds a virsh command may take (TCG is slow; a domain start is ~15 s).
limit=${NVKM_LIBVIRT_TIMEOUT:-180}
# Seconds the domain's guest may take to print its line (TCG inside TCG).
guest_wait=${NVKM_LIBVIRT_GUEST_WAIT:-600}

tap=$results/libvirt.tap
log=$results/libvirt.log
: >"$tap"
: >"$log"
state=/run/nvkm-libvirt
work=$state/work

# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/vm/libvirtd.sh
source "$(dirname "$0")/libvirtd.sh"
# shellcheck source=tests/vm/splat.sh
source "$(dirname "$0")/splat.sh"

# virsh_exec ARGS...: one virsh process for one command.
virsh_exec() {
	timeout -k 10 "$limit" /usr/bin/virsh -c qemu:///system "$@"
}

# Starting virsh (a few dozen shared libraries) costs seconds under TCG with
# the debug kernel, so once libvirtd answers, the commands go through one
# interactive virsh (virsh_shell_start) on two FIFOs. Its readline echoes
# each command ("virsh # ..."), and its echo command ends without a
# newline, so each command is followed by "echo NVKM-END@": the '@' comes
# twice, in the echoed line and in the output, and reading up to each in
# turn takes exactly that command's share of the output.
vsh_pid=
vsh_in=
vsh_out=

virsh_shell_start() {
	mkfifo "$state/vsh.in" "$state/vsh.out" || return 1
	/usr/bin/virsh -c qemu:///system <"$state/vsh.in" >"$state/vsh.out" 2>&1 &
	vsh_pid=$!
	exec {vsh_in}>"$state/vsh.in" {vsh_out}<"$state/vsh.out"
	# The welcome banner, then a command that must answer.
	virsh echo >/dev/null && virsh uri | grep -x 'qemu:///system' >/dev/null
}

virsh_shell_stop() {
	[ -n "$vsh_pid" ] || return 0
	{ echo quit >&"$vsh_in"; } 2>/dev/null
	exec {vsh_in}>&- {vsh_out}<&-
	timeout 30 tail --pid="$vsh_pid" -f /dev/null || kill "$vsh_pid" 2>/dev/null
	vsh_pid=
}

# virsh ARGS...: the command through the shell when it runs (else its own
# virsh); its output on stdout, virsh's "error: " lines on stderr. Fails
# when virsh printed an error, or answered nothing within $limit seconds.
virsh() {
	local a cmd="" share tail line rc=0
	[ -n "$vsh_pid" ] || { virsh_exec "$@"; return; }
	# (A write to a FIFO nobody reads would kill this shell.)
	kill -0 "$vsh_pid" 2>/dev/null || { echo "libvirt: virsh's shell has exited" >&2; return 1; }
	for a in "$@"; do
		case $a in
		*"'"* | *@*) echo "libvirt: cannot pass $a to virsh's shell" >&2; return 2 ;;
		esac
		cmd+=" '$a'"
	done
	printf '%s\n%s\n' "${cmd# }" "echo NVKM-END@" >&"$vsh_in" || return 1
	if ! IFS= read -r -d @ -t "$limit" -u "$vsh_out" share ||
	   ! IFS= read -r -d @ -t "$limit" -u "$vsh_out" tail; then
		echo "libvirt: virsh gave no answer in $limit s to: $*" >&2
		return 124
	fi
	if [ "$tail" != $'\nNVKM-END' ]; then
		echo "libvirt: virsh's shell is out of step after: $*" >&2
		return 1
	fi
	share=${share%virsh # echo NVKM-END}
	while IFS= read -r line; do
		case $line in
		"virsh # "*) ;;
		"error: "*) echo "$line" >&2; rc=1 ;;
		*) echo "$line" ;;
		esac
	done <<<"$share"
	return "$rc"
}

# ---- setup and teardown of the VM-side environment -----------------------

loaded=0
domain=
uuids=()

# /dev/stdin and its kin, which systemd makes at boot and the VM's
# devtmpfs lacks: libvirt hands mdevctl a vGPU's JSON as
# `--jsonfile /dev/stdin`.
dev_links() {
	dev_link fd /proc/self/fd && dev_link stdin /proc/self/fd/0 &&
		dev_link stdout /proc/self/fd/1 && dev_link stderr /proc/self/fd/2 &&
		[ -r /dev/stdin ]
}

# Everything libvirtd and mdevctl write, made writable.
prepare_fs() {
	mkdir -p "$work"
	dev_links && libvirtd_fs || return 1
	# QEMU in libvirt's private /dev namespace cannot open /dev/vfio/<group>
	# here (the daemon runs chrooted); no namespace then.
	echo 'namespaces = [ ]' >>/etc/libvirt/qemu.conf
	mkdir -p "$state/etc-mdevctl.d/scripts.d/callouts" "$state/etc-mdevctl.d/scripts.d/notifiers"
	[ -d /etc/mdevctl.d/scripts.d ] && cp -a /etc/mdevctl.d/scripts.d/. "$state/etc-mdevctl.d/scripts.d/"
	mount_over /etc/mdevctl.d --bind "$state/etc-mdevctl.d"
}

cleanup() {
	local u
	set +e
	if [ -n "$domain" ]; then
		virsh destroy "$domain" >/dev/null 2>&1
		virsh undefine "$domain" >/dev/null 2>&1
		domain=
	fi
	virsh_shell_stop
	for u in "${uuids[@]}"; do
		mdevctl stop -u "$u" >/dev/null 2>&1
		mdevctl undefine -u "$u" >/dev/null 2>&1
		[ -e "/sys/bus/mdev/devices/$u/remove" ] && echo 1 >"/sys/bus/mdev/devices/$u/remove"
	done
	uuids=()
	stop_daemons
	sim_pci_release >/dev/null 2>&1
	unload_modules
	libvirtd_env_undo
	rm -rf "$state"
}
trap cleanup EXIT


# ---- what the checks look at ---------------------------------------------

# validates FILE [TYPE]: virt-xml-validate accepts it.
validates() {
	run virt-xml-validate "$@"
}

rejects() {
	! virt-xml-validate "$@" >/dev/null 2>&1
}

# nodedev_name ADDR: libvirt's name for PCI function ADDR (pci_DDDD_BB_SS_F).
nodedev_name() {
	local a=${1//:/_}
	echo "pci_${a//./_}"
}

# nodedev_of UUID: libvirt's name for the mdev (mdev_<uuid>_<parent>).
nodedev_of() {
	virsh nodedev-list --all --cap mdev 2>/dev/null | grep "^mdev_${1//-/_}" | head -n1
}

has_nodedev() {
	[ -n "$(nodedev_of "$1")" ]
}

no_nodedev() {
	[ -z "$(nodedev_of "$1")" ]
}

# wait_for COMMAND...: polls COMMAND for up to 30 seconds.
wait_for() {
	local i
	for ((i = 0; i < 60; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	"$@"
}

is_mdev() {
	[ -d "/sys/bus/mdev/devices/$1" ]
}

no_mdev() {
	[ ! -e "/sys/bus/mdev/devices/$1" ]
}

# is_vgpu UUID ADDR TYPE: the mdev exists, on PCI function ADDR, of TYPE
# (the type's id, <driver>-<type>), and the manager agrees on its type.
is_vgpu() {
	local d=/sys/bus/mdev/devices/$1 t p v
	[ -d "$d" ] || { echo "libvirt: no mdev $1"; return 1; }
	t=$(basename "$(readlink -f "$d/mdev_type")")
	p=$(basename "$(readlink -f "$d/..")")
	read -r v <"$d/nvkm_vgpu/type"
	if [ "$t" != "$3" ] || [ "$p" != "$2" ] || [ "$v" != "${3#nvkm_vgpu_sim-}" ]; then
		echo "libvirt: $1 is $t ($v) on $p, not $3 on $2"
		return 1
	fi
}

# mdev_types_parents: what `virsh nodedev-list --cap mdev_types` lists, sorted,
# on one line.
mdev_types_parents() {
	local l
	l=$(virsh nodedev-list --cap mdev_types) || return 1
	{ grep -v '^$' <<<"$l" || true; } | sort | tr '\n' ' '
}

# parents_are NAME...: it lists exactly NAMEs.
parents_are() {
	local want=$* got
	got=$(mdev_types_parents) || return 1
	[ "$got" = "${want:+$want }" ] || { echo "libvirt: mdev_types parents: '$got', not '$want'"; return 1; }
}

# dumpxml NODEDEV FILE: its XML into FILE (and the log).
dumpxml() {
	virsh nodedev-dumpxml "$1" >"$2" || return 1
	cat "$2" >>"$log"
}

# xml_value FILE XPATH: the string value of XPATH in FILE.
xml_value() {
	xmllint --xpath "string($2)" "$1" 2>/dev/null
}

# xml_types FILE: "id available device_api name" for every mdev type in
# the node device XML in FILE, sorted (one awk: a fork costs tens of ms
# under TCG, and the h100 has dozens of types).
xml_types() {
	awk '
	function text(s) {
		sub(/^[^>]*>/, "", s)
		sub(/<.*$/, "", s)
		gsub(/&lt;/, "<", s)
		gsub(/&gt;/, ">", s)
		gsub(/&apos;/, "\047", s)
		gsub(/&quot;/, "\"", s)
		gsub(/&amp;/, "\\&", s)
		return s
	}
	/<capability type=.mdev_types.>/ { on = 1; next }
	on && /<\/capability>/ { on = 0 }
	on && /<type id=/ { id = $0; sub(/^.*id=./, "", id); sub(/.>.*$/, "", id); name = api = avail = "" }
	on && /<name>/ { name = text($0) }
	on && /<deviceAPI>/ { api = text($0) }
	on && /<availableInstances>/ { avail = text($0) }
	on && /<\/type>/ { print id, avail, api, name }
	' "$1" | sort
}

# sysfs_types ADDR: the same, from PCI function ADDR's sysfs.
sysfs_types() {
	local t avail api name
	for t in "/sys/bus/pci/devices/$1/mdev_supported_types"/*; do
		[ -e "$t" ] || continue
		read -r avail <"$t/available_instances"
		read -r api <"$t/device_api"
		read -r name <"$t/name"
		echo "${t##*/} $avail $api $name"
	done | sort
}

# types_as_sysfs ADDR: `virsh nodedev-dumpxml` of PCI function ADDR lists
# the types sysfs lists, no more, each with sysfs's name, device API and
# available instances. Leaves libvirt's list in $work/types.txt.
types_as_sysfs() {
	dumpxml "$(nodedev_name "$1")" "$work/types.xml" || return 1
	xml_types "$work/types.xml" >"$work/types.txt"
	sysfs_types "$1" >"$work/types.sysfs"
	[ -s "$work/types.sysfs" ] || { echo "libvirt: $1 has no mdev types in sysfs"; return 1; }
	if ! diff "$work/types.sysfs" "$work/types.txt" >"$work/types.diff"; then
		echo "libvirt: $1: sysfs (<) and libvirt (>) differ:"
		sed 's/^/libvirt:   /' "$work/types.diff"
		return 1
	fi
}

# xml_avail TYPE: TYPE's availableInstances in libvirt's list types_as_sysfs
# read last.
xml_avail() {
	awk -v t="$1" '$1 == t { print $2 }' "$work/types.txt"
}

sysfs_avail() {
	local v
	read -r v <"/sys/bus/pci/devices/$1/mdev_supported_types/$2/available_instances"
	echo "$v"
}

# mdev_xml_is NODEDEV UUID TYPE ADDR: the mdev's node device XML says so.
mdev_xml_is() {
	local x=$work/mdev.xml c="//capability[@type='mdev']" got
	dumpxml "$1" "$x" || return 1
	got=$(xml_value "$x" "concat(/device/parent, ' ', $c/type/@id, ' ', $c/uuid, ' ',
		$c/parent_addr, ' ', /device/driver/name, ' ', $c/iommuGroup/@number)")
	[[ $got =~ ^"$(nodedev_name "$4") $3 $2 $4 nvkm_vgpu "[0-9]+$ ]] ||
		{ echo "libvirt: $1: parent, type, uuid, parent_addr, driver, group: $got"; return 1; }
}

# info_is NODEDEV FIELD VALUE: `virsh nodedev-info` says so.
info_is() {
	# grep without -q: it reads everything, so no SIGPIPE with pipefail.
	virsh nodedev-info "$1" | grep -E "^$2: +$3\$" >/dev/null
}

# node_state NODEDEV ACTIVE PERSISTENT AUTOSTART: nodedev-info's three.
node_state() {
	info_is "$1" Active "$2" && info_is "$1" Persistent "$3" && info_is "$1" Autostart "$4"
}

# created_from FILE UUID ADDR TYPE: virsh nodedev-create FILE says it made
# the mdev's node device, and the vGPU is there, as asked.
created_from() {
	local out
	out=$(virsh nodedev-create "$1") || return 1
	echo "$out" | tee -a "$log"
	[[ $out == *"mdev_${2//-/_}"*" created from "* ]] && is_vgpu "$2" "$3" "$4"
}

# mdevctl_has UUID ADDR TYPE auto|manual [ARGS]: `mdevctl list ARGS` (say
# --defined) has the vGPU with that start mode.
mdevctl_has() {
	local u=$1 p=$2 t=$3 mode=$4
	shift 4
	# grep without -q: it reads everything, so no SIGPIPE with pipefail.
	mdevctl list "$@" | grep -E "^$u $p $t $mode( |\$)" >/dev/null
}

not_defined() {
	! mdevctl list --defined | grep -F "$1" >/dev/null &&
		[ ! -e "/etc/mdevctl.d/$2/$1" ]
}

# The <hostdev> inside the domain XML is the one printed alone.
same_hostdev() {
	sed -n '/<hostdev/,/<\/hostdev>/s/^    //p' "$work/domain.xml" >"$work/inner.xml"
	diff "$work/inner.xml" "$work/hostdev.xml"
}

# The domain's <os> has the kernel, initrd and cmdline asked for, and its
# serial port the file.
boots_what_asked() {
	local x=$work/domain.xml
	[ "$(xml_value "$x" /domain/os/kernel)" = /k ] &&
		[ "$(xml_value "$x" /domain/os/initrd)" = /i ] &&
		[ "$(xml_value "$x" /domain/os/cmdline)" = "console=ttyS0 a<b & 'c'" ] &&
		[ "$(xml_value "$x" "/domain/devices/serial[@type='file']/source/@path")" = /s ]
}

# group_of UUID: the vGPU's IOMMU group number.
group_of() {
	basename "$(readlink -f "/sys/bus/mdev/devices/$1/iommu_group")"
}

# holders GROUP: the pids that have /dev/vfio/GROUP open.
holders() {
	# One find, not a readlink per descriptor: forks are slow under TCG.
	{ find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -lname "/dev/vfio/$1" 2>/dev/null || true; } |
		cut -d/ -f3 | sort -u
}

# qemu_holds GROUP: the domain's QEMU, and nothing else, has the group open.
qemu_holds() {
	local h
	h=$(holders "$1")
	if [ -z "$qemu_pid" ] || [ "$h" != "$qemu_pid" ]; then
		echo "libvirt: /dev/vfio/$1 is held by '$h', QEMU is ${qemu_pid:-unknown}"
		return 1
	fi
}

nobody_holds() {
	local h
	h=$(holders "$1")
	[ -z "$h" ] || { echo "libvirt: /dev/vfio/$1 is still held by $h"; return 1; }
}

# guest_line: the guest's "VGPU-GUEST: result=" line, once it printed it.
guest_line() {
	grep -a -m1 'VGPU-GUEST: result=' "$console" 2>/dev/null | tr -d '\r'
}

wait_guest_line() {
	local i
	for ((i = 0; i < guest_wait; i += 2)); do
		[ -z "$(guest_line)" ] || return 0
		kill -0 "$qemu_pid" 2>/dev/null || { echo "libvirt: QEMU exited"; return 1; }
		sleep 2
	done
	echo "libvirt: no line from the guest in $guest_wait s"
	return 1
}

# No kernel splat on the guest's console (its whole kernel log: no "quiet"),
# nor a bare stack dump; the first lines found are shown.
console_clean() {
	local found
	found=$(tr -d '\r' <"$console" | grep -aE -- "$splat_re|Call Trace:" | head -n 5 || true)
	[ -z "$found" ] && return 0
	printf '%s\n' "$found" | sed 's/^/libvirt: guest console: /'
	return 1
}

# QEMU's own lines in the domain's log (not the command line libvirt
# writes there): a vfio line, a warning or an error is QEMU finding fault
# with the vGPU. "terminating on signal" is virsh destroy.
qemu_clean() {
	local found
	found=$(grep -a 'qemu-system-x86_64: ' "$work/qemu.log" | grep -v 'terminating on signal' |
		grep -aiE 'vfio|warning|error' | head -n 5 || true)
	[ -z "$found" ] && return 0
	printf '%s\n' "$found" | sed 's/^/libvirt: QEMU: /'
	return 1
}

# peek UUID ARGS...: tests/vm/guest/vgpu-peek, its line in the log.
peek() {
	local out rc=0
	out=$("$guest_bin/vgpu-peek" "$@" 2>&1) || rc=$?
	echo "$out" | tee -a "$log"
	return "$rc"
}

# peek_refused UUID: a second user cannot open the vGPU (EBUSY).
peek_refused() {
	local out
	if out=$("$guest_bin/vgpu-peek" "$1" info 2>&1) || [[ $out != *busy* ]]; then
		echo "libvirt: vgpu-peek while QEMU runs: $out"
		return 1
	fi
}

modules_unloaded() {
	rmmod nvkm_vgpu_sim && rmmod nvkm_vgpu && loaded=0
}

new_uuid() {
	local u
	u=$(cat /proc/sys/kernel/random/uuid)
	uuids+=("$u")
	echo "$u"
}

# ---- the test --------------------------------------------------------------

echo "libvirt: $(/usr/bin/virsh --version 2>&1), mdevctl $(mdevctl --version 2>&1 | awk '{print $2}'), $(uname -r)"
check "virsh, libvirtd, virtlogd, virt-xml-validate, xmllint and mdevctl are installed" \
	eval "command -v virsh libvirtd virtlogd virt-xml-validate xmllint mdevctl >/dev/null"
check "the nested guest's kernel, initramfs and vgpu-peek are in $guest_bin" \
	eval "[ -f '$guest_bin/guest-vmlinux' ] && [ -f '$guest_bin/guest-initramfs.cpio.gz' ] && [ -x '$guest_bin/vgpu-peek' ]"
check "the host's root is writable where libvirt needs it (tmpfs, overlays)" prepare_fs
check "the VM's spare PCI functions $SIM_PCI_TINY and $SIM_PCI_H100 are free" \
	eval "unbound $SIM_PCI_TINY && unbound $SIM_PCI_H100"
if [ $failed != 0 ]; then
	finish
fi
tiny=$SIM_PCI_TINY
h100=$SIM_PCI_H100
nd_tiny=$(nodedev_name "$tiny")
nd_h100=$(nodedev_name "$h100")

# scripts/libvirt-xml.sh against libvirt's schemas (no daemon needed).
u0=$(cat /proc/sys/kernel/random/uuid)
"$xml" "$u0" >"$work/hostdev.xml"
"$xml" --domain --accel qemu --memory 64 --name nvkm-vgpu-test --kernel /k --initrd /i \
	--cmdline "console=ttyS0 a<b & 'c'" --serial /s "$u0" >"$work/domain.xml"
"$xml" --nodedev "$u0" "$nd_tiny" nvkm_vgpu_sim-tiny-1c >"$work/nodedev.xml"
cat "$work/hostdev.xml" "$work/domain.xml" "$work/nodedev.xml" >>"$log"
check "libvirt-xml.sh --domain --kernel --initrd --cmdline --serial validates as a domain" \
	validates "$work/domain.xml" domain
check "... with the hostdev element libvirt-xml.sh prints alone" same_hostdev
check "... booting the kernel, initrd and command line given (escaped), console to the file" boots_what_asked
check "libvirt-xml.sh --nodedev validates as a node device" validates "$work/nodedev.xml" nodedev
sed "s/model='vfio-pci'/model='vfio-gpu'/" "$work/domain.xml" >"$work/bad-domain.xml"
check "virt-xml-validate rejects a hostdev with a bad model (the check can fail)" \
	rejects "$work/bad-domain.xml" domain
check "libvirt-xml.sh refuses a malformed UUID, a relative --kernel, --initrd without --kernel" \
	eval "! '$xml' not-a-uuid 2>/dev/null && ! '$xml' --domain --kernel k '$u0' 2>/dev/null &&
		! '$xml' --domain --initrd /i '$u0' 2>/dev/null"

check "modprobe mdev vfio" modprobe -a mdev vfio
modprobe vfio_iommu_type1 || echo "libvirt: vfio_iommu_type1 did not load"
loaded=1
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko" insmod "$moddir/nvkm_vgpu.ko"
check "insmod nvkm_vgpu_sim.ko gpus= (no GPU of its own)" insmod "$moddir/nvkm_vgpu_sim.ko" gpus=
check "mdevctl's udev rule can run (fixed in /run/udev/rules.d if it runs a missing program)" install_rule
check "systemd-udevd runs and has seen every device" start_udevd
check "virtlogd starts" start_daemon virtlogd
check "libvirtd starts" start_daemon libvirtd
check "libvirtd answers on qemu:///system" libvirtd_up
check "one virsh shell takes the commands that follow" virsh_shell_start
if [ $failed != 0 ]; then
	finish
fi
run virsh version || true

# The GPUs arrive while libvirtd runs, as when a GPU driver loads late.
check "libvirt lists no mdev parent before the GPUs come" parents_are
check "$tiny becomes a tiny GPU, $h100 an h100-80gb (driver_override, pci_preset)" sim_pci_gpus
check "each PCI function is its GPU's mdev parent" \
	eval "pci_mdev_parent $tiny tiny && pci_mdev_parent $h100 h100"
run virsh nodedev-list --cap mdev_types || true
check "virsh nodedev-list --cap mdev_types lists $nd_tiny and $nd_h100, nothing else" \
	wait_for parents_are "$nd_tiny" "$nd_h100"
check "virsh nodedev-dumpxml $nd_tiny: every type of the tiny GPU, as sysfs has it" \
	types_as_sysfs "$tiny"
avail0=$(xml_avail nvkm_vgpu_sim-tiny-1c)
note "$nd_tiny: $(wc -l <"$work/types.txt") types; tiny-1c: $avail0 available"
check "virsh nodedev-dumpxml $nd_h100: every type of the h100, as sysfs has it" \
	types_as_sysfs "$h100"

# nodedev-create / nodedev-destroy, the type given short (libvirt-xml.sh
# reads the driver from sysfs).
u1=$(new_uuid)
"$xml" --nodedev "$u1" "$nd_tiny" tiny-1c >"$work/create.xml"
check "virsh nodedev-create makes a tiny-1c vGPU on $tiny ($u1)" \
	created_from "$work/create.xml" "$u1" "$tiny" nvkm_vgpu_sim-tiny-1c
check "libvirt shows it: active, not persistent" \
	eval "wait_for has_nodedev $u1 && node_state \"\$(nodedev_of $u1)\" yes no no"
check "$nd_tiny's types still as sysfs has them, tiny-1c one fewer ($((avail0 - 1)))" \
	eval "types_as_sysfs $tiny && [ \"\$(xml_avail nvkm_vgpu_sim-tiny-1c)\" = $((avail0 - 1)) ]"
nd1=$(nodedev_of "$u1" || true)
check "virsh nodedev-destroy removes it" run virsh nodedev-destroy "$nd1"
check "... from /sys/bus/mdev/devices" no_mdev "$u1"
check "... and from libvirt" wait_for no_nodedev "$u1"
check "tiny-1c is back to $avail0 available, in sysfs and in libvirt" \
	eval "types_as_sysfs $tiny && [ \"\$(xml_avail nvkm_vgpu_sim-tiny-1c)\" = $avail0 ]"

# A vGPU made elsewhere (sysfs) as a libvirt node device.
u2=$(new_uuid)
check "a vGPU created through sysfs ($u2)" \
	eval "echo $u2 >/sys/class/mdev_bus/$h100/mdev_supported_types/nvkm_vgpu_sim-h100-20c/create"
check "libvirt shows it as a node device" wait_for has_nodedev "$u2"
nd2=$(nodedev_of "$u2" || true)
note "its node device: $nd2"
check "nodedev-dumpxml: parent $nd_h100, type nvkm_vgpu_sim-h100-20c, its UUID, parent_addr $h100, driver nvkm_vgpu, an IOMMU group" \
	mdev_xml_is "$nd2" "$u2" nvkm_vgpu_sim-h100-20c "$h100"
check "nodedev-info: active, not persistent" node_state "$nd2" yes no no
check "virsh nodedev-destroy removes it" eval "run virsh nodedev-destroy '$nd2' && no_mdev $u2"

# A persistent vGPU: libvirt keeps it as an mdevctl definition.
u3=$(new_uuid)
"$xml" --nodedev "$u3" "$nd_h100" nvkm_vgpu_sim-h100-10c >"$work/define.xml"
check "virsh nodedev-define (an h100-10c on $nd_h100, $u3)" run virsh nodedev-define "$work/define.xml"
check "mdevctl has its definition, started manually, under $h100" \
	eval "mdevctl_has $u3 $h100 nvkm_vgpu_sim-h100-10c manual --defined && [ -f /etc/mdevctl.d/$h100/$u3 ]"
check "define does not start it" no_mdev "$u3"
check "libvirt lists it: not active, persistent, no autostart" \
	eval "wait_for has_nodedev $u3 && node_state \"\$(nodedev_of $u3)\" no yes no"
nd3=$(nodedev_of "$u3" || true)
check "virsh nodedev-start starts it: an h100-10c vGPU on $h100" \
	eval "run virsh nodedev-start '$nd3' && is_vgpu $u3 $h100 nvkm_vgpu_sim-h100-10c"
check "mdevctl lists it active" mdevctl_has "$u3" "$h100" nvkm_vgpu_sim-h100-10c manual
check "virsh nodedev-autostart: mdevctl's definition becomes auto" \
	eval "run virsh nodedev-autostart '$nd3' && mdevctl_has $u3 $h100 nvkm_vgpu_sim-h100-10c auto --defined"
check "nodedev-info: active, persistent, autostart" wait_for node_state "$nd3" yes yes yes
# The GPU goes and comes back (its driver unbound and bound again): the
# mdev core announces the parent, udev runs mdevctl, which starts it.
check "unbinding $h100 removes its GPU and the vGPU" \
	eval "sim_pci_unbind $h100 && [ ! -e /sys/class/mdev_bus/$h100 ] && no_mdev $u3"
check "libvirt lists only $nd_tiny with mdev types" wait_for parents_are "$nd_tiny"
check "the definition stays" mdevctl_has "$u3" "$h100" nvkm_vgpu_sim-h100-10c auto --defined
# The mdev core keeps a removed mdev's UUID taken until its device is
# released, which the debug kernel (DEBUG_KOBJECT_RELEASE) delays by up to
# 4 s; udev's one start of the auto vGPU must not come before that.
sleep 5
check "binding $h100 again makes it an h100-80gb GPU" sim_pci_bind "$h100" h100-80gb
udevadm settle --timeout=60 || true
check "the autostart vGPU is back on it, started by udev and mdevctl" \
	wait_for is_vgpu "$u3" "$h100" nvkm_vgpu_sim-h100-10c
check "libvirt lists both parents again, and the vGPU active" \
	eval "wait_for parents_are $nd_tiny $nd_h100 && wait_for node_state '$nd3' yes yes yes"
check "virsh nodedev-destroy stops it, the definition stays" \
	eval "run virsh nodedev-destroy '$nd3' && no_mdev $u3 && mdevctl_has $u3 $h100 nvkm_vgpu_sim-h100-10c auto --defined"
check "virsh nodedev-undefine forgets it, in mdevctl and in libvirt" \
	eval "run virsh nodedev-undefine '$nd3' && not_defined $u3 $h100 && wait_for no_nodedev $u3"

# A domain with a vGPU, booting the nested guest.
u4=$(new_uuid)
"$xml" --nodedev "$u4" "$nd_tiny" nvkm_vgpu_sim-tiny-1c >"$work/vgpu4.xml"
check "virsh nodedev-create: the domain's tiny-1c vGPU ($u4)" \
	created_from "$work/vgpu4.xml" "$u4" "$tiny" nvkm_vgpu_sim-tiny-1c
# Copies on the tmpfs, which libvirt can hand to the user QEMU runs as.
cp "$guest_bin/guest-vmlinux" "$guest_bin/guest-initramfs.cpio.gz" "$work/"
console=$work/domain.console
seed=$((RANDOM * 64 + 7))
group=$(group_of "$u4" || true)
fb_size=$(cat "/sys/bus/mdev/devices/$u4/nvkm_vgpu/fb_size" || true)
# The nested guest's command line (tests/vm/nested.sh has why each).
"$xml" --domain --accel qemu --memory 256 --name nvkm-vgpu-test \
	--kernel "$work/guest-vmlinux" --initrd "$work/guest-initramfs.cpio.gz" \
	--cmdline "console=ttyS0 panic=-1 cryptomgr.notests acpi=off tsc=reliable no_timer_check nowatchdog audit=0 apparmor=0 vgpu.seed=$seed" \
	--serial "$console" "$u4" >"$work/vm.xml"
cat "$work/vm.xml" >>"$log"
check "virsh define (libvirt-xml.sh --domain: TCG, 256 MiB, the nested guest's kernel)" \
	run virsh define "$work/vm.xml"
domain=nvkm-vgpu-test
start=$SECONDS
check "virsh start" run virsh start "$domain"
note "virsh start took $((SECONDS - start)) s"
qemu_pid=$(cat "/run/libvirt/qemu/$domain.pid" 2>/dev/null || true)
check "the domain runs (QEMU pid ${qemu_pid:-none})" \
	eval "virsh domstate '$domain' | grep -x running >/dev/null && kill -0 '$qemu_pid'"
check "QEMU, and only QEMU, holds the vGPU's VFIO group /dev/vfio/$group" qemu_holds "$group"
check "a second user cannot open the vGPU while the domain runs" peek_refused "$u4"
check "the guest prints its line within $guest_wait s" wait_guest_line
line=$(guest_line || true)
note "guest: $line"
note "guest: console line after $((SECONDS - start)) s"
check "the guest found an NVIDIA function (vendor 0x10de) and used it: result=ok" \
	eval "[ \"\$(field '$line' vendor)\" = 0x10de ] && [ \"\$(field '$line' result)\" = ok ]"
check "... with the vGPU's framebuffer ($fb_size bytes, as sysfs says) and the seed given" \
	eval "[ \"\$(field '$line' fb)\" = $fb_size ] && [ \"\$(field '$line' seed)\" = $seed ]"
if virsh qemu-monitor-command --hmp "$domain" 'info pci' >"$work/pci.txt" 2>&1; then
	cat "$work/pci.txt" >>"$log"
fi
check "no kernel splat on the guest's console" console_clean
check "QEMU's PCI bus has the vGPU as libvirt's hostdev0 (vendor 10de)" \
	eval "grep -A6 'PCI device 10de:' '$work/pci.txt' | grep 'id \"hostdev0\"' >/dev/null"
check "virsh destroy stops the domain" \
	eval "run virsh destroy '$domain' && virsh domstate '$domain' | grep -x 'shut off' >/dev/null"
check "QEMU has exited and nobody holds /dev/vfio/$group" \
	eval "wait_for gone_pids '$qemu_pid' && wait_for nobody_holds $group"
check "the vGPU is free again: the next user opens it (vgpu-peek info)" \
	eval "peek $u4 info | grep 'magic=0x5647564e' >/dev/null"
check "... and finds nothing of the guest's in its framebuffer" peek "$u4" clean "$seed"
cp "$console" "$results/domain.console" 2>/dev/null || true
cp "/var/log/libvirt/qemu/$domain.log" "$work/qemu.log" 2>/dev/null || : >"$work/qemu.log"
cp "$work/qemu.log" "$results/domain.qemu.log"
check "no vfio line, warning or error from the domain's QEMU" qemu_clean
check "virsh undefine" run virsh undefine "$domain"
domain=
check "virsh nodedev-destroy removes the domain's vGPU" \
	eval "run virsh nodedev-destroy \"\$(nodedev_of $u4)\" && no_mdev $u4"

# The GPUs leave while libvirtd runs.
check "unbinding both functions clears their driver_override" \
	eval "sim_pci_release && unbound $tiny && unbound $h100"
check "libvirt lists no mdev parent any more" wait_for parents_are

# Teardown, checked.
virsh_shell_stop
daemons=("${pids[@]}")
stop_daemons
check "libvirtd and virtlogd stop" gone_pids "${daemons[@]}"
check "no vGPU is left, no definition" \
	eval "[ -z \"\$(find /sys/bus/mdev/devices -mindepth 1 -maxdepth 1)\" ] && [ -z \"\$(mdevctl list --defined)\" ]"
check "rmmod nvkm_vgpu_sim nvkm_vgpu" modules_unloaded
udevadm settle --timeout=60 || true
cleanup
check "udevd, the tmpfs copies, the overlays and the /dev links are gone" \
	eval "[ \${#mounts[@]} = 0 ] && [ \${#links[@]} = 0 ] && ! udevadm control --ping -t 2 2>/dev/null &&
		! grep -q ' /etc/libvirt ' /proc/mounts"
finish
