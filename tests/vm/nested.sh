#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/nested.sh [--types TYPE,TYPE] [--guest-kernel IMAGE] [--guest-timeout SECS] MODULE_DIR BIN_DIR   (inside the test VM, as root)
#
# Real clients: QEMU assigns vGPUs to nested guests. Loads nvkm_vgpu.ko and
# nvkm_vgpu_sim.ko (one simulated h100-80gb) from MODULE_DIR, switches the
# GPU to mixed placement, creates one vGPU of each TYPE (default h100-10c
# and h100-20c) and boots one nested QEMU guest per vGPU, all at once, with
# -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/<uuid>. Each guest runs
# BIN_DIR/guest-initramfs.cpio.gz (tests/vm/guest/build.sh): it reads its
# vGPU's registers through BAR0, writes a pattern seeded by vgpu.seed= over
# its BAR1 and reads it back, has a copy-engine channel copy 64 KiB and
# release semaphores, and prints one "VGPU-GUEST: result=..." line.
# Then checks each guest's line against the host's sysfs and VFIO view, and,
# after the guests are gone, reads each vGPU's BAR1 through VFIO
# (BIN_DIR/vgpu-peek) as the next user: the guest's close scrubbed it, so
# it must read zero, with no word of any guest's pattern. Removes the vGPUs and unloads the modules.
#
# Each guest boots without "quiet": a kernel splat on its console
# (tests/vm/splat.sh) fails it, and so does a vfio line, a warning or an
# error on its QEMU's stderr.
#
# Writes TAP to $NVKM_RESULTS/nested.tap, each guest's console and QEMU log
# to guest-<N>.console and guest-<N>.qemu.log, and one tab-separated row
# per vGPU to vgpus.tsv (uuid, type, FB MiB, CHIDs, guest result, host
# check, guest seconds, mdev parent, whether the guest's copy on its own
# channel landed: ok, fail or none). Prints "nested: ..." progress lines. Exits 1 if
# any check failed.
#
# The guest kernel defaults to BIN_DIR/guest-vmlinux, the small 6.12 that
# build.sh takes from scripts/build-kernel.sh guest (QEMU boots the ELF
# through its PVH entry); it reaches /init in about 10 s under TCG-in-TCG,
# where a stock Debian kernel takes about three minutes. Its SLUB has no
# per-CPU cmpxchg16b fast path (SLUB_TINY): with a vfio-pci device
# attached, that path oopsed stock 6.12 nested guests early in boot, before
# any PCI access, in 7 of 11 runs here (QEMU 7.2), never without one.
# NVKM_NESTED_APPEND replaces the guest's kernel command line (vgpu.seed=
# is added), NVKM_NESTED_QEMU_ARGS adds QEMU arguments.

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

types=h100-10c,h100-20c
guest_kernel=
guest_timeout=600
while [ $# -gt 0 ]; do
	case "$1" in
	--types) [ $# -ge 2 ] || usage; types=$2; shift 2 ;;
	--guest-kernel) [ $# -ge 2 ] || usage; guest_kernel=$2; shift 2 ;;
	--guest-timeout) [ $# -ge 2 ] || usage; guest_timeout=$2; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "nested: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
moddir=$1
bin=$2
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
IFS=, read -r -a type_list <<<"$types"
if [ -z "$guest_kernel" ]; then
	guest_kernel=$bin/guest-vmlinux
fi
qemu=${QEMU:-qemu-system-x86_64}
# Boot-time savers under TCG-in-TCG: no crypto self-tests, no ACPI (the
# guest resets to exit; BARs stay as the BIOS placed them), no clocksource
# watchdog or timer check, no audit or AppArmor. nowatchdog: a starved
# nested guest otherwise reports soft lockups that say nothing of the vGPU.
# No "quiet": the whole kernel log goes to the console, which is scanned.
guest_append=${NVKM_NESTED_APPEND:-console=ttyS0 panic=-1 cryptomgr.notests acpi=off tsc=reliable no_timer_check nowatchdog audit=0 apparmor=0}
initrd=$bin/guest-initramfs.cpio.gz
peek=$bin/vgpu-peek

tap=$results/nested.tap
rows=$results/vgpus.tsv
: >"$tap"
: >"$rows"
t_start=$(date +%s)

say() {
	echo "nested: [$(($(date +%s) - t_start))s] $*"
}

# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/vm/splat.sh
source "$(dirname "$0")/splat.sh"

# Per vGPU i: uuid, type, sysfs geometry, VFIO identity, seed, guest state.
uuids=()
seeds=()
pids=()
fb_size=()
chids=()
channels=()
vfio_type=()
guest_secs=()
guest_rc=()

stop_guests() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	pids=()
}

