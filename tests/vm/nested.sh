#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/nested.sh [--types TYPE,TYPE] [--guest-kernel IMAGE] [--guest-timeout SECS] [--busy-ms MS] MODULE_DIR BIN_DIR   (inside the test VM, as root)
#
# Real clients: QEMU assigns vGPUs to nested guests. Loads nvkm_vgpu.ko and
# nvkm_vgpu_sim.ko (one simulated h100-80gb) from MODULE_DIR, switches the
# GPU to mixed placement and its scheduler to fixed_share, creates one
# vGPU of each TYPE (default h100-10c and h100-20c, weights 10 and 20: a
# third and two thirds of gr0) and boots one nested QEMU guest per vGPU,
# all at once, with -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/<uuid>.
# Each guest runs BIN_DIR/guest-initramfs.cpio.gz (tests/vm/guest/build.sh):
# it reads its vGPU's registers through BAR0, writes a pattern seeded by
# vgpu.seed= over its BAR1 and reads it back, has a copy-engine channel copy
# 64 KiB and release semaphores, then keeps the GR engine busy with MS
# launches of 1 ms (vgpu.busy_ms=, --busy-ms, default 12000; 0 skips it),
# and prints one "VGPU-GUEST: result=..." line.
# While the guests run, scripts/vgpu-smi --json --watch 1 samples the GPU
# into smi-watch.jsonl (each line prefixed with the epoch time it was
# read), and whenever its last sample had both vGPUs busy on gr0 the
# table of a one-second vgpu-smi run is kept; the one nearest the middle of
# the longest stretch of samples where both were busy becomes smi-table.txt.
# Over that stretch (less its first and last interval, which may hold a
# guest's start or end), each vGPU's delivered gr0 share, its busy_ns growth
# over the sum of both, must be within 5 points (share_tol) of the share
# it is owed (smi-share.txt has the figures).
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
# channel landed: ok, fail or none; whether its busy phase ran: ok, fail,
# skip or none; its delivered gr0 share in % while both were busy, or -).
# Prints "nested: ..." progress lines. Exits 1 if any check failed.
#
# The guest kernel defaults to BIN_DIR/guest-vmlinux, the small 6.12 that
# build.sh takes from scripts/build-kernel.sh guest (QEMU boots the ELF
# through its PVH entry); it reaches /init in about 10 s under TCG-in-TCG,
# where a stock Debian kernel takes about three minutes. Its SLUB has no
# per-CPU cmpxchg16b fast path (SLUB_TINY): with a vfio-pci device
# attached, that path oopsed stock 6.12 nested guests early in boot, before
# any PCI access, in 7 of 11 runs here (QEMU 7.2), never without one.
# NVKM_NESTED_APPEND replaces the guest's kernel command line (vgpu.seed=
# and vgpu.busy_ms= are added), NVKM_NESTED_QEMU_ARGS adds QEMU arguments.
#
# --busy-ms: the guests boot a few seconds apart (up to 13 s measured under
# TCG-in-TCG), so each one's busy phase must outlast that skew for the two
# to overlap: under fixed_share the 10c guest, alone at first, runs at full
# speed, then at a third. make demo passes a longer one (scripts/demo.sh).

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
busy_ms=12000
while [ $# -gt 0 ]; do
	case "$1" in
	--types) [ $# -ge 2 ] || usage; types=$2; shift 2 ;;
	--guest-kernel) [ $# -ge 2 ] || usage; guest_kernel=$2; shift 2 ;;
	--guest-timeout) [ $# -ge 2 ] || usage; guest_timeout=$2; shift 2 ;;
	--busy-ms) [ $# -ge 2 ] || usage; busy_ms=$2; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "nested: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
case $busy_ms in '' | *[!0-9]*) usage ;; esac
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
smi=$(cd "$(dirname "$0")/../.." && pwd)/scripts/vgpu-smi
# How far each vGPU's delivered gr0 share may be from the one it is owed,
# as a fraction of the engine. The scheduler itself keeps a share to within
# about one slice (2 ms) per vGPU over any stretch; what moves the figure
# here is TCG: the samples' reads of the two vGPUs' busy_ns are not atomic,
# a slice in flight at either end of the window is not yet counted, and
# under TCG-in-TCG a starved engine thread overruns a 1 ms launch by tens
# of ms, all charged. Over a window of a few seconds that is a few
# percent at most; 0.05 (5 points of the engine) leaves room for it and
# still tells 1/3 : 2/3 from 1/2 : 1/2 or best effort.
share_tol=0.05

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
smi_pid=
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
	[ -z "$smi_pid" ] || kill "$smi_pid" 2>/dev/null || true
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

