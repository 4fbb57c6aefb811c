#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/selftest.sh KERNEL_IMAGE KERNEL_RELEASE MODDIR [RESULTS_BASE]
#
# Checks the VM harness itself: boots the given kernel once per case with
# tests/vm/selftest-guest.sh and verifies that run-vm.sh passes good runs
# and fails bad ones for the right reason. About 10 s per case for a stock
# kernel under TCG (the hang case waits for its 40 s timeout). Prints TAP
# and a closing "N passed, N failed" line; exits non-zero on any failure.
# The no-kmemleak case expects a kernel without kmemleak (a stock one).
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: $0 KERNEL_IMAGE KERNEL_RELEASE MODDIR [RESULTS_BASE]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
kernel=$1 krel=$2 moddir=$3
base=${4:-/var/tmp/nvkm-vm-selftest/$krel}
guest="$here/selftest-guest.sh"
timeout_s=${NVKM_VM_TIMEOUT:-300}

# name|expected run-vm exit|regex its output must match|timeout|run-vm
# options|guest args
cases=(
	"smoke|0|^vm: PASS|$timeout_s||SMOKE"
	"args|0|^vm: PASS|$timeout_s||args	a b	it's	\$x;*"
	"noisy-stdout|0|^vm: PASS|$timeout_s||noisy"
	"exit-3|1|^vm: test script exited with 3|$timeout_s||exit	3"
	"warn|1|^vm: dmesg: WARNING: .*fake_warning|$timeout_s||warn"
	"kasan|1|^vm: dmesg: BUG: KASAN: |$timeout_s||kasan"
	"warn-long-log|1|^vm: FAIL \\(dmesg splat|$timeout_s|--append log_buf_len=4M|warn-long"
	"hard-lockup|1|^vm: dmesg: watchdog: Watchdog detected hard LOCKUP|$timeout_s||lockup"
	"kobject|1|^vm: dmesg: kobject: .*tried to init an initialized object|$timeout_s||kobject"
	"kobject-release|0|^vm: PASS|$timeout_s||kobject-release"
	"kobject-twice|1|^vm: dmesg: kobject: kobject_add_internal failed for fake with -EEXIST|$timeout_s||kobject-twice"
	"kmemleak-off|1|^vm: dmesg: kmemleak: Kernel memory leak detector disabled|$timeout_s||kmemleak-off"
	"no-kmemleak|1|^vm: kmemleak: no leak check on a kernel that must have one|$timeout_s|--kmemleak|SMOKE"
	"boot-retry|1|^vm: retried once: .*Attempted to kill init|$timeout_s|--append rdinit=/bin/busybox|SMOKE"
	"panic|1|^vm: console: Kernel panic|$timeout_s||panic"
	"one-cpu|1|^vm: the kernel brought up 1 of the guest's 2 CPUs|$timeout_s|--smp 2 --append maxcpus=1|SMOKE"
	"hang|1|^vm: timeout after 40 s|40||hang"
)

echo "1..${#cases[@]}"
n=0 pass=0 failn=0
for c in "${cases[@]}"; do
	IFS='|' read -r name want re tmo vmargs gargs <<<"$c"
	read -r -a vmopts <<<"$vmargs"
	n=$((n + 1))
	IFS=$'\t' read -r -a argv <<<"$gargs"
	if [ "${argv[0]}" = SMOKE ]; then
		cmd=("$here/smoke.sh")
	else
		cmd=("$guest" "${argv[@]}")
	fi
	out="$base/$name"
	rc=0
	log=$("$here/run-vm.sh" --timeout "$tmo" "${vmopts[@]}" "$kernel" "$krel" "$moddir" "$out" "${cmd[@]}" 2>&1) || rc=$?
	printf '%s\n' "$log" | sed 's/^/# /'
	if [ "$name" = smoke ] && ! grep -qx 'ok 1 - vm boots' "$out/smoke.tap" 2>/dev/null; then
		echo "not ok $n - $name (no smoke.tap in $out)"
		failn=$((failn + 1))
	elif [ "$rc" = "$want" ] && printf '%s\n' "$log" | grep -qE -- "$re"; then
		echo "ok $n - $name"
		pass=$((pass + 1))
	else
		echo "not ok $n - $name (run-vm exit $rc, want $want and /$re/)"
		failn=$((failn + 1))
	fi
done
echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
