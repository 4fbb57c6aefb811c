#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/bench.sh [--reps N] [--copy-reps N] [--sizes MIB,...] [--type TYPE]
#
# What `make bench` runs (as root; not part of make check): installs
# missing Debian packages (scripts/install-deps.sh bench, which adds
# gnuplot-nox for the plot), takes Debian's stock 6.12 kernel from
# scripts/kernels.sh (not the debug kernel: its checkers make timings
# meaningless), builds the modules for it and the VFIO test programs, and
# boots it under QEMU (TCG) running tests/vm/bench.sh: a simulated
# h100-80gb on the VM's PCI function 0000:00:11.0, one vGPU of TYPE
# (default h100-10c), and tests/vm/vfio/bench.c on it, which measures
#   - a trapped BAR0 register write (pwrite of SCRATCH on the VFIO device
#     fd), alone and with a read back: the baseline;
#   - doorbell to completion of a push buffer holding only a host semaphore
#     release: until a poll of the semaphore through BAR1 sees it, until
#     the engine's timestamp, and until the MSI of a NON_STALL_INTERRUPT
#     (asleep in poll() on its eventfd, and reading the eventfd in a loop);
#   - copy-engine throughput on FB to FB copies of each --sizes (default
#     4,16,64 MiB) against memcpy() between the same BAR1-mapped ranges.
#
#   --reps N       samples of each latency (default 5000)
#   --copy-reps N  copies of each size, by each of the two (default 15)
#   --sizes LIST   copy sizes in MiB, comma separated (default 4,16,64)
#   --type TYPE    the vGPU's type on the h100 (default h100-10c)
#
# Prints a line at least every minute, then the table. Everything lands in
# build/bench/: results.md (the table, what it was measured on, the copy
# engine's ratio against the goal of 0.8), summary.tsv and samples.tsv
# (every sample, microseconds), latency.png when gnuplot is installed, and
# the VM's files in build/bench/vm/. Exits non-zero if the run failed.
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
bench_args=()
type=h100-10c
while [ $# -gt 0 ]; do
	case $1 in
	--reps | --copy-reps | --sizes | --type)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			usage
		fi
		case $1 in
		--type) type=$2 ;;
		--sizes)
			case $2 in
			*[!0-9,]* | ,* | *, | *,,*) echo "bench: --sizes takes MiB, comma separated" >&2; exit 2 ;;
			esac
			bench_args+=("$1" "$2")
			;;
		*)
			case $2 in
			*[!0-9]*) echo "bench: $1 takes an integer" >&2; exit 2 ;;
			esac
			bench_args+=("$1" "$2")
			;;
		esac
		shift 2
		;;
	*) usage ;;
	esac
done
kernel=stock-6.12
t0=$SECONDS

me=bench
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (it installs packages, loads modules in a VM)"
mkdir -p "$out"
rm -f "$out/results.md" "$out/summary.tsv" "$out/samples.tsv" "$out/latency.png"

say "checking Debian packages (scripts/install-deps.sh bench)"
run_logged "$out/install-deps.log" "$top/scripts/install-deps.sh" bench ||
	die "installing packages (log: $out/install-deps.log)"

say "kernels (scripts/kernels.sh $kernel)"
"$top/scripts/kernels.sh" "$kernel" >"$out/kernels.txt" 2>"$out/kernels.log" ||
	die "kernels: $(tail -n 3 "$out/kernels.log" | tr '\n' ' ')"
read -r kdir image rel moddir < <(awk -v k="$kernel" '$1 == k { print $2, $3, $4, $5 }' "$out/kernels.txt") ||
	die "no kernel $kernel in scripts/kernels.sh's list"

say "building the modules for $rel and the VFIO test programs"
run_logged "$out/build-module.log" "$top/scripts/build-module.sh" "$kdir" "$out/modules" ||
	die "module build (log: $out/modules/build.log)"
run_logged "$out/vfio-bin.log" make -C "$top/tests/vm/vfio" O="$out/bin" ||
	die "test programs (log: $out/vfio-bin.log)"

res=$out/vm
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "booting $rel under QEMU (TCG): tests/vm/bench.sh, a $type vGPU on a simulated h100-80gb"
"$top/tests/vm/run-vm.sh" --timeout 1800 --mem 3072 --smp 2 \
	"$image" "$rel" "$moddir" "$res" "$top/tests/vm/bench.sh" --type "$type" \
	--limit 1500 "$out/modules" "$out/bin" "${bench_args[@]}" \
	>"$out/run-vm.log" 2>&1 &
vm_rc=0
wait_vm $! "$res" bench.tap || vm_rc=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# env.txt's value of KEY.
env_of() {
	awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$res/env.txt" 2>/dev/null
}

