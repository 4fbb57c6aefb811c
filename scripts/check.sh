#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/check.sh   (what `make check` runs)
#
# Every test layer on every kernel: installs missing packages, builds (or
# reuses) the debug kernel, builds the modules on Debian's 6.1, 6.12 and the
# debug kernel with W=1, builds the test programs and the nested guest (its
# kernel cached like the debug kernel's), then boots each kernel once under
# QEMU, one after the other, while the host runs checkpatch, sparse,
# kernel-doc, shellcheck and the vgpu-smi tests (tests/smi/run.sh, on fake
# sysfs trees). The debug kernel carries nouveau with the vGPU hook
# (nouveau/patches/, applied by scripts/build-kernel.sh): the nouveau
# backend and the nouveau KUnit modules are built against it, its patches
# are checkpatch-clean. Before the boots, on the host: the DKMS package of
# the patched nouveau built, installed and removed for stock 6.12 in
# private trees, and the backend built against that build
# (tests/nouveau/dkms.sh). In the boots: the KUnit suites, nouveau's and
# the backend's included (debug kernel), the patched nouveau loaded and
# unloaded with the manager and the backend, no GPU (debug kernel; stock
# 6.12 with the DKMS-built nouveau),
# the VFIO test programs against vGPUs of the simulated GPU (every kernel),
# mdevctl, libvirt and QEMU with two nested guests (debug kernel and stock
# 6.12), loading and unloading the modules (stock kernels), installing
# them with DKMS (stock 6.12); a last boot proves the harness fails a run
# with a kernel splat. Prints a line per check, a line per layer, and
# ends with "N passed, N failed, N skipped".
# A TAP check skipped on the debug kernel fails, unless its reason is a
# line of tests/vm/allowed-skips.txt. Exits non-zero if anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/build
mkdir -p "$out"
# shellcheck source=tests/vm/splat.sh
source "$top/tests/vm/splat.sh"

passed=0
failed=0
skipped=0
layer_passed=0
layer_failed=0
layer_skipped=0

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

skip() {
	skipped=$((skipped + 1))
	layer_skipped=$((layer_skipped + 1))
	echo "  SKIP $*"
}

layer() {
	layer_passed=0
	layer_failed=0
	layer_skipped=0
	echo "== $*"
}

layer_end() {
	echo "-- $1: $layer_passed passed, $layer_failed failed, $layer_skipped skipped"
}

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

# await PID WHAT LOG: waits for PID, printing a line a minute (how long,
# and LOG's last line) so that no step is silent; returns PID's status.
await() {
	local pid=$1 what=$2 log=$3 t0=$SECONDS n=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		if [ $((n % 60)) = 0 ]; then
			echo "   ... $what: $(((SECONDS - t0) / 60)) min: $(tail -n 1 "$log" 2>/dev/null | cut -c1-100)"
		fi
	done
	wait "$pid"
}

# The skip reasons allowed on the debug kernel: the lines of
# tests/vm/allowed-skips.txt that are not comments.
declare -A allowed_skips=()
while IFS= read -r line; do
	case $line in
	'' | '#'*) ;;
	*) allowed_skips[$line]=1 ;;
	esac
done < "$top/tests/vm/allowed-skips.txt"

# skipped_check KERNEL DESC REASON: a check that was skipped for REASON
# counts as skipped; on the debug kernel, which has everything a test can
# ask for, it fails unless REASON is allowed. A skip needs a reason.
skipped_check() {
	local kernel=$1 desc=$2 why=$3
	if [ -z "$why" ]; then
		fail "$desc: skipped with no reason"
	elif [ "$kernel" = debug ] && [ -z "${allowed_skips[$why]+x}" ]; then
		fail "$desc: skipped on the debug kernel: $why (not in tests/vm/allowed-skips.txt)"
	else
		[ "$kernel" != debug ] || allowed_skips[$why]=used
		skip "$desc # $why"
	fi
}

