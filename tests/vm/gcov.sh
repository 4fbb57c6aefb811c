#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/gcov.sh MODULE_DIR   (inside the test VM, last in a suite)
#
# Copies the gcov counters of the objects built in MODULE_DIR (modules
# built with NVKM_COVERAGE=1 for a kernel with CONFIG_GCOV_KERNEL, see
# scripts/coverage.sh) from /sys/kernel/debug/gcov/MODULE_DIR/ to
# $NVKM_RESULTS/gcda/, keeping their paths under MODULE_DIR. The modules
# may be unloaded by then: the kernel keeps an unloaded module's counters,
# added up over its loads (gcov_persist=1, the default), until it is
# loaded again. Exits 1 if there is none.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 MODULE_DIR" >&2
	exit 2
fi
dir=${1%/}
out=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}/gcda
src=/sys/kernel/debug/gcov$dir

if [ ! -d /sys/kernel/debug/gcov ]; then
	echo "gcov: no /sys/kernel/debug/gcov: the kernel has no CONFIG_GCOV_KERNEL" >&2
	exit 1
fi

# The paths have no blanks (tests/vm/run-vm.sh refuses them); the list
# goes through a variable: the VM's /dev has no /dev/fd for "< <(...)".
files=$(find "$src" -name '*.gcda' 2>/dev/null || true)
n=0
mkdir -p "$out"
while IFS= read -r f; do
	[ -n "$f" ] || continue
	rel=${f#"$src"/}
	mkdir -p "$out/$(dirname "$rel")"
	# debugfs gives the file a size of 0: read it to its end.
	cat "$f" >"$out/$rel"
	n=$((n + 1))
done <<<"$files"
echo "gcov: $n .gcda files from $src"
[ "$n" -gt 0 ]