# results.md: the table from summary.tsv, what it was measured on.
write_results() {
	local md=$out/results.md cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	{
		echo "# nvkm-vgpu: make bench"
		echo
		echo "- kernel: Debian's stock $(env_of kernel), in a QEMU TCG VM (no KVM) with"
		echo "  $(env_of cpus) vCPUs and $(env_of memory)"
		echo "- host: $(nproc) cores ($cpu); load average (1, 5, 15 min) $load_before"
		echo "  before the boot, $load_after after: other work on the host shows in every number"
		echo "- GPU: $(env_of gpu); vGPU: $(env_of vgpu)"
		echo "- source: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown), measured $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo
		echo "Numbers under TCG are the emulator's: compare them with each other, not"
		echo "with hardware."
		echo
		echo "| measurement | samples | median | p99 | unit | ratio |"
		echo "| --- | ---: | ---: | ---: | --- | ---: |"
		awk -F'\t' 'NR > 1 {
			printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5,
				$6 == "us" ? "µs" : $6, $7 == "" ? "" : $7
		}' "$out/summary.tsv"
		echo
		echo "ratio: of a latency, its median over the baseline's (BAR0 SCRATCH write and"
		echo "read back); of a copy-engine row, the median over its copies of the engine's"
		echo "throughput over that of the memcpy() between the same two BAR1-mapped FB"
		echo "ranges run right after it, in the same process. p99 of a"
		echo "throughput is that of the 99th percentile (slow) copy; with fewer than 100"
		echo "copies, the slowest. Percentiles are nearest-rank."
		echo
		awk -F'\t' 'NR > 1 && $1 ~ /^ce-copy-/ {
			n++
			sub(/^ce-copy-/, "", $1)
			sub(/MiB$/, " MiB", $1)
			line = line sprintf("%s%s %.2f", n > 1 ? ", " : "", $1, $7)
			if ($7 + 0 < 0.8)
				miss = miss (miss ? ", " : "") $1
		} END {
			if (!n)
				exit
			printf "Copy engine against memcpy(): %s. Goal >= 0.8: %s.\n", line,
				miss ? "not met at " miss : "met at every size"
		}' "$out/summary.tsv"
		echo
		echo "Raw samples (microseconds): samples.tsv; the VM's files: vm/."
		[ ! -s "$out/latency.png" ] || echo "Latency distributions: latency.png."
	} >"$md"
}

# latency.png: the distribution of each latency, as a CDF on a log scale.
plot() {
	local dir=$out/plot names=() name
	command -v gnuplot >/dev/null || return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	mapfile -t names < <(awk -F'\t' 'NR > 1 && $6 == "us" { print $1 }' "$out/summary.tsv")
	[ ${#names[@]} -gt 0 ] || return 0
	for name in "${names[@]}"; do
		awk -F'\t' -v m="$name" '$1 == m { print $3 }' "$out/samples.tsv" | sort -g |
			awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }' \
				>"$dir/$name.dat"
	done
	{
		echo "set terminal png size 1000,600"
		echo "set output '$out/latency.png'"
		echo "set title 'nvkm-vgpu latencies, stock $(env_of kernel) under TCG'"
		echo "set xlabel 'microseconds (log)'"
		echo "set ylabel 'fraction of samples at or below'"
		echo "set logscale x"
		echo "set grid"
		echo "set key bottom right"
		printf 'plot '
		local sep='' i=0 colours=(black '#1f77b4' '#ff7f0e' '#2ca02c' '#d62728' '#9467bd' '#8c564b' '#e377c2')
		for name in "${names[@]}"; do
			printf "%s'%s' using 1:2 with lines lw 2 lc rgb '%s' title '%s'" "$sep" \
				"$dir/$name.dat" "${colours[i % ${#colours[@]}]}" "$name"
			sep=', '
			i=$((i + 1))
		done
		echo
	} >"$dir/latency.gp"
	gnuplot "$dir/latency.gp" 2>"$dir/gnuplot.log" || say "gnuplot failed (log: $dir/gnuplot.log)"
}

echo
grep -aE '^(ok|not ok|Bail out!)' "$res/bench.tap" 2>/dev/null | sed 's/^/  /' ||
	echo "  (no TAP from bench: $res/bench.tap)"
grep -E '^vm: ' "$out/run-vm.log" | head -n 20 | sed 's/^/  /'
ok=0
if [ "$vm_rc" = 0 ] && grep -q '^vm: PASS' "$out/run-vm.log" && [ -s "$res/summary.tsv" ]; then
	ok=1
fi
if [ -s "$res/summary.tsv" ]; then
	cp "$res/summary.tsv" "$res/samples.tsv" "$out/"
	plot
	write_results
	echo
	sed -n '/^| measurement/,/^$/p' "$out/results.md"
	grep '^Copy engine against' "$out/results.md" || true
fi
if [ "$ok" = 1 ]; then
	say "PASS: results in $out/results.md"
	exit 0
fi
say "FAIL (results $res/, log $out/run-vm.log)"
exit 1
