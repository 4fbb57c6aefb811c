#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/nouveau.sh NOUVEAU_KO [BACKEND_DIR]   (inside the test VM)
#
# Loads the patched nouveau.ko (scripts/nouveau.sh print-dir) on a VM with
# no NVIDIA GPU, after its dependencies as modprobe would load them, checks
# that the hook's symbols are exported and that nouveau registered and
# logged nothing alarming, then unloads it. With BACKEND_DIR (what
# scripts/nouveau.sh backend printed), also loads the manager
# (BACKEND_DIR/nvkm_vgpu.ko) and the nouveau backend
# (BACKEND_DIR/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko) on top of it, checks
# that nouveau cannot go while the backend holds it, that the hook is free
# again once the backend is gone (a second load and unload) and that no GPU
# was registered, before unloading everything. Writes TAP to
# $NVKM_RESULTS/nouveau.tap. run-vm.sh judges the kernel log (splats).
# An out-of-tree nouveau.ko must taint the kernel O and E (out of tree,
# unsigned); the debug kernel's own, patched in its tree (modinfo's
# intree: Y), must taint nothing. make check runs it on the debug kernel
# with that nouveau.ko and its build of the manager and the backend
# (scripts/check.sh, boot_plan). On stock 6.12, from the host:
#   dir=$(scripts/nouveau.sh print-dir /lib/modules/<6.12 release>/build)
#   tests/vm/run-vm.sh /boot/vmlinuz-<6.12 release> <6.12 release> / \
#       /work/results/nouveau tests/vm/nouveau.sh "$dir/nouveau.ko" \
#       "$(scripts/nouveau.sh backend /lib/modules/<6.12 release>/build)"
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 NOUVEAU_KO [BACKEND_DIR]" >&2
	exit 2
fi
ko=$1
backend=${2:-}
tap=${NVKM_RESULTS:?}/nouveau.tap
n=0
failed=0

check() {
	n=$((n + 1))
	if "${@:2}"; then
		echo "ok $n - $1" >>"$tap"
	else
		echo "not ok $n - $1" >>"$tap"
		failed=1
	fi
}

# These run through check(), which shellcheck cannot follow.
# shellcheck disable=SC2317
loaded() { [ -d /sys/module/nouveau ]; }
# shellcheck disable=SC2317
not_loaded() { ! loaded; }
# shellcheck disable=SC2317
exported() {
	local s
	for s in nvkm_vgpu_hook_register nvkm_vgpu_hook_unregister \
		nvkm_vgpu_vram nvkm_vgpu_chid_reserve nvkm_vgpu_chid_release \
		nvkm_vgpu_bar1_map nvkm_vgpu_bar1_unmap \
		nvkm_vgpu_vmm_new nvkm_vgpu_vmm_del nvkm_vgpu_vmm_map \
		nvkm_vgpu_vmm_unmap nvkm_vgpu_chan_new nvkm_vgpu_chan_del \
		nvkm_vgpu_chan_insert nvkm_vgpu_chan_remove nvkm_vgpu_chan_kick \
		nvkm_vgpu_chan_reset; do
		grep -q "__ksymtab_$s\b\|\b$s\s\+\[nouveau\]" /proc/kallsyms || {
			echo "nouveau.sh: $s is not in /proc/kallsyms" >&2
			return 1
		}
	done
}
mark="nouveau.sh: start $$ $RANDOM"
echo "$mark" >/dev/kmsg
# shellcheck disable=SC2317
since_mark() {
	dmesg | awk -v m="$mark" 'index($0, m) { on = 1; next } on'
}
# shellcheck disable=SC2317
quiet() {
	# nouveau has no device here: any nouveau error line is unexpected,
	# but for the unsigned module's taint line (tainted() checks it).
	! since_mark | grep -v 'module verification failed' |
		grep -iE 'nouveau.*(error|fail)|Unknown symbol|disagrees about version'
}
# The documented taint: out of tree (O, 4096) and unsigned (E, 8192).
# shellcheck disable=SC2317
tainted() {
	local t
	t=$(cat /proc/sys/kernel/tainted)
	[ $((t & 4096)) -ne 0 ] && [ $((t & 8192)) -ne 0 ]
}
# The module's own taint flags, read while it is loaded.
nouveau_taint=unread
# shellcheck disable=SC2317
untainted() { [ -z "$nouveau_taint" ]; }
# shellcheck disable=SC2317
registered() { [ -d /sys/bus/pci/drivers/nouveau ]; }

