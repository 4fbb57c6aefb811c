#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/check.sh   (what `make check` runs)
#
# Every test layer on every kernel: installs missing packages, builds (or
# reuses) the debug kernel, builds the modules on Debian's 6.1, 6.12 and the
# debug kernel with W=1, runs checkpatch, sparse and kernel-doc, runs the
# KUnit suites in the debug kernel under QEMU, runs the VFIO test programs
# against vGPUs of the simulated GPU on every kernel, drives vGPUs with
# mdevctl, libvirt and QEMU (two nested guests) on the debug kernel and
# stock 6.12, loads and unloads the modules on both stock kernels, and
# proves the harness fails a run with a kernel splat. Prints a line per
# check, a line per layer, and ends with "N passed, N failed". Exits
# non-zero if anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/build
mkdir -p "$out"

passed=0
failed=0
layer_passed=0
layer_failed=0

pass() {
	passed=$((passed + 1))
	layer_passed=$((layer_passed + 1))
	echo "  PASS $*"
}

fail() {
	failed=$((failed + 1))
	layer_failed=$((layer_failed + 1))
	echo "  FAIL $*"
}

layer() {
	layer_passed=0
	layer_failed=0
	echo "== $*"
}

layer_end() {
	echo "-- $1: $layer_passed passed, $layer_failed failed"
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# Runs a command quietly; its output goes to a log shown on failure.
run_logged() {
	local log=$1
	shift
	if "$@" > "$log" 2>&1; then
		return 0
	fi
	tail -n 60 "$log" | sed 's/^/    /'
	return 1
}

layer "setup: packages and debug kernel"
if run_logged "$out/install-deps.log" scripts/install-deps.sh; then
	pass "Debian packages installed"
else
	fail "Debian packages installed"
	finish
fi
if scripts/kernels.sh > "$out/kernels.txt" 2> "$out/kernels.log"; then
	pass "debug kernel built or cached ($(awk '$1 == "debug" { print $4 }' "$out/kernels.txt"))"
else
	tail -n 40 "$out/kernels.log" | sed 's/^/    /'
	fail "debug kernel built or cached (log: build/kernels.log)"
	finish
fi
layer_end setup

debug_tree=$(awk '$1 == "debug" { print $2 }' "$out/kernels.txt")

layer "build: W=1 on every kernel"
while read -r name kdir _; do
	if run_logged "$out/build-$name.stdout" scripts/build-module.sh "$kdir" "$out/$name"; then
		pass "build on $name"
	else
		fail "build on $name (log: build/$name/build.log)"
	fi
done < "$out/kernels.txt"
layer_end build

layer "style: checkpatch --strict, sparse, kernel-doc, shellcheck"
mapfile -t sources < <(git ls-files '*.c' '*.h' 2>/dev/null || find vgpu_mgr nvkm_glue include tests -name '*.[ch]')
checkpatch() {
	perl "$debug_tree/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--show-types -f "$@"
}
# compat.h is the one file whose job is LINUX_VERSION_CODE tests (see
# DESIGN.md, "Kernels"); every other checkpatch rule still applies to it.
mapfile -t not_compat < <(printf '%s\n' "${sources[@]}" | grep -vx include/nvkm_vgpu/compat.h)
if { checkpatch "${not_compat[@]}" &&
     checkpatch --ignore LINUX_VERSION_CODE include/nvkm_vgpu/compat.h; } > "$out/checkpatch.log" 2>&1 &&
   [ ! -s "$out/checkpatch.log" ]; then
	pass "checkpatch --strict over ${#sources[@]} files"
else
	head -40 "$out/checkpatch.log" | sed 's/^/    /'
	fail "checkpatch --strict"
fi
if run_logged "$out/sparse.stdout" scripts/build-module.sh "$debug_tree" "$out/sparse" C=2; then
	pass "sparse (C=2) on the debug kernel"
else
	fail "sparse (log: build/sparse/build.log)"
fi
if run_logged "$out/kernel-doc.log" perl "$debug_tree/scripts/kernel-doc" -none -Wall "${sources[@]}" &&
   [ ! -s "$out/kernel-doc.log" ]; then
	pass "kernel-doc -Wall"
else
	head -40 "$out/kernel-doc.log" | sed 's/^/    /'
	fail "kernel-doc -Wall"
fi
mapfile -t scripts < <(git ls-files '*.sh' .ci/run 2>/dev/null)
if run_logged "$out/shellcheck.log" shellcheck "${scripts[@]}"; then
	pass "shellcheck over ${#scripts[@]} scripts"
else
	fail "shellcheck (log: build/shellcheck.log)"
fi
layer_end style

# run_vm NAME RESULTS SCRIPT ARGS...: boots kernel NAME with the test script.
run_vm() {
	local name=$1 results=$2
	shift 2
	local image rel moddir
	read -r image rel moddir < <(awk -v n="$name" '$1 == n { print $3, $4, $5 }' "$out/kernels.txt")
	tests/vm/run-vm.sh --timeout "${VM_TIMEOUT:-1500}" --mem "$vm_mem" \
		"$image" "$rel" "$moddir" "$results" "$@"
}
# Guest memory of the next run_vm; the nested-guest test raises it.
vm_mem=2048

# count_taps NAME RESULTS: one line per TAP check in RESULTS/*.tap. A check
# marked "# TODO" is a known limit the test documents: it is listed, and
# counts neither as passed nor as failed.
count_taps() {
	local name=$1 tap line desc
	for tap in "$2"/*.tap; do
		[ -f "$tap" ] || continue
		while IFS= read -r line; do
			desc=${line#not }
			desc=${desc#ok }
			desc=${desc#"${desc%%[!0-9]*}"}
			desc=${desc# }
			desc="$name $(basename "$tap" .tap): ${desc#- }"
			case $line in
			*"# TODO"*) echo "  TODO $desc" ;;
			"ok "*) pass "$desc" ;;
			"not ok "*) fail "$desc" ;;
			esac
		done < <(grep -E '^(not )?ok [0-9]+' "$tap")
	done
}
layer "kunit: suites in the debug kernel (KASAN, UBSAN, lockdep, kmemleak)"
res=$out/vm-kunit
if [ -f "$out/debug/nvkm_vgpu_kunit.ko" ] &&
   run_logged "$out/vm-kunit.log" run_vm debug "$res" "$top/tests/vm/kunit.sh" "$out/debug"; then
	pass "debug kernel VM: modules load, suites run, unload, dmesg clean"
else
	fail "debug kernel VM (log: build/vm-kunit.log, build/vm-kunit/)"
fi
if [ -s "$res/kunit.ktap" ]; then
	while read -r verdict name; do
		if [ "$verdict" = ok ]; then
			pass "kunit $name"
		else
			fail "kunit $name"
		fi
	done < <(awk '
		/^    # Subtest: / { suite = $3 }
		/^    (not )?ok [0-9]+ / {
			v = ($1 == "not") ? "not-ok" : "ok"
			name = ($1 == "not") ? $4 : $3
			print v, suite "." name
		}' "$res/kunit.ktap")
else
	fail "kunit results (no build/vm-kunit/kunit.ktap)"
fi
layer_end kunit

layer "vgpu: VFIO users on the simulated GPU, every kernel"
if run_logged "$out/vfio-bin.log" make -C tests/vm/vfio O="$out/bin"; then
	pass "VFIO test programs built"
else
	fail "VFIO test programs (log: build/vfio-bin.log)"
fi
for name in debug stock-6.1 stock-6.12; do
	res=$out/vm-vgpu-$name
	if run_logged "$out/vm-vgpu-$name.log" run_vm "$name" "$res" "$top/tests/vm/vgpu.sh" "$out/$name" "$out/bin"; then
		pass "$name: vGPU tests ran, dmesg clean"
	else
		fail "$name: vGPU tests (log: build/vm-vgpu-$name.log, build/vm-vgpu-$name/)"
	fi
	count_taps "$name" "$res"
done
layer_end vgpu

layer "clients: mdevctl, libvirt, QEMU with nested guests (debug, stock 6.12)"
if run_logged "$out/guest-bin.log" tests/vm/guest/build.sh "$out/guest-bin"; then
	pass "nested guest's program, initramfs and kernel, host's VFIO helper built"
else
	fail "nested guest build (log: build/guest-bin.log)"
fi
for name in debug stock-6.12; do
	for client in mdevctl libvirt nested; do
		args=("$out/$name")
		vm_mem=2048
		if [ "$client" = nested ]; then
			args+=("$out/guest-bin")
			vm_mem=3072
		fi
		res=$out/vm-$client-$name
		if run_logged "$out/vm-$client-$name.log" run_vm "$name" "$res" "$top/tests/vm/$client.sh" "${args[@]}"; then
			pass "$name: $client tests ran, dmesg clean"
		else
			fail "$name: $client tests (log: build/vm-$client-$name.log, build/vm-$client-$name/)"
		fi
		count_taps "$name" "$res"
	done
done
vm_mem=2048
layer_end clients

layer "stock kernels: load and unload"
for name in stock-6.1 stock-6.12; do
	if run_logged "$out/vm-$name.log" run_vm "$name" "$out/vm-$name" "$top/tests/vm/load.sh" "$out/$name"; then
		pass "$name: insmod/rmmod, dmesg clean"
	else
		fail "$name: insmod/rmmod (log: build/vm-$name.log)"
	fi
done
layer_end "stock kernels"

layer "harness: a splat in dmesg fails the run"
if run_vm stock-6.12 "$out/vm-canary" "$top/tests/vm/canary.sh" > "$out/vm-canary.log" 2>&1; then
	fail "a planted WARNING went unnoticed (log: build/vm-canary.log)"
elif grep -q 'WARNING:' "$out/vm-canary.log"; then
	pass "a planted WARNING fails the VM run"
else
	tail -n 20 "$out/vm-canary.log" | sed 's/^/    /'
	fail "canary run failed without naming the WARNING"
fi
layer_end harness

finish