remove_vgpus() {
	local u
	for u in "${uuids[@]}"; do
		[ -e "/sys/bus/mdev/devices/$u" ] || continue
		echo 1 >"/sys/bus/mdev/devices/$u/remove" || true
	done
}

# Leaves the VM clean whatever happened (the final checks do it properly).
on_exit() {
	local rc=$?
	trap - EXIT
	stop_guests
	remove_vgpus
	rmmod nvkm_vgpu_sim 2>/dev/null || true
	rmmod nvkm_vgpu 2>/dev/null || true
	sim_pci_release 2>/dev/null || true
	exit "$rc"
}
trap on_exit EXIT

finish() {
	echo "1..$n" >>"$tap"
	say "$n checks, $([ $failed = 0 ] && echo all passed || echo some FAILED)"
	exit $failed
}

attr() {
	cat "/sys/bus/mdev/devices/${uuids[$1]}/nvkm_vgpu/$2"
}

# ---- host setup ----
say "guest kernel $guest_kernel, vGPU types ${type_list[*]}"
# Warm the page cache (the host root is 9p here) while the modules load:
# both guests' QEMUs read these at once when they start.
cat "$guest_kernel" "$initrd" "$(command -v "$qemu" || echo /dev/null)" \
	>/dev/null 2>&1 &
tools_present() {
	command -v "$qemu" >/dev/null && [ -f "$initrd" ] && [ -x "$peek" ] &&
		[ -f "$guest_kernel" ]
}
check "tools: $qemu, $guest_kernel, $initrd, $peek" tools_present
check "modprobe vfio vfio_iommu_type1 mdev" modprobe -a vfio vfio_iommu_type1 mdev
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko" insmod "$moddir/nvkm_vgpu.ko"
check "insmod nvkm_vgpu_sim.ko gpus= (no GPU of its own)" \
	insmod "$moddir/nvkm_vgpu_sim.ko" gpus=
# The GPU sits on a PCI function, as a real one does: its mdev parent is
# named by the function's address.
check "PCI $SIM_PCI_H100 binds to nvkm_vgpu_sim as an h100-80gb GPU" \
	sim_pci_bind "$SIM_PCI_H100" h100-80gb
[ $failed = 0 ] || finish

parent=/sys/class/mdev_bus/$SIM_PCI_H100
h100_here() {
	[ "$(cat "$parent/nvkm_vgpu/board")" = "h100 sim" ]
}
check "an h100 GPU is registered, its mdev parent PCI $SIM_PCI_H100" h100_here
[ $failed = 0 ] || finish
set_mixed() {
	echo mixed >"$parent/nvkm_vgpu/placement" &&
		[ "$(cat "$parent/nvkm_vgpu/placement")" = mixed ]
}
check "placement switched to mixed" set_mixed