# tap_result KERNEL DESC VERDICT DIRECTIVE: one check of a TAP or KTAP
# line. VERDICT is "ok" or "not ok"; DIRECTIVE what follows its " # ", if
# anything. "# SKIP reason" is a skip (see skipped_check); "# TODO" is no
# outcome here: a known limit is a pass, a failure or a SKIP with a reason.
tap_result() {
	local kernel=$1 desc=$2 verdict=$3 dir=$4
	local re='^[Ss][Kk][Ii][Pp][A-Za-z]*:? *(.*[^ ])? *$'
	case $dir in
	[Ss][Kk][Ii][Pp]*)
		if [ "$verdict" = ok ]; then
			[[ $dir =~ $re ]]
			skipped_check "$kernel" "$desc" "${BASH_REMATCH[1]}"
		else
			fail "$desc (not ok, marked SKIP)"
		fi ;;
	[Tt][Oo][Dd][Oo]*)
		fail "$desc: $verdict # $dir (TODO is no outcome: make it pass, fail or SKIP with a reason)" ;;
	*)
		if [ "$verdict" = ok ]; then
			pass "$desc"
		else
			fail "$desc"
		fi ;;
	esac
}

# tap_split LINE: sets tap_verdict ("ok" or "not ok"), tap_desc and tap_dir
# (what follows its " # ", if anything) from a TAP line "[not ]ok N [- ]
# DESCRIPTION[ # DIRECTIVE]" (indented in KTAP's subtests); fails for any
# other line.
tap_split() {
	local re='^ *(not ok|ok) [0-9]+( - | |$)(.*)$'
	[[ $1 =~ $re ]] || return 1
	tap_verdict=${BASH_REMATCH[1]}
	tap_desc=${BASH_REMATCH[3]}
	tap_dir=
	re='^(.*[^ ])? *# *(([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo]).*)$'
	if [[ $tap_desc =~ $re ]]; then
		tap_desc=${BASH_REMATCH[1]}
		tap_dir=${BASH_REMATCH[2]}
	fi
}

# host_tap_results NAME FILE: a check per TAP line of a host-side test's
# FILE, each named "host NAME: DESCRIPTION"; none if FILE is missing.
host_tap_results() {
	local name=$1 file=$2 line
	while IFS= read -r line; do
		tap_split "$line" || continue
		tap_result host "host $name: $tap_desc" "$tap_verdict" "$tap_dir"
	done < <(grep -E '^(not )?ok [0-9]+' "$file" 2>/dev/null)
}

