#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/fuzz.sh [--seed N] [--ops N] [--threads N] [--minutes N] [--kernel NAME]
#
# What `make fuzz` runs (as root): a long pass of the seeded VFIO fuzzer,
# tests/vm/vfio/fuzz.c, on the debug kernel (KASAN, UBSAN, lockdep,
# kmemleak). Installs missing Debian packages, gets the kernels from
# scripts/kernels.sh (which builds the debug kernel if it is not cached),
# builds the modules for the chosen kernel and the VFIO test programs, then
# boots one VM (tests/vm/run-vm.sh) running tests/vm/vgpu.sh with fuzz
# alone. The run fails on a kernel splat, a hang, or a failed check of the
# fuzzer's (see tests/vm/vfio/README.md).
#
#   --seed N     the seed (default: a random one, printed); a seed replays
#                the same operations in each thread
#   --ops N      operations per device thread (default 20000)
#   --threads N  device threads (default 3)
#   --minutes N  stop the operations after N minutes even if --ops are not
#                done (default 60); the checks still run
#   --kernel K   another kernel of scripts/kernels.sh (stock-6.12, ...)
#
# Prints a line at least every minute and ends with PASS or FAIL, the seed
# and the command that replays the run. Everything lands in build/fuzz/:
# the VM's results in build/fuzz/vm/ (fuzz.tap, fuzz.trace with the last
# operations of each thread, console.log, dmesg.txt).
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/fuzz
seed=
ops=20000
threads=3
minutes=60
kernel=debug
while [ $# -gt 0 ]; do
	case $1 in
	--seed | --ops | --threads | --minutes | --kernel)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			usage
		fi
		case $1 in
		--seed) seed=$2 ;;
		--ops) ops=$2 ;;
		--threads) threads=$2 ;;
		--minutes) minutes=$2 ;;
		--kernel) kernel=$2 ;;
		esac
		shift 2
		;;
	*) usage ;;
	esac
done
case "$seed$ops$threads$minutes" in
*[!0-9]*) echo "fuzz: --seed, --ops, --threads and --minutes take integers" >&2; exit 2 ;;
esac
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
t0=$SECONDS

me=fuzz
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (it installs packages, loads modules in a VM)"
mkdir -p "$out"
say "seed $seed, $ops operations per device thread, $threads device threads, at most $minutes min, on the $kernel kernel"

say "checking Debian packages (scripts/install-deps.sh)"
run_logged "$out/install-deps.log" "$top/scripts/install-deps.sh" ||
	die "installing packages (log: $out/install-deps.log)"

say "kernels (scripts/kernels.sh; builds the debug kernel when it is not cached)"
"$top/scripts/kernels.sh" >"$out/kernels.txt" 2>"$out/kernels.log" &
wait_logged $! "$out/kernels.log" || {
	tail -n 30 "$out/kernels.log" | sed 's/^/    /' >&2
	die "kernels (log: $out/kernels.log)"
}
read -r kdir image rel moddir < <(awk -v k="$kernel" '$1 == k { print $2, $3, $4, $5 }' "$out/kernels.txt") ||
	die "no kernel $kernel in scripts/kernels.sh's list: $(cut -d' ' -f1 "$out/kernels.txt" | tr '\n' ' ')"

say "building the modules for $rel and the VFIO test programs"
run_logged "$out/build-module.log" "$top/scripts/build-module.sh" "$kdir" "$out/modules-$kernel" ||
	die "module build (log: $out/modules-$kernel/build.log)"
run_logged "$out/vfio-bin.log" make -C "$top/tests/vm/vfio" O="$out/bin" ||
	die "test programs (log: $out/vfio-bin.log)"

# The fuzzer stops its operations after --minutes; then it checks, and the
# modules unload. The debug kernel boots in minutes under TCG.
secs=$((minutes * 60))
limit=$((secs + 600))
timeout=$((limit + 1500))
res=$out/vm
say "booting $rel under QEMU (TCG): vgpu.sh runs fuzz --seed $seed --ops $ops --threads $threads"
"$top/tests/vm/run-vm.sh" --timeout "$timeout" --mem 3072 --smp 2 \
	"$image" "$rel" "$moddir" "$res" "$top/tests/vm/vgpu.sh" --limit "$limit" \
	"$out/modules-$kernel" "$out/bin" \
	"fuzz --seed $seed --ops $ops --threads $threads --seconds $secs" \
	>"$out/run-vm.log" 2>&1 &
vm_rc=0
wait_vm $! "$res" fuzz.tap || vm_rc=$?

echo
grep -a '^# progress' "$res/fuzz.tap" 2>/dev/null | tail -n 1 | sed 's/^/  /'
grep -aE '^(ok|not ok|Bail out!|# (seed|d[0-9]+|churn|hot|the time))' "$res/fuzz.tap" 2>/dev/null |
	sed 's/^/  /' || echo "  (no TAP from fuzz: $res/fuzz.tap)"
grep -E '^vm: ' "$out/run-vm.log" | head -n 20 | sed 's/^/  /'
replay="make fuzz SEED=$seed OPS=$ops THREADS=$threads"
[ "$kernel" = debug ] || replay+=" KERNEL=$kernel"
if [ "$vm_rc" = 0 ] && grep -q '^vm: PASS' "$out/run-vm.log"; then
	say "PASS: seed $seed; no splat, no hang, the vGPUs and GPUs still work (replay: $replay)"
	exit 0
fi
if [ -s "$res/fuzz.trace" ]; then
	echo "  the last operations before the end (all threads, $res/fuzz.trace):"
	grep -av '^ *$' "$res/fuzz.trace" | sort | tail -n 12 | sed 's/ *$//; s/^/    /'
fi
say "FAIL: seed $seed (replay: $replay; results $res/, log $out/run-vm.log)"
exit 1
