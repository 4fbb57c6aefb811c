#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/coverage.sh [TEST...]
#
# What `make coverage` runs (as root): the line coverage of vgpu_mgr/ and
# nvkm_glue/sim/ under the KUnit suites and the VFIO test programs,
# measured with gcov. Installs missing Debian packages, builds (or reuses)
# the coverage kernel (scripts/build-kernel.sh coverage: the debug kernel
# with CONFIG_GCOV_KERNEL and without its slowest checkers, cached like the
# others), builds the modules for it with NVKM_COVERAGE=1 (gcov counters in
# every object, see Kbuild) and the VFIO test programs, then boots one VM
# (tests/vm/run-vm.sh) whose suite (tests/vm/suite.sh) runs
# tests/vm/kunit.sh, tests/vm/vgpu.sh (TEST... only those programs;
# default all) and last tests/vm/gcov.sh, which copies the counters out of
# /sys/kernel/debug/gcov (the kernel keeps those of unloaded modules).
# Then gcov, on the host, against the build's .gcno files.
#
# Prints a table: for every vgpu_mgr/*.c and nvkm_glue/sim/*.c its
# executable lines, the lines that ran and the percentage, and the totals
# per directory; then the functions with the most lines that never ran.
# Writes the table to build/coverage/coverage.txt, every function's
# figures to build/coverage/functions.txt and gcov's annotated sources
# (#####: a line that never ran; with branches, gcov -b) to
# build/coverage/gcov/. Prints a line at least once a minute. Exits 1 if a
# step failed, or the VM run did (a test failed, a splat): the table of a
# failed run is printed all the same.
# Environment: VM_TIMEOUT (seconds, default 5400).
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

case "${1:-}" in
-*) usage ;;
esac
tests=("$@")
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/coverage
mods=$out/modules
bin=$out/bin
res=$out/vm
t0=$SECONDS

me=coverage
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (it installs packages, loads modules in a VM)"
mkdir -p "$out"

say "checking Debian packages (scripts/install-deps.sh)"
run_logged "$out/install-deps.log" "$top/scripts/install-deps.sh" ||
	die "installing packages (log: $out/install-deps.log)"

say "the coverage kernel (scripts/build-kernel.sh coverage; 10 min or more to build when it is not cached)"
step=$SECONDS
run_logged "$out/kernel.log" "$top/scripts/build-kernel.sh" coverage --print-dir ||
	die "coverage kernel (log: $out/kernel.log)"
kdir=$(tail -n 1 "$out/kernel.log")
rel=$(cat "$kdir/release")
if grep -q 'building' "$out/kernel.log"; then
	say "built $rel in $(((SECONDS - step) / 60)) min: $kdir"
else
	say "cached: $rel in $kdir"
fi

say "building the modules with gcov (NVKM_COVERAGE=1) and the VFIO test programs"
run_logged "$out/build-module.log" "$top/scripts/build-module.sh" "$kdir/linux" "$mods" NVKM_COVERAGE=1 ||
	die "module build (log: $mods/build.log)"
[ -n "$(find "$mods/vgpu_mgr" -name '*.gcno' -print -quit)" ] ||
	die "no .gcno in $mods/vgpu_mgr: the modules were built without gcov"
run_logged "$out/vfio-bin.log" make -C "$top/tests/vm/vfio" O="$bin" ||
	die "test programs (log: $out/vfio-bin.log)"

T=$top/tests/vm
say "booting $rel under QEMU (TCG): kunit, vgpu ${tests[*]:-(all programs)}, gcov"
step=$SECONDS
"$T/run-vm.sh" --timeout "${VM_TIMEOUT:-5400}" --mem 3072 --smp 2 \
	"$kdir/bzImage" "$rel" "$kdir/modroot" "$res" "$T/suite.sh" \
	kunit "$T/kunit.sh" "$mods" -- \
	vgpu "$T/vgpu.sh" "$mods" "$bin" "${tests[@]}" -- \
	gcov "$T/gcov.sh" "$mods" \
	>"$out/run-vm.log" 2>&1 &
vm_rc=0
wait_logged $! "$res/console.log" || vm_rc=$?
say "the VM ran for $(((SECONDS - step) / 60)) min $(((SECONDS - step) % 60)) s"
# The verdict's lines, not the first splat's context (see run-vm.log).
grep -E '^vm: ' "$out/run-vm.log" | grep -vE '^vm: [a-z]+\|' | head -n 20 | sed 's/^/  /'
for t in kunit vgpu gcov; do
	rc=$(tr -d '[:space:]' <"$res/$t/exit-code" 2>/dev/null || true)
	say "$t: ${rc:+exit }${rc:-did not finish} (log: $res/$t/script.log)"