# Runs a command quietly; its output goes to a log shown on failure.
run_logged() {
	local log=$1
	shift
	"$@" > "$log" 2>&1 &
	if await $! "$(basename "$log")" "$log"; then
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
scripts/kernels.sh > "$out/kernels.txt" 2> "$out/kernels.log" &
if await $! "kernels" "$out/kernels.log"; then
	pass "debug kernel built or cached ($(awk '$1 == "debug" { print $4 }' "$out/kernels.txt"))"
else
	tail -n 40 "$out/kernels.log" | sed 's/^/    /'
	fail "debug kernel built or cached (log: build/kernels.log)"
	finish
fi
layer_end setup

debug_tree=$(awk '$1 == "debug" { print $2 }' "$out/kernels.txt")
# The debug kernel's own nouveau.ko, patched in its tree.
debug_nouveau=$(awk '$1 == "debug" { print $5 "/lib/modules/" $4 "/kernel/drivers/gpu/drm/nouveau/nouveau.ko" }' "$out/kernels.txt")

layer "build: W=1 on every kernel"
while read -r name kdir _; do
	if run_logged "$out/build-$name.stdout" scripts/build-module.sh "$kdir" "$out/$name"; then
		pass "build on $name"
	else
		fail "build on $name (log: build/$name/build.log)"
	fi
done < "$out/kernels.txt"
# build-module.sh builds the backend where the kernel's nouveau has the
# hook: the debug kernel must have it.
if [ -f "$out/debug/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko" ]; then
	pass "nouveau backend built on debug, against its patched nouveau"
else
	fail "nouveau backend not built on debug (does its tree's Module.symvers export nvkm_vgpu_hook_register? log: build/debug/build.log)"
fi
layer_end build

# ---- the test VMs ----
# Each boot runs several test scripts through tests/vm/suite.sh: a boot of
# the debug kernel under TCG costs more than most tests. The boots run one
# after the other, each with both host cores (two VMs side by side, each
# with one or two CPUs, took longer in all than one after the other here),
# while the host's style checks run.
T=$top/tests/vm
# boot_plan BOOT: kernel, CPUs and the suite's arguments of boot BOOT.
boot_plan() {
	case $1 in
	debug)
		echo debug 2 kunit "$T/kunit.sh" "$out/debug" "$out/nouveau-kunit" -- \
			vgpu "$T/vgpu.sh" "$out/debug" "$out/bin" -- \
			smi "$T/smi.sh" "$out/debug" -- \
			mdevctl "$T/mdevctl.sh" "$out/debug" -- \
			libvirt "$T/libvirt.sh" "$out/debug" "$out/guest-bin" -- \
			nova "$T/nova.sh" "$out/debug" -- \
			nested "$T/nested.sh" "$out/debug" "$out/guest-bin" -- \
			nouveau "$T/nouveau.sh" "$debug_nouveau" "$out/debug" ;;
	stock-6.12)
		echo "$1" 2 vgpu "$T/vgpu.sh" "$out/$1" "$out/bin" -- \
			smi "$T/smi.sh" "$out/$1" -- \
			mdevctl "$T/mdevctl.sh" "$out/$1" -- \
			libvirt "$T/libvirt.sh" "$out/$1" "$out/guest-bin" -- \
			nova "$T/nova.sh" "$out/$1" -- \
			nested "$T/nested.sh" "$out/$1" "$out/guest-bin" -- \
			load "$T/load.sh" "$out/$1" -- \
			dkms "$T/dkms.sh" "${stock_nouveau[@]}" ;;
	stock-6.1)
		echo "$1" 2 vgpu "$T/vgpu.sh" "$out/$1" "$out/bin" -- \
			load "$T/load.sh" "$out/$1" ;;
	canary)
		echo stock-6.1 1 ;;
	esac
}
boots=(debug stock-6.12 stock-6.1)

# boot BOOT: boots BOOT's kernel with its suite (the canary: canary.sh),
# results in build/vm-BOOT/, log build/vm-BOOT.log, exit code in .rc.
boot() {
	local name=$1 plan kernel cpus image rel moddir script=$T/suite.sh opts=()
	read -r -a plan < <(boot_plan "$name")
	kernel=${plan[0]}
	cpus=${plan[1]}
	plan=("${plan[@]:2}")
	[ "$name" != canary ] || script=$T/canary.sh
	# The debug kernel has kmemleak: a run with no leak scan fails.
	[ "$kernel" != debug ] || opts+=(--kmemleak)
	read -r image rel moddir < <(awk -v n="$kernel" '$1 == n { print $3, $4, $5 }' "$out/kernels.txt")
	tests/vm/run-vm.sh --timeout "${VM_TIMEOUT:-3000}" --mem 3072 --smp "$cpus" "${opts[@]}" \
		"$image" "$rel" "$moddir" "$out/vm-$name" "$script" "${plan[@]}" \
		> "$out/vm-$name.log" 2>&1
	echo $? > "$out/vm-$name.rc"
}

# run_boots: every boot, then the canary, one after the other.
run_boots() {
	local b
	for b in "${boots[@]}" canary; do
		ln -sfn "vm-$b.log" "$out/vm-current.log"
		boot "$b"
	done
}

vm_ready=1
layer "prepare: test programs and the nested guest"
if run_logged "$out/vfio-bin.log" make -C tests/vm/vfio O="$out/bin"; then
	pass "VFIO test programs built"
else
	fail "VFIO test programs (log: build/vfio-bin.log)"
	vm_ready=0
fi
if run_logged "$out/guest-bin.log" tests/vm/guest/build.sh "$out/guest-bin"; then
	pass "nested guest's kernel, program and initramfs, host's VFIO helper built"
else
	fail "nested guest build (log: build/guest-bin.log)"
	vm_ready=0
fi
if run_logged "$out/nouveau-kunit.log" tests/nouveau/build-kunit.sh "$debug_tree" "$debug_tree" "$out/nouveau-kunit"; then
	pass "nouveau KUnit modules built on debug (W=1)"