# fixed_share: each vGPU with channels on an engine is owed its weight over
# the sum of their weights (by default the types' FB GiB).
weights=()
wsum=0
for i in "${!uuids[@]}"; do
	weights[i]=$(attr "$i" weight)
	wsum=$((wsum + weights[i]))
done
set_fixed_share() {
	echo fixed_share >"$parent/nvkm_vgpu/scheduler" &&
		[ "$(cat "$parent/nvkm_vgpu/scheduler")" = fixed_share ]
}
check "scheduler fixed_share (weights ${weights[*]}: gr0 shares $(
	for w in "${weights[@]}"; do printf '%s/%s ' "$w" "$wsum"; done | sed 's/ $//'))" \
	set_fixed_share

# vgpu-smi samples the GPU every second while the guests run, each line
# prefixed with when it was read. (No process substitution: the VM has no
# /dev/fd.) Killing vgpu-smi (its PID in smi-watch.pid) ends the reader.
: >"$results/smi-tables.txt"
rm -f "$results/smi-watch.pid"
{
	"$smi" --gpu "$SIM_PCI_H100" --json --watch 1 2>"$results/smi-watch.err" &
	echo $! >"$results/smi-watch.pid"
	wait
} | while IFS= read -r l; do
	printf '%s %s\n' "$EPOCHREALTIME" "$l"
done >"$results/smi-watch.jsonl" &
smi_reader=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -s "$results/smi-watch.pid" ] && break
	sleep 0.5
done
smi_pid=$(cat "$results/smi-watch.pid" 2>/dev/null || true)

# True when vgpu-smi's last sample had every vGPU busy on gr0.
all_busy_now() {
	tail -n 1 "$results/smi-watch.jsonl" 2>/dev/null |
		grep -o '"gr0":{[^}]*}' | grep -o '"utilisation":[^,}]*' | cut -d: -f2 |
		awk -v n="${#uuids[@]}" '$1 + 0 > 0 { b++ } END { exit !(b == n) }'
}
# True when vgpu-smi's table FILE shows every vGPU busy on gr0.
table_all_busy() {
	awk -v n="${#uuids[@]}" '
		$1 == "UUID" { for (i = 1; i <= NF; i++) if ($i == "gr0%") c = i; next }
		c && $1 ~ /^[0-9a-f]+-[0-9a-f]+-/ { v++; if ($c + 0 > 0) b++ }
		END { exit !(v == n && b == n) }' "$1"
}
# While every vGPU is busy, keeps vgpu-smi's table (a one-second sample) at
# most every 4 s: smi-tables.txt lists when each was taken, and its file.
tables=0
last_table=0
take_table() {
	local f
	[ $((SECONDS - last_table)) -ge 4 ] && all_busy_now || return 0
	last_table=$SECONDS
	f=$results/smi-table.$tables.txt
	local t=$EPOCHREALTIME
	"$smi" --gpu "$SIM_PCI_H100" --interval 1 >"$f" 2>&1 || return 0
	tables=$((tables + 1))
	if table_all_busy "$f"; then
		echo "$t $EPOCHREALTIME $f" >>"$results/smi-tables.txt"
	fi
}

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
		-append "$guest_append vgpu.seed=${seeds[i]} vgpu.busy_ms=$busy_ms" \
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
	take_table
	elapsed=$(($(date +%s) - guest_t0))
	if [ "$elapsed" -ge "$next_beat" ]; then
		say "waiting for $running guest(s), ${elapsed}s"
		next_beat=$((next_beat + 30))
	fi
	sleep 2
done
pids=()
[ -z "$smi_pid" ] || kill "$smi_pid" 2>/dev/null || true
wait "$smi_reader" 2>/dev/null || true
smi_pid=

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
	if [ "$busy_ms" -gt 0 ]; then
		check "guest $i: its GR channel ran $busy_ms launches of 1 ms and released its semaphore (guest: busy=$(field "$line" busy || echo none), $(field "$line" busy_ms || echo -) ms by its clock, $(field "$line" busy_host_ms || echo -) ms by the host's)" \
			test "$(field "$line" busy)" = ok
	fi
done

