#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/run-vm.sh [--timeout SECS] [--mem MB] [--smp N] [--append ARGS] [--kmemleak] [--verbose]
#                           KERNEL_IMAGE KERNEL_RELEASE MODDIR RESULTS_DIR SCRIPT [ARGS...]
#
# Boots KERNEL_IMAGE under QEMU (TCG, no KVM needed) with a busybox
# initramfs (tests/vm/mkinitramfs.sh) that mounts the host's / read-only
# over virtio-9p and runs "bash SCRIPT ARGS..." chrooted into it, with
# NVKM_RESULTS=/tmp/results pointing at RESULTS_DIR (shared read-write).
# Then judges the run and exits 0 only if it passed:
#   - the guest ended (a reset: QEMU runs -no-reboot) before --timeout
#     (default 600 s),
#   - SCRIPT wrote an exit code and it is 0,
#   - no kernel splat (BUG/WARNING/KASAN/UBSAN/lockdep/Oops/panic/...) in
#     dmesg.txt or in the kernel lines of console.log,
#   - kmemleak.txt (debug kernels only) is empty; with --kmemleak, it must
#     exist: a kernel whose kmemleak is missing or turned itself off fails.
# A run that fails during the kernel's boot, before SCRIPT starts, is retried
# once (see "boot failed" below); the retry says so ("vm: retried once: ..."
# and RESULTS_DIR/retried).
# It prints a line a minute while the guest runs (the minutes, the
# console's last line).
#
# The guest has two spare PCI functions with no driver, QEMU pci-testdev
# devices at 0000:00:10.0 and 0000:00:11.0, for the simulated GPU's PCI
# mode (nvkm_glue/sim/pci.c; tests/vm/lib.sh, sim_pci_bind).
#
# MODDIR is the prefix holding lib/modules/KERNEL_RELEASE: "/" for the
# host's stock kernels, "<debug-kernel-dir>/modroot" for the debug kernel.
# SCRIPT (and anything it uses) must live on the host outside /tmp, /run,
# /var/tmp, /proc, /sys and /dev, which the guest covers with its own mounts.
# RESULTS_DIR is emptied first; it must be empty, new, or a previous
# run-vm.sh results dir.
#
# Options:
#   --timeout SECS   kill the guest after SECS seconds (default 600)
#   --mem MB         guest memory (default 2048)
#   --smp N          guest CPUs (default 2)
#   --append ARGS    extra kernel command line arguments
#   --kmemleak       the kernel has kmemleak (the debug kernel): a run
#                    whose leak scan could not run fails
#   --verbose        also stream the serial console to stdout
# Environment: NVKM_VM_CACHE (initramfs cache dir), QEMU (qemu binary),
# NVKM_VM_CPU (QEMU -cpu model, default max,la57=off).
set -euo pipefail

usage() {
	sed -n '3,4s/^# //p' "$0" >&2
	exit 2
}

# Everything as given, for the one retry of a run whose boot failed.
orig_args=("$@")
attempt=${NVKM_VM_ATTEMPT:-1}
timeout_s=600
mem=2048
smp=2
append=
kmemleak=0
verbose=${NVKM_VM_VERBOSE:-0}
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--mem=*) mem=${1#*=}; shift ;;
	--smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
	--smp=*) smp=${1#*=}; shift ;;
	--append) [ $# -ge 2 ] || usage; append=$2; shift 2 ;;
	--append=*) append=${1#*=}; shift ;;
	--kmemleak) kmemleak=1; shift ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "run-vm: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 5 ] || usage
case "$timeout_s$mem$smp" in
*[!0-9]*) echo "run-vm: --timeout, --mem and --smp take integers" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
kernel=$(realpath -e "$1")
krel=$2
moddir=$(realpath -e "$3")
results=$4
script=$(realpath -e "$5")
shift 5
qemu=${QEMU:-qemu-system-x86_64}

die() {
	echo "run-vm: $*" >&2
	exit 2
}

[ -f "$kernel" ] || die "$kernel is not a file"
[ -d "$moddir/lib/modules/$krel" ] || die "$moddir/lib/modules/$krel does not exist"
[ -f "$script" ] || die "$script is not a file"
command -v "$qemu" >/dev/null || die "$qemu not found (apt-get install qemu-system-x86)"