else
	fail "nouveau KUnit modules (log: build/nouveau-kunit/build.log)"
	vm_ready=0
fi
layer_end prepare

# The DKMS package of the patched nouveau, on the host: it builds nouveau
# (about 4 minutes at -j2), so it runs before the boots, not beside them.
# It leaves build/nouveau-dkms/nouveau.ko and backend/ for the stock 6.12
# boot's nouveau test (stock_nouveau, in boot_plan).
layer "nouveau DKMS: the package for stock 6.12 in private trees (host)"
stock_nouveau=()
nd=$out/nouveau-dkms
tests/nouveau/dkms.sh "$(awk '$1 == "stock-6.12" { print $2 }' "$out/kernels.txt")" "$nd" \
	> "$out/nouveau-dkms.log" 2>&1 &
if await $! "nouveau DKMS" "$out/nouveau-dkms.log"; then
	pass "nouveau DKMS test: exit 0 ($(sed -n 's/^# total: //p' "$nd/dkms.tap"))"
else
	tail -n 30 "$out/nouveau-dkms.log" | sed 's/^/    /'
	fail "nouveau DKMS test (log: build/nouveau-dkms.log, build/nouveau-dkms/dkms.log)"
fi
host_tap_results nouveau-dkms "$nd/dkms.tap"
if [ -f "$nd/nouveau.ko" ] && [ -f "$nd/backend/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko" ]; then
	stock_nouveau=(-- nouveau "$T/nouveau.sh" "$nd/nouveau.ko" "$nd/backend")
fi
layer_end "nouveau DKMS"

if [ "$vm_ready" = 1 ]; then
	echo "   ... test VMs running: ${boots[*]}, canary"
	rm -f "$out"/vm-*.rc
	vm_t0=$SECONDS
	run_boots &
	pid_vms=$!
fi

layer "style: checkpatch --strict, sparse, kernel-doc, shellcheck"
mapfile -t sources < <(git ls-files '*.c' '*.h' 2>/dev/null || find vgpu_mgr nvkm_glue include tests -name '*.[ch]')
checkpatch() {
	perl "$debug_tree/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--show-types -f "$@"
}
# compat.h is the one file whose job is LINUX_VERSION_CODE tests (see
# DESIGN.md, "Kernels"); every other checkpatch rule still applies to it.
mapfile -t not_compat < <(printf '%s\n' "${sources[@]}" | grep -vx include/nvkm_vgpu/compat.h)
{ checkpatch "${not_compat[@]}" &&
  checkpatch --ignore LINUX_VERSION_CODE include/nvkm_vgpu/compat.h; } > "$out/checkpatch.log" 2>&1 &
if await $! checkpatch "$out/checkpatch.log" && [ ! -s "$out/checkpatch.log" ]; then
	pass "checkpatch --strict over ${#sources[@]} files"
else
	head -40 "$out/checkpatch.log" | sed 's/^/    /'
	fail "checkpatch --strict"