# shellcheck disable=SC2317
backend_loaded() { [ -d /sys/module/nvkm_vgpu_nouveau ]; }
# shellcheck disable=SC2317
backend_gone() { ! backend_loaded; }
# shellcheck disable=SC2317
nouveau_held() { ! rmmod nouveau 2>/dev/null && loaded; }
# shellcheck disable=SC2317
backend_said() { since_mark | grep -q "nvkm_vgpu_nouveau: nouveau backend $1"; }
# No GPU here: the backend registered none, the manager has no parent.
# shellcheck disable=SC2317
no_gpu() {
	! since_mark | grep -q 'nvkm_vgpu_nouveau: .* registered' &&
		[ -z "$(ls /sys/class/mdev_bus 2>/dev/null)" ]
}
# Guest channels are off unless asked for, and can be asked for.
# shellcheck disable=SC2317
channels_param() {
	local p=/sys/module/nvkm_vgpu_nouveau/parameters/channels
	[ "$(cat "$p")" = N ] && rmmod nvkm_vgpu_nouveau &&
		insmod "$backend/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko" channels=1 &&
		[ "$(cat "$p")" = Y ] && rmmod nvkm_vgpu_nouveau &&
		insmod "$backend/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko"
}
# shellcheck disable=SC2317
backend_cycle() {
	insmod "$backend/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko" &&
		rmmod nvkm_vgpu_nouveau
}

if [ -n "$backend" ]; then
	echo "1..18" >"$tap"
else
	echo "1..9" >"$tap"
fi
check "nouveau is not loaded yet" not_loaded
deps=$(modinfo -F depends "$ko" | tr ',' ' ')
echo "nouveau.sh: dependencies: $deps"
# shellcheck disable=SC2086
check "modprobe its dependencies" modprobe -a $deps
check "insmod the patched nouveau.ko" insmod "$ko"
check "nouveau is live and its PCI driver registered" eval 'loaded && registered'
check "the hook's symbols are exported" exported
nouveau_taint=$(cat /sys/module/nouveau/taint 2>/dev/null || echo unread)
echo "nouveau.sh: nouveau's taint: '$nouveau_taint'"
if [ -n "$backend" ]; then
	mdeps=$(modinfo -F depends "$backend/nvkm_vgpu.ko" | tr ',' ' ')
	echo "nouveau.sh: the manager's dependencies: $mdeps"
	# shellcheck disable=SC2086
	check "insmod the manager after its dependencies" \
		eval "modprobe -a $mdeps && insmod '$backend/nvkm_vgpu.ko'"
	check "insmod the nouveau backend" \
		insmod "$backend/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko"
	check "the backend registered with nouveau's hook" \
		eval 'backend_loaded && backend_said loaded'
	check "guest channels off by default, on with channels=1" channels_param
	check "nouveau cannot be unloaded under the backend" nouveau_held
	check "rmmod the backend" rmmod nvkm_vgpu_nouveau
	check "the hook is free again: the backend loads and unloads twice" \
		backend_cycle
	check "no GPU was registered with the manager" \
		eval 'no_gpu && backend_gone && backend_said unloaded'
	check "rmmod the manager" rmmod nvkm_vgpu
fi
check "rmmod nouveau" rmmod nouveau
check "nouveau is gone" not_loaded
check "no nouveau errors in dmesg" quiet
if [ "$(modinfo -F intree "$ko")" = Y ]; then
	check "the kernel's own nouveau.ko (in tree) taints nothing" untainted
else
	check "the kernel is tainted O and E (out-of-tree, unsigned)" tainted
fi
since_mark | grep -i 'nouveau' | sed 's/^/nouveau.sh: dmesg: /' || true
cat "$tap"
exit $failed
