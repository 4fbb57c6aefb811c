#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/suite.sh NAME SCRIPT [ARGS...] [-- NAME SCRIPT [ARGS...]]...   (inside the test VM)
#
# Runs several test scripts in one boot of the test VM, one after the
# other: a boot of the debug kernel under TCG costs more than most tests.
# Each script runs with NVKM_RESULTS=$NVKM_RESULTS/NAME (its own results
# folder), its output in NAME/script.log and on the console, its exit code
# in NAME/exit-code. The kernel log gets a line "nvkm-suite: NAME start"
# before and "nvkm-suite: NAME end" after each, so that a splat can be
# traced to the script that was running (tests/vm/splat.sh).
#
# A script must leave the kernel as it found it: after each, this checks
# that no nvkm_vgpu module is still loaded and no mdev exists, and records
# a failure in NAME/leftovers (then cleans up) when one is. A failing
# script does not stop the next. Exits 1 if any script failed or left
# something behind; the names of those go to $NVKM_RESULTS/suite.failed.
set -uo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -ge 2 ] || usage
top=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
: >"$top/suite.failed"
failed=0

kmsg() {
	echo "nvkm-suite: $*" >/dev/kmsg 2>/dev/null || true
}

# Modules and vGPUs a script left behind: listed, then removed.
leftovers() {
	local d m found=0
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d" ] || continue
		echo "mdev ${d##*/}"
		echo 1 >"$d/remove" 2>/dev/null || true
		found=1
	done
	for m in nvkm_vgpu_nouveau_glue_kunit nvkm_vgpu_nouveau_kunit \
		nvkm_vgpu_sim_kunit nvkm_vgpu_kunit nvkm_vgpu_nouveau \
		nvkm_vgpu_sim nvkm_vgpu; do
		[ -d "/sys/module/$m" ] || continue
		echo "module $m"
		rmmod "$m" 2>/dev/null || true
		found=1
	done
	return $((!found))
}

run_one() {
	local name=$1 script=$2 dir=$top/$1 rc start
	shift 2
	case "$name" in
	'' | *[!a-z0-9_-]*) echo "suite: bad name '$name'" >&2; exit 2 ;;
	esac
	mkdir -p "$dir"
	start=$SECONDS
	echo "suite: $name: $script $*"
	kmsg "$name start"
	NVKM_RESULTS=$dir bash "$script" "$@" </dev/null 2>&1 | tee "$dir/script.log"
	rc=${PIPESTATUS[0]}
	echo "$rc" >"$dir/exit-code"
	if leftovers >"$dir/leftovers"; then
		echo "suite: $name left behind: $(tr '\n' ' ' <"$dir/leftovers")"
		rc=1
	else
		rm -f "$dir/leftovers"
	fi
	# A debug kernel delays every kobject release by up to 4 s
	# (CONFIG_DEBUG_KOBJECT_RELEASE): wait them out, so that a release
	# calling into a module already unloaded splats inside this script's
	# window and is traced to it.
	[ ! -e /sys/kernel/debug/kmemleak ] || sleep 5
	kmsg "$name end"
	echo "suite: $name: exit $rc, $((SECONDS - start)) s"
	if [ "$rc" != 0 ]; then
		echo "$name" >>"$top/suite.failed"
		failed=1
	fi
}

args=()
for a in "$@" --; do
	if [ "$a" = -- ]; then
		[ ${#args[@]} -ge 2 ] || usage
		run_one "${args[@]}"
		args=()
	else
		args+=("$a")
	fi
done
exit "$failed"
