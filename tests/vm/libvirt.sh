#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/libvirt.sh MODULE_DIR   (inside the test VM, as root)
#
# Drives nvkm_vgpu through libvirt (Debian packages libvirt-daemon,
# libvirt-clients, mdevctl) as an administrator would: checks that
# virt-xml-validate accepts what scripts/libvirt-xml.sh prints, then runs
# libvirtd and virtlogd inside the VM with a "tiny" and an "h100-80gb"
# simulated GPU loaded from MODULE_DIR, and checks what `virsh nodedev-*`
# shows and does with our mdev parents and vGPUs, and that a domain with
# the vGPU as <hostdev type='mdev'> starts: QEMU (TCG) shows the vGPU as a
# PCI function with NVIDIA's vendor ID.
#
# The VM's root is the host's, read-only: the script puts tmpfs copies over
# /etc/libvirt and /etc/mdevctl.d, overlays (or, with no overlayfs, empty
# tmpfs) over /var/lib, /var/cache and /var/log, adds the libvirt-qemu user (which Debian's libvirt-daemon-system
# would create) to bind-mounted copies of /etc/passwd and /etc/group, runs
# its own systemd-udevd, and undoes all of it at the end. TAP goes to
# $NVKM_RESULTS/libvirt.tap (a known limit that fails is a "# SKIP" line
# with its reason); libvirtd's warnings and errors to libvirtd.log there.
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
top=$(cd "$(dirname "$0")/../.." && pwd)
xml=$top/scripts/libvirt-xml.sh
# udevadm refuses trigger/settle in a chroot unless told otherwise.
export SYSTEMD_IGNORE_CHROOT=1
# Seconds a virsh command may take (TCG is slow; a domain start is ~15 s).
limit=${NVKM_LIBVIRT_TIMEOUT:-180}

tap=$results/libvirt.tap
log=$results/libvirt.log
: >"$tap"
: >"$log"
state=/run/nvkm-libvirt
work=$state/work

# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"

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

mounts=()
pids=()
udevd_started=0
loaded=0
domain=
uuids=()

# mount_over DIR MOUNT-ARGS...: mounts over DIR and remembers to unmount it.
mount_over() {
	local dir=$1
	shift
	mount "$@" "$dir" || return 1
	mounts+=("$dir")
}