# The guest sees the host's / with tmpfs/proc/sysfs/devtmpfs over these.
hidden() {
	case "$1/" in
	/tmp/* | /run/* | /var/tmp/* | /proc/* | /sys/* | /dev/*) return 0 ;;
	esac
	return 1
}
# The repository this harness belongs to is shared on its own, at its own
# path, so a checkout under /tmp or /var/tmp (a CI clone) works too.
work=$(cd "$here/../.." && pwd)
inside_work() {
	case "$1/" in
	"$work"/*) return 0 ;;
	esac
	return 1
}
if hidden "$script" && ! inside_work "$script"; then
	die "$script is under a directory the guest does not see from the host"
fi
case "$script$moddir$work" in
*[!A-Za-z0-9._/+,:@=-]*) die "script and MODDIR paths must not contain spaces or shell/cmdline special characters" ;;
esac
if [ "$moddir" != / ] && hidden "$moddir"; then
	echo "run-vm: warning: $moddir is not visible in the guest; modprobe of other modules will not work there" >&2
fi

# Fresh results dir: refuse to wipe anything that is not ours.
marker=.nvkm-vm-results
if [ -d "$results" ] && [ -n "$(ls -A "$results")" ] && [ ! -e "$results/$marker" ]; then
	die "$results is not empty and not a run-vm.sh results dir; refusing to clear it"
fi
mkdir -p "$results"
results=$(realpath -e "$results")
[ "$results" != / ] || die "refusing to use / as RESULTS_DIR"
find "$results" -mindepth 1 -delete
touch "$results/$marker"
# The second attempt of a run whose boot failed (see the end) keeps why.
if [ "$attempt" != 1 ]; then
	echo "${NVKM_VM_RETRIED:-the boot failed}" >"$results/retried"
fi

# Initramfs, cached by everything that goes into it.
cache=${NVKM_VM_CACHE:-${TMPDIR:-/tmp}/nvkm-vgpu-vm-cache-$(id -u)}
mkdir -p "$cache"
moddep="$moddir/lib/modules/$krel/modules.dep"
key=$( {
	cat "$here/mkinitramfs.sh"
	echo "$krel $moddir"
	stat -c '%s %Y' "$moddep" 2>/dev/null || true
	stat -Lc '%s %Y' /bin/busybox
} | sha256sum | cut -c1-16)
initrd="$cache/initramfs-$krel-$key.cpio.gz"
if [ ! -f "$initrd" ]; then
	"$here/mkinitramfs.sh" "$krel" "$moddir" "$initrd"
fi

# pci=noacpi: PCI interrupt routing from the BIOS's table, not from ACPI's
# _PRT. A debug build's AML interpreter is slow enough under TCG to hit
# ACPI's 30 s loop timeout evaluating _PRT, three times in a boot ("ACPI
# Error: ... AE_AML_LOOP_TIMEOUT"). Every kernel here still needs ACPI's
# MADT to find its CPUs: SeaBIOS's MP table lists only the boot CPU.
cmdline="console=ttyS0 printk.time=1 panic=-1 oops=panic loglevel=7 pci=noacpi"
cmdline+=" nvkm.script=$script nvkm.moddir=$moddir nvkm.work=$work"
if [ $# -gt 0 ]; then
	cmdline+=" nvkm.args=$(printf '%q ' "$@" | base64 -w0)"
fi
[ -z "$append" ] || cmdline+=" $append"

# No 5-level paging (la57=off): with it, a KASAN kernel reports a false
# "wild-memory-access" for any interrupt taken while identify_cpu() has
# boot_cpu_data's feature bits cleared, because KASAN's idea of the kernel
# address range follows X86_FEATURE_LA57 (arch/x86/include/asm/kasan.h).
# TCG's slow CPUID emulation widens that window enough to hit it.
cpu=${NVKM_VM_CPU:-max,la57=off}
qemu_args=(
	-accel tcg -cpu "$cpu" -smp "$smp" -m "$mem"
	-nodefaults -nographic -no-reboot -monitor none
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-chardev "stdio,id=con0,signal=off,logfile=$results/console.log"
	-serial chardev:con0
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
	-fsdev "local,id=results,path=$results,security_model=none"
	-device "virtio-9p-pci,fsdev=results,mount_tag=results"
	-fsdev "local,id=work,path=$work,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=work,mount_tag=work"
	-device "pci-testdev,addr=10.0"
	-device "pci-testdev,addr=11.0"
)

echo "run-vm: booting $krel ($(basename "$kernel")), timeout ${timeout_s}s, results in $results"
start=$(date +%s)
rc=0
# The console goes to stdout only with --verbose. Either way a line a
# minute, so that a long boot (the debug kernel takes minutes under TCG)
# is not silent, and a caller that filters the console (make demo) still
# hears from it: the time and the console's last line.
if [ "$verbose" = 1 ]; then
	exec 3>&1
else
	exec 3>/dev/null
fi
timeout -k 10 "$timeout_s" "$qemu" "${qemu_args[@]}" </dev/null >&3 2>"$results/qemu.log" &
qpid=$!
trap 'kill "$qpid" 2>/dev/null; exit 130' INT TERM
beat=60
while kill -0 "$qpid" 2>/dev/null; do
	sleep 1
	now=$(($(date +%s) - start))
	[ "$now" -ge "$beat" ] || continue
	beat=$((now - now % 60 + 60))
	echo "run-vm: $((now / 60)) min: $(tail -n 1 "$results/console.log" 2>/dev/null |
		tr -cd '[:print:]\t' | cut -c1-100)"
done
wait "$qpid" || rc=$?
trap - INT TERM
exec 3>&-
elapsed=$(($(date +%s) - start))
echo "run-vm: guest finished in ${elapsed}s (qemu exit $rc)"

# ---- verdict ----
reasons=()
fail() { reasons+=("$1"); }

if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "vm: timeout after ${timeout_s} s"
	fail "timeout"
elif [ "$rc" != 0 ]; then
	echo "vm: qemu exited with $rc: $(tail -n 3 "$results/qemu.log" 2>/dev/null | tr '\n' ' ')"
	fail "qemu exit $rc"
fi

if [ -f "$results/console.log" ]; then
	grep -a 'nvkm-init: FATAL' "$results/console.log" | sed 's/^/vm: console: /' || true
fi

if [ ! -s "$results/exit-code" ]; then
	echo "vm: no exit-code file: the test script did not finish"
	if [ -s "$results/console.log" ]; then
		tail -n 5 "$results/console.log" | tr -d '\r' | sed 's/^/vm: console tail: /'
	fi
	fail "no exit code"
else
	code=$(tr -d '[:space:]' <"$results/exit-code")
	if [ "$code" != 0 ]; then
		echo "vm: test script exited with ${code:-?}"
		fail "script exit ${code:-?}"
	fi
fi

# Every CPU QEMU gave the guest must be online: a kernel that finds only
# the boot CPU passes its tests all the same, on half the machine and with
# no lock taken on two CPUs at once.
if [ -s "$results/cpus" ]; then
	ncpus=$(tr -d '[:space:]' <"$results/cpus")
	if [ "$ncpus" != "$smp" ]; then
		echo "vm: the kernel brought up ${ncpus:-?} of the guest's $smp CPUs"
		fail "CPUs ${ncpus:-?}/$smp"
	fi
fi

# Kernel splats. "Call Trace:" alone is reported only when nothing else in
# the same file explains it (e.g. a bare dump_stack()).
# shellcheck source=tests/vm/splat.sh
source "$here/splat.sh"
ts_re='^.*\[ *[0-9]+\.[0-9]+\](\[ *[CT][0-9]+\])? '
declare -A seen=()
max_lines=15

# scan LABEL FILE KERNEL_LINES_ONLY
scan() {
	local label=$1 file=$2 konly=$3 lines msg n=0 total=0 found=0 new=0
	[ -f "$file" ] || return 0
	if [ "$konly" = 1 ]; then
		lines=$(grep -aE "$ts_re" "$file" | sed -E "s/$ts_re//" | tr -d '\r' || true)
	else
		lines=$(sed -E "s/$ts_re//" "$file" | tr -d '\r')
	fi
	while IFS= read -r msg; do
		[ -n "$msg" ] || continue
		found=1
		[ -z "${seen[$msg]+x}" ] || continue
		seen[$msg]=1
		new=1
		total=$((total + 1))
		if [ "$n" -lt "$max_lines" ]; then
			echo "vm: $label: $msg"
			n=$((n + 1))
		fi
	done < <(printf '%s\n' "$lines" | grep -aE -- "$splat_re" || true)
	if [ "$found" = 0 ]; then
		msg=$(printf '%s\n' "$lines" | grep -aB1 -- 'Call Trace:' | head -n 1 || true)
		if [ -n "$msg" ]; then
			echo "vm: $label: stack dump (Call Trace:) after: $msg"
			new=1
			total=1
		fi
	fi
	[ "$total" -le "$max_lines" ] || echo "vm: $label: ... $((total - max_lines)) more"
	[ "$new" = 0 ] || fail "$label splat"
	# The first report in full, so a CI log alone says where it came from.
	# grep stops reading after it: printf may die of SIGPIPE, which
	# pipefail and set -e must not turn into the end of this script.
	if [ "$new" = 1 ] && [ -z "$context_shown" ]; then
		context_shown=1
		printf '%s\n' "$lines" | grep -aE -m1 -A "$context_lines" -- "$splat_re|Call Trace:" |
			sed "s/^/vm: $label|   /" || true
	fi
}
context_shown=
context_lines=40
scan dmesg "$results/dmesg.txt" 0
scan console "$results/console.log" 1

if [ -s "$results/kmemleak.txt" ]; then
	nleak=$(grep -c 'unreferenced object' "$results/kmemleak.txt" || true)
	echo "vm: kmemleak: ${nleak} unreferenced object(s), first: $(grep -m1 'unreferenced object' "$results/kmemleak.txt" || head -n1 "$results/kmemleak.txt")"
	# First object's backtrace, up to 5 frames (the first are allocators).
	bt=$(awk '/backtrace/ { on = 1; next } on && /^ +[^ ]/ { sub(/^ +/, ""); print; if (++n == 5) exit; next } on { exit }' \
		"$results/kmemleak.txt" | paste -sd' ' - | sed 's/ / < /g' || true)
	[ -z "$bt" ] || echo "vm: kmemleak: backtrace: ${bt}"
	fail "kmemleak"
fi

if [ -s "$results/kmemleak-boot.txt" ]; then
	echo "vm: note: kmemleak: $(grep -c 'unreferenced object' "$results/kmemleak-boot.txt" || true) object(s) leaked during boot, before the test (ignored, see kmemleak-boot.txt)"
fi
if [ "$kmemleak" = 1 ] && [ -s "$results/exit-code" ] && [ ! -e "$results/kmemleak.txt" ]; then
	# The script ran, then no leak scan: the kernel has no kmemleak, or it
	# turned itself off (its dmesg line is a splat as well).
	why=$(cat "$results/kmemleak-unavailable" 2>/dev/null || echo "no /sys/kernel/debug/kmemleak")
	echo "vm: kmemleak: no leak check on a kernel that must have one ($why)"
	fail "no kmemleak"
elif [ -e "$results/kmemleak-unavailable" ]; then
	echo "vm: note: $(cat "$results/kmemleak-unavailable") (no leak check)"
fi
if [ -s "$results/retried" ]; then
	echo "vm: retried once: $(cat "$results/retried")"
fi

if [ ${#reasons[@]} -eq 0 ]; then
	echo "vm: PASS ($krel, ${elapsed}s)"
	exit 0
fi

# A run that failed before the test script started (no script-start, or
# a splat stamped earlier) failed in the kernel's own boot, where none of
# this project's code runs: under TCG that happens now and then (a stale
# translated int3 after text_poke_bp(), seen on stock 6.12). Such a run is
# retried once; the failed attempt is kept next to RESULTS_DIR.
# first_splat: "SECONDS MESSAGE" of the earliest timestamped splat line.
first_splat() {
	cat "$results/dmesg.txt" "$results/console.log" 2>/dev/null |
		grep -aE -- "$splat_re" |
		tr -d '\r' | sed -nE 's/^[^[]*\[ *([0-9]+\.[0-9]+)\](\[ *[CT][0-9]+\])? (.*)/\1 \3/p' |
		sort -g | head -n 1
}
boot_failed=0
script_start=$(cat "$results/script-start" 2>/dev/null || true)
splat=$(first_splat || true)
splat_ts=${splat%% *}
if [ -z "$script_start" ]; then
	boot_failed=1
elif [ -n "$splat_ts" ] && awk -v a="$splat_ts" -v b="$script_start" 'BEGIN { exit !(a < b) }'; then
	boot_failed=1
fi
if [ "$boot_failed" = 1 ] && [ "$attempt" = 1 ]; then
	rm -rf "$results.boot-failure"
	cp -a "$results" "$results.boot-failure"
	summary=$(printf '%s, ' "${reasons[@]}")
	why="${summary%, }; ${splat:+at ${splat_ts}s: $(printf '%s' "${splat#* }" | cut -c1-80); }test start ${script_start:-never}"
	echo "vm: the boot failed before the test started ($why); once more, attempt 1 kept in $results.boot-failure"
	NVKM_VM_ATTEMPT=2 NVKM_VM_RETRIED="$why" exec "$0" "${orig_args[@]}"
fi
summary=$(printf '%s, ' "${reasons[@]}")
echo "vm: FAIL (${summary%, }) [$krel, ${elapsed}s, see $results]"
exit 1