create() {
	local i=$1 t=$2 u
	u=$(cat /proc/sys/kernel/random/uuid)
	uuids[i]=$u
	echo "$u" >"$parent/mdev_supported_types/nvkm_vgpu_sim-$t/create" &&
		[ "$(attr "$i" type)" = "$t" ]
}
# The host's VFIO view, before any guest: identity and geometry agree with sysfs.
vfio_info() {
	local i=$1 line
	line=$("$peek" "${uuids[i]}" info) || return 1
	echo "nested: vgpu$i host VFIO: $line"
	vfio_type[i]=$(field "$line" type)
	[ "$(field "$line" fb)" = "${fb_size[i]}" ] &&
		[ "$(field "$line" channels)" = "${channels[i]}" ] &&
		[ "$(field "$line" magic)" = 0x5647564e ] &&
		[ "$(field "$line" subsys)" = "$(printf '%#06x' $((0x1000 + vfio_type[i])))" ]
}
for i in "${!type_list[@]}"; do
	t=${type_list[i]}
	seeds[i]=$((RANDOM * 64 + i + 1))
	check "create vGPU $i of type $t" create "$i" "$t"
	[ $failed = 0 ] || finish
	fb_size[i]=$(attr "$i" fb_size)
	chids[i]=$(attr "$i" chids)
	# The guest numbers its channels 0..n-1: it sees how many, not where.
	channels[i]=$(( ${chids[i]#*-} - ${chids[i]%-*} + 1 ))
	say "vgpu$i ${uuids[i]} type $t fb_offset $(attr "$i" fb_offset) fb_size ${fb_size[i]} chids ${chids[i]} seed ${seeds[i]}"
	check "vGPU $i: VFIO identity (magic, type, subsystem ID) and geometry match sysfs" vfio_info "$i"
	[ $failed = 0 ] || finish
done
overlap_free() {
	local a b
	a=$(($(attr 0 fb_offset) + fb_size[0]))
	b=$(($(attr 1 fb_offset) + fb_size[1]))
	[ "$a" -le "$(($(attr 1 fb_offset)))" ] || [ "$b" -le "$(($(attr 0 fb_offset)))" ]
}
[ ${#uuids[@]} -lt 2 ] || check "the two slices' FB ranges do not overlap" overlap_free

# ---- nested guests, all at once ----
start_guest() {
	local i=$1 extra=()
	read -r -a extra <<<"${NVKM_NESTED_QEMU_ARGS:-}"
	: >"$results/guest-$i.console"
	: >"$results/guest-$i.times"
	timeout -k 10 "$guest_timeout" "$qemu" \
		-nodefaults -nographic -monitor none -no-reboot \
		-accel tcg -cpu max -smp 1 -m 256 \
		-kernel "$guest_kernel" -initrd "$initrd" \
		-append "$guest_append vgpu.seed=${seeds[i]}" \
		-serial "file:$results/guest-$i.console" \
		-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/${uuids[i]}" \
		"${extra[@]}" </dev/null >"$results/guest-$i.qemu.log" 2>&1 &
	pids[i]=$!
}
guest_t0=$(date +%s)
for i in "${!uuids[@]}"; do
	start_guest "$i"
	say "guest $i started (pid ${pids[i]}) on vgpu$i"
done

# Wait for every guest, reporting each result line as it appears, and the
# seconds at which each reached its milestones: firmware started, kernel
# booting, /init running (file guest-<N>.times).
declare -A reported=()
milestones=("firmware:SeaBIOS" "kernel:Booting from ROM" "init:VGPU-GUEST: init")
next_beat=30
while :; do
	running=0
	for i in "${!uuids[@]}"; do
		for m in "${milestones[@]}"; do
			if [ -z "${reported[$i${m%%:*}]+x}" ] &&
				grep -aq "${m#*:}" "$results/guest-$i.console" 2>/dev/null; then
				reported[$i${m%%:*}]=1
				echo "${m%%:*} $(($(date +%s) - guest_t0))" >>"$results/guest-$i.times"
			fi
		done
		if [ -z "${reported[r$i]+x}" ] &&
			line=$(grep -a -m1 'VGPU-GUEST: result=' "$results/guest-$i.console" 2>/dev/null); then
			reported[r$i]=1
			say "guest $i: ${line%$'\r'}"
			echo "result $(($(date +%s) - guest_t0))" >>"$results/guest-$i.times"
			say "guest $i milestones (s after start): $(tr '\n' ' ' <"$results/guest-$i.times")"
		fi
		if [ -z "${guest_rc[i]+x}" ]; then
			if kill -0 "${pids[i]}" 2>/dev/null; then
				running=$((running + 1))
			else
				rc=0
				wait "${pids[i]}" || rc=$?
				guest_rc[i]=$rc
				guest_secs[i]=$(($(date +%s) - guest_t0))
				say "guest $i exited after ${guest_secs[i]}s (qemu exit $rc)"
			fi
		fi
	done
	[ "$running" -gt 0 ] || break
	elapsed=$(($(date +%s) - guest_t0))
	if [ "$elapsed" -ge "$next_beat" ]; then
		say "waiting for $running guest(s), ${elapsed}s"
		next_beat=$((next_beat + 30))
	fi
	sleep 2
done
pids=()

# ---- verdicts ----
# A guest kernel panic also ends QEMU with exit 0 (-no-reboot): look for
# /init's last word and for no panic.
clean_exit() {
	local con=$results/guest-$1.console
	grep -aq 'VGPU-GUEST: exit=' "$con" && ! grep -aqE 'Kernel panic|Oops|BUG:' "$con"
}
# No kernel splat on the guest's console (the whole kernel log: no
# "quiet"), nor a bare stack dump; the first lines found are shown.
console_clean() {
	local con=$results/guest-$1.console found
	found=$(tr -d '\r' <"$con" | grep -aE -- "$splat_re|Call Trace:" | head -n 5 || true)
	[ -z "$found" ] && return 0
	printf '%s\n' "$found" | sed "s/^/nested: guest $1 console: /"
	return 1
}
# QEMU's own stderr: a vfio line, a warning or an error is QEMU finding
# fault with the vGPU (or failing to use it); the first lines are shown.
qemu_clean() {
	local log=$results/guest-$1.qemu.log found
	found=$(grep -aiE 'vfio|warning|error' "$log" | head -n 5 || true)
	[ -z "$found" ] && return 0
	printf '%s\n' "$found" | sed "s/^/nested: guest $1 QEMU: /"
	return 1
}
guest_line=()
host_check=()
for i in "${!uuids[@]}"; do
	line=$(grep -a -m1 'VGPU-GUEST: result=' "$results/guest-$i.console" | tr -d '\r' || true)
	guest_line[i]=$line
	if [ "${guest_rc[i]}" != 0 ]; then
		say "guest $i QEMU log: $(tail -n 5 "$results/guest-$i.qemu.log" | tr '\n' ' ')"
		say "guest $i console tail: $(tail -n 5 "$results/guest-$i.console" | tr -d '\r' | tr '\n' ' ')"
	fi
	check "guest $i: QEMU took the vGPU and the guest powered off (exit ${guest_rc[i]}, ${guest_secs[i]}s)" \
		test "${guest_rc[i]}" = 0
	check "guest $i: its kernel ran /init to the end (no panic)" clean_exit "$i"
	check "guest $i: no kernel splat on its console" console_clean "$i"
	check "guest $i: no vfio line, warning or error from its QEMU" qemu_clean "$i"
	check "guest $i: printed result=ok" test "$(field "$line" result)" = ok
	check "guest $i: FB size ${fb_size[i]} as sysfs says (guest: $(field "$line" fb || echo none))" \
		test "$(field "$line" fb)" = "${fb_size[i]}"
	check "guest $i: ${channels[i]} channels, as sysfs chids ${chids[i]} says (guest: $(field "$line" channels || echo none))" \
		test "$(field "$line" channels)" = "${channels[i]}"
	check "guest $i: type index ${vfio_type[i]} of ${type_list[i]} (guest: $(field "$line" type || echo none))" \
		test "$(field "$line" type)" = "${vfio_type[i]}"
	check "guest $i: subsystem ID 0x1000 + type index" \
		test "$(field "$line" subsys)" = "$(printf '%#06x' $((0x1000 + vfio_type[i])))"
	check "guest $i: found its slice scrubbed (zero) before writing" \
		test "$(field "$line" fresh)" = zero
	check "guest $i: wrote seed ${seeds[i]}" test "$(field "$line" seed)" = "${seeds[i]}"
	check "guest $i: its copy-engine channel $(field "$line" chan || echo none) copied 64 KiB and released both semaphores" \
		test "$(field "$line" copy)" = ok
done

# The guest's QEMU was the last user: its close scrubbed the FB, so the
# host, the next user, finds no word of any guest's pattern, only zeros.
peek_check() {
	local i=$1 all=() j out
	for j in "${!uuids[@]}"; do
		all+=("${seeds[j]}")
	done
	local rc=0
	out=$("$peek" "${uuids[i]}" clean "${all[@]}") || rc=$?
	echo "nested: vgpu$i host BAR1: $out interrupts=$(attr "$i" interrupts)"
	host_check[i]=$(field "$out" result || echo fail)
	return "$rc"
}
for i in "${!uuids[@]}"; do
	host_check[i]=fail
	check "vGPU $i: after its guest closed it, the next user (the host) reads zeros in BAR1, no guest's word" \
		peek_check "$i"
done

for i in "${!uuids[@]}"; do
	res=$(field "${guest_line[i]}" result || echo none)
	[ "$res" != fail ] || res="fail($(field "${guest_line[i]}" reason || echo ?))"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${uuids[i]}" "${type_list[i]}" \
		$((fb_size[i] >> 20)) "${chids[i]}" "$res" "${host_check[i]}" \
		"${guest_secs[i]}" "$SIM_PCI_H100" \
		"$(field "${guest_line[i]}" copy || echo none)" >>"$rows"
done

# ---- teardown ----
remove() {
	echo 1 >"/sys/bus/mdev/devices/$1/remove" && [ ! -e "/sys/bus/mdev/devices/$1" ]
}
for i in "${!uuids[@]}"; do
	check "remove vGPU $i" remove "${uuids[i]}"
done
idle() {
	[ "$(cat "$parent/nvkm_vgpu/vgpus")" = 0 ]
}
check "the GPU has no vGPU left" idle
check "rmmod nvkm_vgpu_sim" rmmod nvkm_vgpu_sim
check "rmmod nvkm_vgpu" rmmod nvkm_vgpu
check "PCI $SIM_PCI_H100 is free again" sim_pci_release
finish
