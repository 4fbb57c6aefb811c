#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/demo.sh   (what `make demo` runs; as root, no GPU needed)
#
# The main job on a machine with no GPU: installs missing Debian packages
# (scripts/install-deps.sh), builds the modules for the stock Debian 6.12
# kernel and the nested-guest programs (tests/vm/guest/build.sh), then
# boots that kernel under QEMU (tests/vm/run-vm.sh) running
# tests/vm/nested.sh: a simulated H100 80GB on a PCI function of the VM
# (0000:00:11.0, its mdev parent, as a real GPU's function is), one vGPU
# each of two types (NVKM_DEMO_TYPES, default h100-10c,h100-20c) under the
# fixed_share scheduler (weights 10 and 20: a third and two thirds of the
# GR engine), two nested QEMU guests started at once on them, each writing
# and verifying its framebuffer, copying on a copy-engine channel, then
# keeping the GR engine busy for NVKM_DEMO_BUSY_MS (default 20000) ms of
# 1 ms launches, while scripts/vgpu-smi samples the GPU; and the host
# checking afterwards through VFIO, as the next user, that each slice was
# scrubbed when its guest let go. Streams progress, prints a table per
# vGPU (its parent first, its delivered share of gr0 while both guests were
# busy last), then vgpu-smi's table taken while both guests ran, and exits
# non-zero if anything failed. Everything lands in build/demo/ (the VM's
# results, logs and TAP in build/demo/vm/; vgpu-smi's samples in
# smi-watch.jsonl, its table in smi-table.txt).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/demo
types=${NVKM_DEMO_TYPES:-h100-10c,h100-20c}
busy_ms=${NVKM_DEMO_BUSY_MS:-20000}
t0=$SECONDS

me=demo
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (it installs packages, loads modules in a VM)"
mkdir -p "$out"

say "checking Debian packages (scripts/install-deps.sh)"
run_logged "$out/install-deps.log" "$top/scripts/install-deps.sh" ||
	die "installing packages (log: $out/install-deps.log)"
for tool in gcc qemu-system-x86_64 busybox cpio; do
	command -v "$tool" >/dev/null || die "$tool is missing after install-deps.sh"
done

image=$(find /boot -maxdepth 1 -name 'vmlinuz-6.12.*-amd64' | sort -V | tail -n 1)
[ -n "$image" ] || die "no /boot/vmlinuz-6.12.*-amd64 (apt-get install linux-image-6.12-amd64)"
krel=${image#/boot/vmlinuz-}
kdir=/lib/modules/$krel/build
[ -d "$kdir" ] || die "no headers for $krel (apt-get install linux-headers-6.12-amd64)"

say "building nvkm_vgpu.ko and nvkm_vgpu_sim.ko for $krel"
run_logged "$out/build-module.log" "$top/scripts/build-module.sh" "$kdir" "$out/modules" ||
	die "module build (log: $out/modules/build.log)"
say "building the nested guest's kernel (cached after the first run), its program and initramfs, the host's VFIO helper"
run_logged "$out/build-guest.log" "$top/tests/vm/guest/build.sh" "$out/bin" ||
	die "guest build (log: $out/build-guest.log)"

say "booting $krel under QEMU (TCG); inside it two nested guests boot under TCG too (a few minutes)"
# run-vm.sh streams the VM's console; show the test's own lines only.
"$top/tests/vm/run-vm.sh" --verbose --timeout 900 --mem 3072 \
	"$image" "$krel" / "$out/vm" "$top/tests/vm/nested.sh" \
	--types "$types" --busy-ms "$busy_ms" "$out/modules" "$out/bin" 2>&1 |
	sed -u 's/\r$//' | tee "$out/run-vm.log" |
	grep -a --line-buffered -E '^(nested:|not ok|vm: |run-vm: )' |
	sed -u 's/^/  /' || true
vm_ok=0
grep -q '^vm: PASS' "$out/run-vm.log" && vm_ok=1

rows=$out/vm/vgpus.tsv
echo
printf '%-10s %-13s %-10s %8s %-11s %-8s %-10s %-8s %-5s %-5s %s\n' \
	VGPU PARENT TYPE FB_MIB CHIDS GUEST HOST_CHECK GUEST_S COPY BUSY GR0_SHARE%
bad=0
n=0
gpu_at=
shares=()
if [ -s "$rows" ]; then
	while IFS=$'\t' read -r uuid type mib chids guest host secs parent copy busy share; do
		n=$((n + 1))
		gpu_at=$parent
		printf '%-10s %-13s %-10s %8s %-11s %-8s %-10s %-8s %-5s %-5s %s\n' \
			"${uuid:0:8}" "$parent" "$type" "$mib" "$chids" "$guest" "$host" "$secs" \
			"$copy" "${busy:-none}" "${share:--}"
		[ "$guest" = ok ] && [ "$host" = ok ] || bad=1
		# The share's tolerance is nested.sh's check; here it must exist.
		if [ "$busy_ms" -gt 0 ]; then
			[ "$busy" = ok ] && [ -n "$share" ] && [ "$share" != - ] || bad=1
			shares+=("$type ${share:--} %")
		fi
	done <"$rows"
else
	echo "(no vGPU rows: see $out/vm/script.log)"
	bad=1
fi
echo
if [ "$busy_ms" -gt 0 ]; then
	echo "vgpu-smi's view while both guests kept the GR engine busy (fixed_share):"
	if [ -s "$out/vm/smi-table.txt" ]; then
		cat "$out/vm/smi-table.txt"
	else
		echo "(no table: the guests' busy phases never overlapped in vgpu-smi's samples; see $out/vm/smi-watch.jsonl)"
		bad=1
	fi
	echo
fi

code=$(tr -d '[:space:]' <"$out/vm/exit-code" 2>/dev/null || echo none)
total=$((SECONDS - t0))
if [ "$bad" = 0 ] && [ "$n" -ge 2 ] && [ "$code" = 0 ] && [ "$vm_ok" = 1 ]; then
	shared=
	[ ${#shares[@]} = 0 ] || shared=", shared gr0 under fixed_share as $(printf '%s, ' "${shares[@]}" | sed 's/, $//')"
	echo "demo: PASS: $n vGPUs on a simulated H100 at PCI $gpu_at, $n nested guests wrote and verified their framebuffers$shared; ${total}s"
	exit 0
fi
echo "demo: FAIL (VM script exit ${code:-none}; TAP $out/vm/nested.tap, logs $out/vm/ and $out/run-vm.log); ${total}s"
exit 1