fi
# checkpatch takes a file git tracks for a source file (-f): the patches
# are read as patches from outside the repository.
patches=("$top"/nouveau/patches/*.patch)
(cd / && perl "$debug_tree/scripts/checkpatch.pl" --strict --no-tree --quiet \
	--show-types "${patches[@]}") > "$out/checkpatch-patches.log" 2>&1 &
if await $! "checkpatch of the patches" "$out/checkpatch-patches.log" && [ ! -s "$out/checkpatch-patches.log" ]; then
	pass "checkpatch --strict over nouveau/patches/ (${#patches[@]} patches)"
else
	head -40 "$out/checkpatch-patches.log" | sed 's/^/    /'
	fail "checkpatch --strict over nouveau/patches/"
fi
if run_logged "$out/sparse.stdout" scripts/build-module.sh "$debug_tree" "$out/sparse" C=2 &&
   [ -f "$out/sparse/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko" ]; then
	pass "sparse (C=2) on the debug kernel, the nouveau backend included"
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

layer "tools: vgpu-smi on fake sysfs trees (host)"
mkdir -p "$out/smi"
tests/smi/run.sh > "$out/smi/smi.tap" 2> "$out/smi/smi.log" &
if await $! "vgpu-smi tests" "$out/smi/smi.log" && grep -q '^1\.\.[1-9]' "$out/smi/smi.tap"; then
	pass "vgpu-smi tests: exit 0, $(grep -c '^ok ' "$out/smi/smi.tap") ok"
else
	tail -n 20 "$out/smi/smi.log" | sed 's/^/    /'
	fail "vgpu-smi tests (log: build/smi/smi.tap, build/smi/smi.log)"
fi
host_tap_results smi "$out/smi/smi.tap"
layer_end tools

if [ "$vm_ready" = 1 ]; then
	await "$pid_vms" "test VMs" "$out/vm-current.log"
	echo "   ... test VMs done in $((SECONDS - vm_t0)) s"
fi
# The suite tests during which each boot's kernel logged a splat, found
# once per boot: boot BOOT's are in splats[BOOT], one per line.
declare -A splats=()
for b in "${boots[@]}"; do
	splats[$b]=$( { splat_owners "$out/vm-$b/dmesg.txt"; splat_owners "$out/vm-$b/console.log"; } | sort -u)
done

# retried BOOT: " (retried once: WHY)" when run-vm.sh booted BOOT twice,
# its kernel having failed during the first boot.
retried() {
	[ ! -s "$out/vm-$1/retried" ] || echo " (retried once: $(head -n 1 "$out/vm-$1/retried"))"
}

# boot_verdict BOOT: one line for boot BOOT. A suite whose only fault is a
# failed test passes here; the test's own line says what failed.
boot_verdict() {
	local name=$1 log=$out/vm-$1.log why clean="dmesg clean" ran
	[ ! -e "$out/vm-$name/kmemleak.txt" ] || clean+=", kmemleak clean"
	ran=$(find "$out/vm-$name" -mindepth 2 -maxdepth 2 -name exit-code 2>/dev/null | wc -l)
	if [ "$vm_ready" != 1 ]; then
		fail "$name VM: not started (test programs did not build)"
		return
	fi
	if grep -q '^vm: PASS' "$log" ||
	   { grep -qx 'vm: FAIL (script exit 1) .*' "$log" && [ -s "$out/vm-$name/suite.failed" ]; }; then
		pass "$name VM: booted on $(cat "$out/vm-$name/cpus") CPUs, ran its suite ($ran scripts), powered off; $clean ($(sed -n 's/^run-vm: guest finished in \([0-9]*s\).*/\1/p' "$log" | tail -n 1))$(retried "$name")"
		return
	fi
	grep -E '^vm: ' "$log" | head -n 30 | sed 's/^/    /'
	why=$(sed -n 's/^vm: FAIL (\(.*\)) .*/\1/p' "$log" | tail -n 1)
	fail "$name VM: ${why:-no verdict} (log: build/vm-$name.log, build/vm-$name/)$(retried "$name")"
}

# suite_test BOOT TEST WHAT: TEST of boot BOOT's suite ran to exit 0 with
# no splat while it ran, then its TAP, each line named by BOOT's kernel.
suite_test() {
	local boot=$1 t=$2 what=$3 dir=$out/vm-$1/$2 name rc
	read -r name _ < <(boot_plan "$boot")
	rc=$(tr -d '[:space:]' < "$dir/exit-code" 2>/dev/null || true)
	if [ -z "$rc" ]; then
		fail "$name: $what did not finish (log: build/vm-$boot/$t/script.log)"
	elif [ "$rc" != 0 ]; then
		fail "$name: $what exited $rc (log: build/vm-$boot/$t/script.log)"
	elif [ -s "$dir/leftovers" ]; then
		fail "$name: $what left behind $(tr '\n' ' ' < "$dir/leftovers")"
	elif printf '%s\n' "${splats[$boot]}" | grep -qx "$t"; then
		fail "$name: $what, a kernel splat while it ran (log: build/vm-$boot.log)"
	else
		pass "$name: $what: exit 0, no splat while it ran"
	fi
	count_taps "$name" "$dir"
}