# ---- gr0 shares, from vgpu-smi's samples ----
# Prints key=value lines: the samples read, the longest run of consecutive
# samples in which every vGPU's gr0 utilisation was above 0, and over that
# run less its first and last interval (a guest may have started or ended
# inside them; in between both had work queued all along): its length,
# each vGPU's busy_ns growth, delivered share and owed share (share_ppm),
# and the kept table taken nearest the window's middle.
share_analysis() {
	python3 - "$results/smi-watch.jsonl" "$results/smi-tables.txt" "${uuids[@]}" <<'EOF'
import json
import sys

jsonl, tables, uuids = sys.argv[1], sys.argv[2], sys.argv[3:]
samples = []
with open(jsonl) as f:
    for line in f:
        t, _, doc = line.partition(" ")
        try:
            d = json.loads(doc)
        except ValueError:
            continue
        st = {}
        for g in d["gpus"]:
            for v in g["vgpus"]:
                e = (v.get("engines") or {}).get("gr0")
                if e:
                    st[v["uuid"]] = e
        samples.append((float(t), st))
print("samples=%d" % len(samples))


def all_busy(s):
    return all(u in s[1] and s[1][u]["busy_ns"] is not None and
               (s[1][u]["utilisation"] or 0) > 0 for u in uuids)


best, run = [], []
for s in samples:
    run = run + [s] if all_busy(s) else []
    if len(run) > len(best):
        best = run
print("run=%d" % len(best))
if len(best) < 3:
    sys.exit(0)
a, b = best[0], best[-2]
d = [b[1][u]["busy_ns"] - a[1][u]["busy_ns"] for u in uuids]
total = sum(d)
print("window_s=%.1f" % (b[0] - a[0]))
print("engine_busy=%.3f" % (total / 1e9 / (b[0] - a[0])))
for i, u in enumerate(uuids):
    print("busy_ms%d=%.0f" % (i, d[i] / 1e6))
    print("share%d=%.4f" % (i, d[i] / total if total else 0))
    print("owed%d=%.4f" % (i, (b[1][u]["share_ppm"] or 0) / 1e6))
mid = (a[0] + b[0]) / 2
near = None
with open(tables) as f:
    for line in f:
        t0, t1, path = line.split()
        t = (float(t0) + float(t1)) / 2
        if a[0] - 1 <= t <= best[-1][0] and \
                (near is None or abs(t - mid) < abs(near[0] - mid)):
            near = (t, path)
if near:
    print("table=%s" % near[1])
    print("table_at=%.0f" % (near[0] - a[0]))
EOF
}
declare -A sh=()
share=()
pct() {
	awk -v x="$1" 'BEGIN { printf "%.1f", 100 * x }'
}
within() {
	awk -v a="$1" -v b="$2" -v t="$share_tol" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'
}
# vGPU I's delivered share is within share_tol of what it is owed.
share_ok() {
	[ -n "${sh[share$1]:-}" ] && [ "${sh[busy_ms$1]:-0}" -gt 0 ] &&
		within "${sh[share$1]}" "${sh[owed$1]}"
}
keep_table() {
	[ -n "${sh[table]:-}" ] && cp "${sh[table]}" "$results/smi-table.txt"
}
if [ "$busy_ms" -gt 0 ]; then
	share_analysis >"$results/smi-share.txt" 2>"$results/smi-share.err" || true
	while IFS='=' read -r k v; do
		sh[$k]=$v
	done <"$results/smi-share.txt"
	say "vgpu-smi: ${sh[samples]:-0} samples, ${sh[run]:-0} in a row with both vGPUs busy on gr0"
	check "vgpu-smi saw every vGPU busy on gr0 at once in 3 samples in a row or more (${sh[run]:-0})" \
		test "${sh[run]:-0}" -ge 3
	if [ -n "${sh[window_s]:-}" ]; then
		line="gr0 over the ${sh[window_s]} s both guests were busy (engine $(pct "${sh[engine_busy]}") % busy):"
		for i in "${!uuids[@]}"; do
			share[i]=$(pct "${sh[share$i]}")
			line+=" vgpu$i ${type_list[i]} ${share[i]} % (${sh[busy_ms$i]} ms, owed $(pct "${sh[owed$i]}") %)"
		done
		say "$line"
	fi
	for i in "${!uuids[@]}"; do
		check "vGPU $i: the scheduler owes it ${weights[i]}/$wsum of gr0 (share_ppm: $(pct "${sh[owed$i]:-0}") %)" \
			within "${sh[owed$i]:-0}" "$(awk -v w="${weights[i]}" -v s="$wsum" 'BEGIN { print w / s }')"
		check "vGPU $i: delivered gr0 share $(pct "${sh[share$i]:--0.01}") % within $(pct "$share_tol") points of its $(pct "${sh[owed$i]:-0}") % while both guests were busy" \
			share_ok "$i"
	done
	check "vgpu-smi's table while both guests ran saved as smi-table.txt (${sh[table_at]:--}s into the window)" keep_table
fi

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
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${uuids[i]}" "${type_list[i]}" \
		$((fb_size[i] >> 20)) "${chids[i]}" "$res" "${host_check[i]}" \
		"${guest_secs[i]}" "$SIM_PCI_H100" \
		"$(field "${guest_line[i]}" copy || echo none)" \
		"$(field "${guest_line[i]}" busy || echo none)" "${share[i]:--}" >>"$rows"
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