done
grep -h '^not ok' "$res/vgpu/vgpu.tap" 2>/dev/null | head -n 10 | sed 's/^/  /' || true
gcda=$res/gcov/gcda
[ -n "$(find "$gcda" -name '*.gcda' -print -quit 2>/dev/null)" ] ||
	die "no gcov data came out of the VM (log: $out/run-vm.log)"

# gcov reads OBJDIR/NAME.gcno and OBJDIR/NAME.gcda: both go to a tree of
# their own, the build's objects and the VM's counters side by side.
say "gcov over the counters"
work=$out/gcov
rm -rf "$work"
mkdir -p "$work"
cov_dir() {
	local d=$1 c name
	mkdir -p "$work/obj/$d" "$work/$d"
	cp "$mods/$d"/*.gcno "$work/obj/$d/" 2>/dev/null || true
	cp "$gcda/$d"/*.gcda "$work/obj/$d/" 2>/dev/null || true
	for c in "$mods/$d"/*.c; do
		name=$(basename "$c" .c)
		if [ ! -f "$work/obj/$d/$name.gcno" ]; then
			echo "$d/$name.c not-built"
			continue
		fi
		# gcov -b: "function NAME called ..." before each function's
		# first line in NAME.c.gcov, so lines count to their function.
		(cd "$work/$d" && gcov -b -o "$work/obj/$d" "$c" >"$name.summary" 2>"$name.err") ||
			die "gcov $d/$name.c: $(head -n 3 "$work/$d/$name.err")"
		awk -v f="$d/$name.c" -v fns="$work/functions.raw" -F: '
			/^function / {
				split($0, w, " ")
				fn = w[2]
				order[++nfn] = fn
				next
			}
			$1 ~ /^ *(#####|=====)$/ { lines++; fl[fn]++; next }
			$1 ~ /^ *[0-9]+\*?$/ { lines++; covered++; fl[fn]++; fc[fn]++ }
			END {
				print f, lines + 0, covered + 0
				for (i = 1; i <= nfn; i++)
					print f, order[i], fl[order[i]] + 0, fc[order[i]] + 0 >>fns
			}' "$work/$d/$name.c.gcov"
	done
}
: >"$work/functions.raw"
{ cov_dir vgpu_mgr; cov_dir nvkm_glue/sim; } >"$work/files.txt"

table=$out/coverage.txt
awk '
	function row(name, l, c) {
		if (l == "not-built") {
			printf "%-32s %7s %8s %8s\n", name, "-", "-", "not built"
			return
		}
		printf "%-32s %7d %8d %7.1f%%\n", name, l, c, l ? 100 * c / l : 0
	}
	function total() {
		if (dir != "")
			row(dir "/ total", dl, dc)
	}
	{
		d = $1
		sub(/\/[^\/]*$/, "", d)
		if (d != dir) {
			total()
			dir = d
			dl = dc = 0
		}
		row($1, $2, $3)
		if ($2 != "not-built") {
			dl += $2
			dc += $3
		}
	}
	BEGIN { printf "%-32s %7s %8s %8s\n", "file", "lines", "covered", "percent" }
	END { total() }' "$work/files.txt" >"$table"
awk '{ printf "%-28s %-36s %5d lines %5d ran %5d never\n", $1, $2, $3, $4, $3 - $4 }' \
	"$work/functions.raw" | sort -k7,7nr -k1,2 >"$out/functions.txt"
echo
sed 's/^/  /' "$table"
echo
echo "  the functions with the most lines that never ran (all: $out/functions.txt):"
awk '$7 > 0' "$out/functions.txt" | head -n 15 | sed 's/^/    /'
echo
total=$(awk '$1 == "vgpu_mgr/" && $2 == "total" { print $5 }' "$table")
if [ "$vm_rc" != 0 ] || ! grep -q '^vm: PASS' "$out/run-vm.log"; then
	say "FAIL: the VM run failed (log: $out/run-vm.log, results $res/); vgpu_mgr/ ${total:-?} of lines ran"
	exit 1
fi
say "done: vgpu_mgr/ ${total:-?} of lines ran; table in $table, annotated sources in $work/"