# count_taps NAME RESULTS: one line per TAP check in RESULTS/*.tap, NAME
# being the kernel (see tap_result).
count_taps() {
	local name=$1 tap line
	for tap in "$2"/*.tap; do
		[ -f "$tap" ] || continue
		while IFS= read -r line; do
			tap_split "$line" || continue
			tap_result "$name" "$name $(basename "$tap" .tap): $tap_desc" "$tap_verdict" "$tap_dir"
		done < <(grep -E '^(not )?ok [0-9]+' "$tap")
	done
}

layer "boots: one per kernel, the whole suite in it"
for name in "${boots[@]}"; do
	boot_verdict "$name"
done
layer_end boots

# kunit_expected FILE...: "SUITE CASE" for each case of each suite that
# FILEs register with kunit_test_suite(s)(), in order: what the debug
# kernel must run. A parameterised case is one case (KTAP lists its
# parameters a level deeper). Read from the sources, it cannot go stale.
kunit_expected() {
	awk '
		FNR == 1 { arr = ""; var = ""; reg = "" }
		{ sub(/\/\/.*/, ""); gsub(/\/\*.*\*\//, "") }
		arr != "" {
			line = $0
			while (match(line, /KUNIT_CASE[A-Z_]*\( *[A-Za-z0-9_]+/)) {
				c = substr(line, RSTART, RLENGTH)
				sub(/^[^(]*\( */, "", c)
				cases[FILENAME, arr] = cases[FILENAME, arr] " " c
				line = substr(line, RSTART + RLENGTH)
			}
			if ($0 ~ /^};/)
				arr = ""
			next
		}
		var != "" {
			if (match($0, /\.name *= *"[^"]*"/)) {
				v = substr($0, RSTART, RLENGTH)
				sub(/^[^"]*"/, "", v)
				sub(/"$/, "", v)
				name[FILENAME, var] = v
			}
			if (match($0, /\.test_cases *= *[A-Za-z0-9_]+/)) {
				v = substr($0, RSTART, RLENGTH)
				sub(/^.*= */, "", v)
				list[FILENAME, var] = v
			}
			if ($0 ~ /^};/)
				var = ""
			next
		}
		match($0, /struct kunit_case [A-Za-z0-9_]+\[\]/) {
			arr = substr($0, RSTART + 18, RLENGTH - 20)
			next
		}
		match($0, /struct kunit_suite [A-Za-z0-9_]+ *= *\{/) {
			var = substr($0, RSTART + 19, RLENGTH - 19)
			sub(/ *= *\{$/, "", var)
			next
		}
		reg != "" || /^kunit_test_(init_section_)?suites?\(/ {
			reg = reg $0
			if (reg !~ /\)/)
				next
			sub(/^[^(]*\(/, "", reg)
			sub(/\).*/, "", reg)
			gsub(/[&[:space:]]/, "", reg)
			n = split(reg, vars, ",")
			for (i = 1; i <= n; i++) {
				file[++nreg] = FILENAME
				suite[nreg] = vars[i]
			}
			reg = ""
		}
		END {
			for (i = 1; i <= nreg; i++) {
				f = file[i]
				s = name[f, suite[i]]
				n = split(cases[f, list[f, suite[i]]], cs, " ")
				for (j = 1; j <= n; j++)
					print (s == "" ? suite[i] : s), cs[j]
			}
		}' "$@"
}

layer "kunit: suites in the debug kernel (KASAN, UBSAN, lockdep, kmemleak)"
suite_test debug kunit "KUnit modules loaded, suites ran, unloaded"
res=$out/vm-debug/kunit
# Every suite and case of tests/kunit/*.c and tests/nouveau/*.c (the
# nouveau side's, loaded by the same kunit.sh) must have run: one that
# stops running (not registered, not built, its init failing) fails, by
# name.
declare -A kunit_want=() kunit_ran=()
kunit_suites=()
while read -r suite case; do
	[ -n "${kunit_want[$suite]+x}" ] || kunit_suites+=("$suite")
	kunit_want[$suite]+=" $case"
done < <(kunit_expected tests/kunit/*.c tests/nouveau/*.c)
if [ -s "$res/kunit.ktap" ]; then
	while IFS=$'\t' read -r suite line; do
		if [ "$line" = "# Subtest" ]; then
			kunit_ran[$suite]=
			continue
		fi
		tap_split "$line" || continue
		kunit_ran[$suite]+=" $tap_desc"
		tap_result debug "kunit $suite.$tap_desc" "$tap_verdict" "$tap_dir"
	done < <(awk '
		/^    # Subtest: / { suite = $3; print suite "\t# Subtest"; next }
		/^    (not )?ok [0-9]+ / { print suite "\t" $0 }' "$res/kunit.ktap")
else
	fail "kunit results (no build/vm-debug/kunit/kunit.ktap)"
fi
for suite in "${kunit_suites[@]}"; do
	read -r -a want <<< "${kunit_want[$suite]}"
	if [ -z "${kunit_ran[$suite]+x}" ]; then
		fail "kunit suite $suite did not run (its sources have ${#want[@]} cases in it)"
		continue
	fi
	missing=()
	for case in "${want[@]}"; do
		[[ " ${kunit_ran[$suite]} " = *" $case "* ]] || missing+=("$case")
	done
	if [ ${#missing[@]} = 0 ]; then
		pass "kunit suite $suite: all ${#want[@]} cases of its sources ran"
	else
		fail "kunit suite $suite: $((${#want[@]} - ${#missing[@]})) of ${#want[@]} cases ran; missing: ${missing[*]}"
	fi
done
for suite in "${!kunit_ran[@]}"; do
	[ -n "${kunit_want[$suite]+x}" ] ||
		fail "kunit suite $suite ran, but tests/kunit/*.c and tests/nouveau/*.c register no such suite (is kunit_expected in scripts/check.sh blind to it?)"
done
layer_end kunit

layer "vgpu: VFIO users on the simulated GPU, every kernel"
for name in debug stock-6.1 stock-6.12; do
	suite_test "$name" vgpu "vGPU tests (VFIO programs)"
done
layer_end vgpu

layer "clients: mdevctl, libvirt, QEMU with nested guests (debug, stock 6.12)"
for boot in debug stock-6.12; do
	for client in mdevctl libvirt nested; do
		suite_test "$boot" "$client" "$client tests"
	done
	suite_test "$boot" nova "OpenStack Nova's libvirt driver"
done
layer_end clients

layer "nouveau: the hook and the backend on the debug kernel and, DKMS-built, on stock 6.12; no GPU"
suite_test debug nouveau "patched nouveau, the manager and the backend loaded and unloaded"
if [ ${#stock_nouveau[@]} -gt 0 ]; then
	suite_test stock-6.12 nouveau "the DKMS-built nouveau, the manager and the backend loaded and unloaded"
else
	fail "stock-6.12: nouveau not run: the DKMS test left no nouveau.ko and backend (log: build/nouveau-dkms.log)"
fi
layer_end nouveau

layer "stock kernels: load and unload, DKMS"
for name in stock-6.1 stock-6.12; do
	suite_test "$name" load "insmod/rmmod"
done
suite_test stock-6.12 dkms "DKMS add, build, install, modprobe, remove"
layer_end "stock kernels"

layer "harness: a splat in dmesg fails the run"
rc=$(cat "$out/vm-canary.rc" 2>/dev/null || echo none)
if [ "$rc" = 0 ]; then
	fail "a planted WARNING went unnoticed (log: build/vm-canary.log)"
elif [ "$rc" = 1 ] && grep -q '^vm: dmesg: WARNING:.*planted by the harness' "$out/vm-canary.log"; then
	pass "a planted WARNING fails the VM run$(retried canary)"
else
	tail -n 20 "$out/vm-canary.log" 2>/dev/null | sed 's/^/    /'
	fail "canary run (exit $rc) failed without naming the WARNING"
fi
layer_end harness

# An allowed reason no debug-kernel check gave any more is one to remove.
if [ -s "$out/vm-debug/exit-code" ]; then
	for why in "${!allowed_skips[@]}"; do
		[ "${allowed_skips[$why]}" = used ] ||
			echo "note: tests/vm/allowed-skips.txt allows a skip the debug kernel no longer made: $why"
	done
fi
finish