# tmpfs_copy DIR: DIR becomes a writable tmpfs copy of itself.
tmpfs_copy() {
	local dir=$1 copy
	copy=$state/copy${1//\//_}
	mkdir -p "$copy"
	[ -d "$dir" ] && cp -a "$dir/." "$copy/"
	mount_over "$dir" --bind "$copy"
}

# writable DIR: writes to DIR go to a tmpfs: an overlay over it, or where
# the kernel has no overlayfs (the debug kernel), an empty tmpfs hiding it.
writable() {
	local d=$state/ovl${1//\//_}
	mkdir -p "$d/upper" "$d/work"
	if grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null; then
		mount_over "$1" -t overlay overlay \
			-o "lowerdir=$1,upperdir=$d/upper,workdir=$d/work"
	else
		echo "libvirt: no overlayfs; an empty tmpfs hides $1"
		mount_over "$1" -t tmpfs -o mode=755 tmpfs
	fi
}

# The libvirt-qemu user and group, which the QEMU driver looks up at start
# even when it runs no domain; the package that creates them
# (libvirt-daemon-system) would also start services on the host.
add_qemu_user() {
	if ! getent passwd libvirt-qemu >/dev/null; then
		cp /etc/passwd "$state/passwd"
		echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin' \
			>>"$state/passwd"
		mount_over /etc/passwd --bind "$state/passwd" || return 1
	fi
	if ! getent group libvirt-qemu >/dev/null; then
		cp /etc/group "$state/group"
		echo 'libvirt-qemu:x:64055:' >>"$state/group"
		mount_over /etc/group --bind "$state/group" || return 1
	fi
	getent passwd libvirt-qemu >/dev/null
}

# Everything libvirtd and mdevctl write, made writable.
prepare_fs() {
	mkdir -p "$work"
	writable /var/lib && writable /var/cache && writable /var/log || return 1
	mkdir -p /var/lib/libvirt /var/cache/libvirt /var/log/libvirt || return 1
	tmpfs_copy /etc/libvirt || return 1
	# QEMU in libvirt's private /dev namespace cannot open /dev/vfio/<group>
	# here (the daemon runs chrooted); no namespace then.
	echo 'namespaces = [ ]' >>/etc/libvirt/qemu.conf
	mkdir -p "$state/etc-mdevctl.d/scripts.d/callouts" "$state/etc-mdevctl.d/scripts.d/notifiers"
	[ -d /etc/mdevctl.d/scripts.d ] && cp -a /etc/mdevctl.d/scripts.d/. "$state/etc-mdevctl.d/scripts.d/"
	mount_over /etc/mdevctl.d --bind "$state/etc-mdevctl.d" || return 1
	add_qemu_user
}

start_udevd() {
	# The socket outlives a udevd told to exit (an earlier test's): ask.
	if udevadm control --ping -t 2 2>/dev/null; then
		echo "libvirt: a udevd is already running; using it"
	else
		/lib/systemd/systemd-udevd --daemon </dev/null >>"$results/udevd.log" 2>&1 || return 1
		udevd_started=1
	fi
	# libvirt's udev backend reads devices' properties from udev's database.
	udevadm trigger && udevadm settle --timeout=120
}

# start_daemon NAME: runs /usr/sbin/NAME --daemon, waits for its pid file.
start_daemon() {
	local i pid
	LIBVIRT_LOG_OUTPUTS="3:file:$results/$1.log" "/usr/sbin/$1" --daemon \
		</dev/null >>"$results/$1.log" 2>&1 || return 1
	for ((i = 0; i < 120; i++)); do
		if [ -s "/run/$1.pid" ]; then
			read -r pid <"/run/$1.pid"
			pids+=("$pid")
			return 0
		fi
		sleep 0.5
	done
	return 1
}

libvirtd_up() {
	local i
	for ((i = 0; i < 120; i++)); do
		[ -S /run/libvirt/libvirt-sock ] && virsh version >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "libvirt: libvirtd does not answer; last lines of its log:"
	tail -n 20 "$results/libvirtd.log" | sed 's/^/libvirt:   /'
	return 1
}

stop_daemons() {
	local pid i
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || continue
		for ((i = 0; i < 60; i++)); do
			[ -d "/proc/$pid" ] || break
			sleep 0.5
		done
	done
	pids=()
}

cleanup() {
	local u i
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
	if [ "$loaded" = 1 ]; then
		rmmod nvkm_vgpu_sim 2>/dev/null
		rmmod nvkm_vgpu 2>/dev/null
		loaded=0
	fi
	if [ "$udevd_started" = 1 ]; then
		udevd_exit
		udevd_started=0
	fi
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" || umount -l "${mounts[i]}"
	done
	mounts=()
	rm -rf "$state"
}
trap cleanup EXIT

finish() {
	echo "1..$n" >>"$tap"
	echo "libvirt: $n checks, $skipped skipped, $([ $failed = 0 ] && echo all others passed || echo some FAILED)"
	exit $failed
}

# ---- what the checks look at ---------------------------------------------

# validates FILE [TYPE]: virt-xml-validate accepts it.
validates() {
	run virt-xml-validate "$@"
}

rejects() {
	! virt-xml-validate "$@" >/dev/null 2>&1
}

# parent_of BOARD: the mdev parent of the (first) GPU of that board.
parent_of() {
	local f
	f=$(grep -ls "^$1 " /sys/class/mdev_bus/*/nvkm_vgpu/board | head -n1)
	[ -n "$f" ] || return 1
	f=${f%/nvkm_vgpu/board}
	echo "${f##*/}"
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

# dumpxml_has NODEDEV PATTERN...: every grep -E PATTERN is in its XML.
dumpxml_has() {
	local x p
	x=$(virsh nodedev-dumpxml "$1") || return 1
	echo "$x" >>"$log"
	shift
	for p in "$@"; do
		grep -qE "$p" <<<"$x" || { echo "libvirt: no '$p' in the node device XML"; return 1; }
	done
}

# info_is NODEDEV FIELD VALUE: `virsh nodedev-info` says so.
info_is() {
	# grep without -q: it reads everything, so no SIGPIPE with pipefail.
	virsh nodedev-info "$1" | grep -E "^$2: +$3\$" >/dev/null
}

mdev_types_parents() {
	virsh nodedev-list --cap mdev_types 2>/dev/null | grep -v '^$' || true
}

lists_parents() {
	local l
	l=$(mdev_types_parents)
	[ -n "$l" ]
}

gone_pids() {
	local pid
	for pid in "$@"; do
		[ ! -d "/proc/$pid" ] || { echo "libvirt: pid $pid still runs"; return 1; }
	done
}

# The <hostdev> inside the domain XML is the one printed alone. (No process
# substitution: the VM's /dev has no /dev/fd.)
same_hostdev() {
	sed -n '/<hostdev/,/<\/hostdev>/s/^    //p' "$work/domain.xml" >"$work/inner.xml"
	diff "$work/inner.xml" "$work/hostdev.xml"
}

modules_unloaded() {
	rmmod nvkm_vgpu_sim && rmmod nvkm_vgpu && loaded=0
}

# ---- the test --------------------------------------------------------------

echo "libvirt: $(/usr/bin/virsh --version 2>&1), mdevctl $(mdevctl --version 2>&1 | awk '{print $2}'), $(uname -r)"
check "virsh, libvirtd, virtlogd, virt-xml-validate and mdevctl are installed" \
	eval "command -v virsh libvirtd virtlogd virt-xml-validate mdevctl >/dev/null"
check "the host's root is writable where libvirt needs it (tmpfs, overlays)" prepare_fs
if [ $failed != 0 ]; then
	finish
fi

# scripts/libvirt-xml.sh against libvirt's schemas (no daemon needed).
u0=$(cat /proc/sys/kernel/random/uuid)
"$xml" "$u0" >"$work/hostdev.xml"
"$xml" --domain --accel qemu --memory 64 --name nvkm-vgpu-test "$u0" >"$work/domain.xml"
"$xml" --nodedev "$u0" pci_0000_00_05_0 nvkm_vgpu_sim-tiny-1c >"$work/nodedev.xml"
cat "$work/hostdev.xml" "$work/domain.xml" "$work/nodedev.xml" >>"$log"
check "libvirt-xml.sh --domain validates as a domain" validates "$work/domain.xml" domain
check "... with the hostdev element libvirt-xml.sh prints alone" same_hostdev
check "libvirt-xml.sh --nodedev validates as a node device" validates "$work/nodedev.xml" nodedev
sed "s/model='vfio-pci'/model='vfio-gpu'/" "$work/domain.xml" >"$work/bad-domain.xml"
check "virt-xml-validate rejects a hostdev with a bad model (the check can fail)" \
	rejects "$work/bad-domain.xml" domain
check "libvirt-xml.sh refuses a malformed UUID" eval "! '$xml' not-a-uuid 2>/dev/null"

check "modprobe mdev vfio" modprobe -a mdev vfio
modprobe vfio_iommu_type1 || echo "libvirt: vfio_iommu_type1 did not load"
loaded=1
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko" insmod "$moddir/nvkm_vgpu.ko"
check "insmod nvkm_vgpu_sim.ko gpus=tiny,h100-80gb" \
	insmod "$moddir/nvkm_vgpu_sim.ko" gpus=tiny,h100-80gb
check "systemd-udevd runs and has seen every device" start_udevd
check "virtlogd starts" start_daemon virtlogd
check "libvirtd starts" start_daemon libvirtd
check "libvirtd answers on qemu:///system" libvirtd_up
check "one virsh shell takes the commands that follow" virsh_shell_start
if [ $failed != 0 ]; then
	finish
fi
run virsh version || true
tiny=$(parent_of tiny || true)
h100=$(parent_of h100 || true)
note "parents: tiny=$tiny, h100=$h100; libvirt's node devices: $(virsh nodedev-list | grep -vc '^$') ($(virsh nodedev-list | grep -v '^$' | grep -v '^pci_\|^net_' | tr '\n' ' '))"

# The mdev parents as libvirt node devices (the nodedev API, OpenStack Nova).
why="libvirt's node devices show mdev types only on PCI, CSS and AP parents; the simulated GPU's mdev parent is an nvkm_vgpu class device"
run virsh nodedev-list --cap mdev_types || true
check_or_skip "$why" "virsh nodedev-list --cap mdev_types lists our parents" lists_parents
check_or_skip "$why" "virsh nodedev-dumpxml of $tiny lists its types" \
	dumpxml_has "$tiny" "<capability type='mdev_types'>" "<type id='nvkm_vgpu_sim-tiny-1c'>"
u1=$(cat /proc/sys/kernel/random/uuid)
uuids+=("$u1")
"$xml" --nodedev "$u1" "$tiny" tiny-1c >"$work/create.xml"
check_or_skip "$why" "virsh nodedev-create makes a vGPU on $tiny" \
	eval "run virsh nodedev-create '$work/create.xml' && is_mdev $u1"
run virsh nodedev-destroy "$(nodedev_of "$u1")" >/dev/null 2>&1 || true
mdevctl stop -u "$u1" >/dev/null 2>&1 || true

# vGPUs made elsewhere (sysfs, mdevctl) as libvirt node devices.
u2=$(cat /proc/sys/kernel/random/uuid)
uuids+=("$u2")
check "a vGPU created through sysfs ($u2)" \
	eval "echo $u2 >/sys/class/mdev_bus/$tiny/mdev_supported_types/nvkm_vgpu_sim-tiny-1c/create"
check "libvirt shows it as a node device" wait_for has_nodedev "$u2"
nd2=$(nodedev_of "$u2" || true)
note "its node device: $nd2"
check "nodedev-dumpxml: type nvkm_vgpu_sim-tiny-1c, its UUID, parent $tiny, driver nvkm_vgpu, an IOMMU group" \
	dumpxml_has "$nd2" "<type id='nvkm_vgpu_sim-tiny-1c'/>" "<uuid>$u2</uuid>" \
	"<parent_addr>$tiny</parent_addr>" "<name>nvkm_vgpu</name>" "<iommuGroup number='[0-9]+'/>"
check "nodedev-info: active, not persistent" \
	eval "info_is '$nd2' Active yes && info_is '$nd2' Persistent no"
check "virsh nodedev-destroy removes it" run virsh nodedev-destroy "$nd2"
check "... from /sys/bus/mdev/devices" no_mdev "$u2"
check "... and from libvirt" wait_for no_nodedev "$u2"

# mdevctl definitions are libvirt's persistent node devices.
u3=$(cat /proc/sys/kernel/random/uuid)
uuids+=("$u3")
check "mdevctl define -p $h100 -t nvkm_vgpu_sim-h100-10c -u $u3" \
	run mdevctl define -p "$h100" -t nvkm_vgpu_sim-h100-10c -u "$u3"
check "libvirt lists it, inactive" wait_for has_nodedev "$u3"
nd3=$(nodedev_of "$u3" || true)
check "nodedev-info: persistent, not active" \
	eval "info_is '$nd3' Persistent yes && info_is '$nd3' Active no"
check "virsh nodedev-start creates it" eval "run virsh nodedev-start '$nd3' && is_mdev $u3"
check "it is an h100-10c vGPU on $h100" \
	eval "[ \"\$(cat /sys/bus/mdev/devices/$u3/nvkm_vgpu/type)\" = h100-10c ]"
check "virsh nodedev-autostart marks it auto in mdevctl" \
	eval "run virsh nodedev-autostart '$nd3' && mdevctl list --defined | grep '$u3 .* auto' >/dev/null"
check "virsh nodedev-destroy stops it" eval "run virsh nodedev-destroy '$nd3' && no_mdev $u3"
check "virsh nodedev-undefine forgets it" \
	eval "run virsh nodedev-undefine '$nd3' && ! mdevctl list --defined | grep '$u3' >/dev/null"

# A domain with the vGPU.
u4=$(cat /proc/sys/kernel/random/uuid)
uuids+=("$u4")
check "mdevctl start -p $tiny -t nvkm_vgpu_sim-tiny-1c -u $u4" \
	run mdevctl start -p "$tiny" -t nvkm_vgpu_sim-tiny-1c -u "$u4"
"$xml" --domain --accel qemu --memory 64 --name nvkm-vgpu-test "$u4" >"$work/vm.xml"
check "virsh define (libvirt-xml.sh --domain, TCG, 64 MiB)" run virsh define "$work/vm.xml"
domain=nvkm-vgpu-test
start=$SECONDS
check "virsh start: QEMU opens the vGPU" run virsh start "$domain"
note "virsh start took $((SECONDS - start)) s"
check "the domain runs" eval "virsh domstate '$domain' | grep -x running >/dev/null"
# QEMU's view of the guest's PCI bus, once the guest's BIOS has placed the
# vGPU's BAR0 (until then QEMU shows it at 0xffffffffffffffff).
bar0_placed() {
	virsh qemu-monitor-command --hmp "$domain" 'info pci' >"$work/pci.txt" 2>&1 &&
		grep -A6 'PCI device 10de:' "$work/pci.txt" |
		grep -E 'BAR0: 32 bit memory at 0x[0-9a-f]{1,8} ' >/dev/null
}
wait_for bar0_placed || true
cat "$work/pci.txt" >>"$log"
check "the guest's PCI bus has the vGPU (vendor 10de, id hostdev0)" \
	eval "grep -A6 'PCI device 10de:' '$work/pci.txt' | grep 'id \"hostdev0\"' >/dev/null"
check "... with a 16 MiB BAR0" \
	eval "grep -A6 'PCI device 10de:' '$work/pci.txt' | grep -E 'BAR0: 32 bit memory at 0x[0-9a-f]+ \\[0x[0-9a-f]+ffffff\\]' >/dev/null"
check "virsh destroy" run virsh destroy "$domain"
check "virsh undefine" run virsh undefine "$domain"
domain=
grep -h 'qemu-system' /var/log/libvirt/qemu/nvkm-vgpu-test.log 2>/dev/null |
	grep -v '^/usr' | sed 's/^/# qemu: /' | tee -a "$tap" || true
check "the vGPU outlives the domain and mdevctl stop removes it" \
	eval "wait_for is_mdev $u4 && run mdevctl stop -u $u4 && no_mdev $u4"

# Teardown, checked.
virsh_shell_stop
daemons=("${pids[@]}")
stop_daemons
check "libvirtd and virtlogd stop" gone_pids "${daemons[@]}"
check "no vGPU is left" test -z "$(find /sys/bus/mdev/devices -mindepth 1 -maxdepth 1)"
check "rmmod nvkm_vgpu_sim nvkm_vgpu" modules_unloaded
udevadm settle --timeout=60 || true
cleanup
check "udevd, the tmpfs copies and the overlays are gone" \
	eval "[ \${#mounts[@]} = 0 ] && ! udevadm control --ping -t 2 2>/dev/null && ! grep -q ' /etc/libvirt ' /proc/mounts"
finish
