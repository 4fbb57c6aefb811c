#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/run-vm.sh ... RESULTS_DIR tests/vm/smoke.sh
#
# Trivial guest-side test proving the VM harness works: runs inside the VM
# (chrooted into the host's root), reports the kernel and loaded module
# count, and writes TAP to $NVKM_RESULTS/smoke.tap.
set -euo pipefail

: "${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}"
echo "smoke: uname -r: $(uname -r) (NVKM_KREL=${NVKM_KREL:-unset})"
echo "smoke: /proc/modules: $(wc -l </proc/modules) modules loaded"
{
	echo "1..1"
	echo "ok 1 - vm boots"
} >"$NVKM_RESULTS/smoke.tap"
echo "smoke: wrote $NVKM_RESULTS/smoke.tap"
exit 0
