#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/bench.sh [--reps N] [--copy-reps N] [--sizes MIB,...] [--type TYPE] [--peer-reps N] [--peer-cycles N] [--no-peers] [--sched-window MS] [--no-sched]
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
#     4,16,64 MiB) against memcpy() between the same BAR1-mapped ranges;
# then, in the same VM, tests/vm/vfio/bench_peers.c: our vGPU beside the
# kernel's mdev samples mtty and mbochs (samples/vfio-mdev; built here out
# of tree from Debian's linux-source-6.12 against the kernel's headers,
# into build/bench/peers/): a trapped 4-byte register read, mdev create
# and remove, a memset() of an mmap()ed BAR, and the memory of idle
# instances; and, before that, tests/vm/vfio/bench_sched.c: the engine
# scheduler's delivered fixed and equal shares against the configured
# ones, best_effort utilisation with 2 to 8 busy vGPUs and the engine
# time lost per slice switch, a policy switch as a 100 ms time series,
# wait-to-run against the slice length, and busy_ns against the work
# submitted.
#
#   --reps N         samples of each latency (default 5000)
#   --copy-reps N    copies of each size, by each of the two (default 15)
#   --sizes LIST     copy sizes in MiB, comma separated (default 4,16,64)
#   --type TYPE      the vGPU's type on the h100 (default h100-10c)
#   --peer-reps N    register reads of each device (default 5000)
#   --peer-cycles N  create/remove cycles of each parent (default 50)
#   --no-peers       no comparison with mtty and mbochs
#   --sched-window MS each scheduler measurement's window (default 3000)
#   --no-sched       no scheduler measurements
#
# Prints a line at least every minute, then the table. Everything lands in
# build/bench/: results.md (the table, what it was measured on, the copy
# engine's ratio against the goal of 0.8, the table beside mtty and
# mbochs), summary.tsv and samples.tsv (every sample, microseconds),
# peers.tsv and peers-samples.tsv, sched-*.tsv (the scheduler's), and
# latency.png, peers.png, sched-shares.png, sched-switch.png and
# sched-wait.png when gnuplot is installed, and the VM's files in build/bench/vm/. Exits non-zero if
# the run failed.
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
bench_args=()
peer_args=()
peers=1
sched_args=()
type=h100-10c
while [ $# -gt 0 ]; do
	case $1 in
	--no-peers)
		peers=0
		shift
		continue
		;;
	--no-sched)
		sched_args+=(--no-sched)
		shift
		continue
		;;
	--sched-window)
		case ${2:-} in
		'' | *[!0-9]*) echo "bench: $1 takes an integer" >&2; exit 2 ;;
		esac
		sched_args+=("$1" "$2")
		shift 2
		continue
		;;
	--peer-reps | --peer-cycles)
		case ${2:-} in
		'' | *[!0-9]*) echo "bench: $1 takes an integer" >&2; exit 2 ;;
		esac
		peer_args+=("$1" "$2")
		shift 2
		continue
		;;
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
rm -f "$out/results.md" "$out/summary.tsv" "$out/samples.tsv" "$out/latency.png" \
	"$out/peers.tsv" "$out/peers-samples.tsv" "$out/peers.png" \
	"$out"/sched-*.tsv "$out"/sched-*.png

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

# ---- the kernel's mdev samples, mtty and mbochs (bench_peers) ----

# peers_build: mtty.ko and mbochs.ko for $rel in $out/peers. The debug
# kernel has its own (CONFIG_SAMPLE_VFIO_MDEV_MTTY/MBOCHS=m); for a stock
# kernel, which ships neither, they are built out of tree from Debian's
# linux-source-<major.minor> (samples/vfio-mdev/, the two files only)
# against $kdir, again only when the kernel or the tarball changed. Sets
# peers_dir and peers_from, or says why not and leaves peers_dir empty:
# bench_peers then measures ours alone.
peers_dir=
peers_from=
peers_build() {
	local dir=$out/peers series tarball stamp name f
	if [ "$kernel" = debug ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		for name in mtty mbochs; do
			f=$(find "$moddir/lib/modules/$rel" -name "$name.ko*" -print -quit)
			[ -n "$f" ] || { say "no $name.ko in the debug kernel's modules: no mtty/mbochs"; return 0; }
			case $f in
			*.xz) xz -dc "$f" >"$dir/$name.ko" ;;
			*.zst) zstd -qdc "$f" >"$dir/$name.ko" ;;
			*.gz) gzip -dc "$f" >"$dir/$name.ko" ;;
			*) cp "$f" "$dir/$name.ko" ;;
			esac
		done
		peers_dir=$dir
		peers_from="the debug kernel's own modules"
		return 0
	fi
	series=$(echo "$rel" | cut -d. -f1,2)
	tarball=/usr/src/linux-source-$series.tar.xz
	if [ ! -f "$tarball" ]; then
		say "no $tarball (apt-get install linux-source-$series): no mtty/mbochs"
		return 0
	fi
	stamp="$rel $kdir $(stat -c '%s %Y' "$tarball")"
	peers_from="samples/vfio-mdev of $(basename "$tarball"), built against $kdir"
	if [ -s "$dir/mtty.ko" ] && [ -s "$dir/mbochs.ko" ] &&
		[ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		peers_dir=$dir
		return 0
	fi
	say "building mtty.ko and mbochs.ko from $(basename "$tarball") for $rel"
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! tar -xJf "$tarball" -C "$dir" --strip-components=3 \
		"linux-source-$series/samples/vfio-mdev/mtty.c" \
		"linux-source-$series/samples/vfio-mdev/mbochs.c" 2>"$dir/build.log"; then
		say "extracting the samples failed (log: $dir/build.log): no mtty/mbochs"
		return 0
	fi
	echo 'obj-m := mtty.o mbochs.o' >"$dir/Kbuild"
	if ! make -C "$kdir" M="$dir" modules >>"$dir/build.log" 2>&1; then
		tail -n 10 "$dir/build.log" | sed 's/^/    /' >&2
		say "building mtty/mbochs failed (log: $dir/build.log): no mtty/mbochs"
		return 0
	fi
	echo "$stamp" >"$dir/stamp"
	peers_dir=$dir
}

vm_peer_args=(--no-peers)
if [ "$peers" = 1 ]; then
	peers_build
	vm_peer_args=("${peer_args[@]}")
	[ -z "$peers_dir" ] || vm_peer_args+=(--peers "$peers_dir")
fi

res=$out/vm
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "booting $rel under QEMU (TCG): tests/vm/bench.sh, a $type vGPU on a simulated h100-80gb"
"$top/tests/vm/run-vm.sh" --timeout 1800 --mem 3072 --smp 2 \
	"$image" "$rel" "$moddir" "$res" "$top/tests/vm/bench.sh" --type "$type" \
	--limit 1500 "${vm_peer_args[@]}" "${sched_args[@]}" "$out/modules" "$out/bin" "${bench_args[@]}" \
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
		peers_results
		sched_results
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

# ---- beside the kernel's mdev samples (bench_peers: peers.tsv) ----

# peers_results: results.md's section for peers.tsv, if the VM wrote one.
peers_results() {
	[ -s "$out/peers.tsv" ] || return 0
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo
	echo "## Beside the kernel's mdev samples: mtty and mbochs"
	echo
	echo "In the same VM run as the table above: Debian's stock $(env_of kernel) under QEMU"
	echo "TCG ($(env_of cpus) vCPUs, $(env_of memory)) on $(nproc) host cores ($cpu),"
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'). mtty and mbochs: ${peers_from:-not loaded}$(env_of peers_params | sed 's/^./, &/')."
	echo "Ours: a $(env_of peers_type) vGPU of the simulated h100-80gb."
	echo
	echo "| metric | unit | nvkm-vgpu | mtty | mbochs | host reference |"
	echo "| --- | --- | ---: | ---: | ---: | ---: |"
	awk -F'\t' 'NR > 1 {
		printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3 == "us" ? "µs" : $3,
			$4, $5, $6, $7
	}' "$out/peers.tsv"
	echo
	echo "Register reads: pread() of 4 bytes on the VFIO device fd, each device's"
	echo "own trapped register: our BAR0 MAGIC (0xf00000), mtty's BAR0 I/O ports"
	echo "at MCR (offset 4, one access), mbochs' MMIO BAR2 at the bochs dispi"
	echo "registers (0x500); host reference: pread() of 4 bytes from /dev/zero,"
	echo "the system call alone. Create and remove: the write to the type's"
	echo "create file and to the mdev's remove file, timed apart (ours"
	echo "$(env_of peers_type), mtty's 1-port type, mbochs' small type). Mapped"
	echo "writes: memset() of $(env_of peers_map_mib) MiB mmap()ed from our BAR1 (FB"
	echo "aperture) and from mbochs' framebuffer BAR0, against anonymous memory"
	echo "on the host; the first memset() of each mapping (every page faulted in)"
	echo "apart; mtty maps nothing. Memory: K idle instances (created, never"
	echo "opened), /proc/meminfo after sync and drop_caches, before and after,"
	echo "divided by K; for ours also what the simulated GPU committed"
	echo "(vram_used_kib); the two \"left\" rows, what is still missing once all K"
	echo "are removed, in all, are the noise: a per-instance figure below a few"
	echo "times theirs over K means nothing. Percentiles are nearest-rank."
	echo "Samples: peers-samples.tsv."
	[ ! -s "$out/peers.png" ] || echo "Plot: peers.png."
}

# peers_rows SPEC: gnuplot rows from peers.tsv. SPEC: KEY:KEY2:LABEL,...;
# each row is LABEL, then for each device (nvkm-vgpu, mtty, mbochs, host)
# its value of KEY and of KEY2 (the p99, or KEY again).
peers_rows() {
	awk -F'\t' -v spec="$1" '
		NR > 1 { for (c = 4; c <= 7; c++) v[$1, c] = $c }
		END {
			n = split(spec, r, ",")
			for (i = 1; i <= n; i++) {
				split(r[i], f, ":")
				line = "\"" f[3] "\""
				for (c = 4; c <= 7; c++)
					line = line " " v[f[1], c] " " v[f[2], c]
				print line
			}
		}' "$out/peers.tsv"
}

# peers.png: the latencies beside each other (bars the medians, whiskers
# up to p99, log scale), and the mapped writes' throughput.
peers_plot() {
	local dir=$out/plot-peers
	command -v gnuplot >/dev/null || return 0
	[ -s "$out/peers.tsv" ] || return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	peers_rows 'reg-read:reg-read-p99:register read,create:create-p99:mdev create,remove:remove-p99:mdev remove' \
		>"$dir/latency.dat"
	peers_rows 'map-write:map-write:memset,map-first:map-first:first memset (faults)' \
		>"$dir/map.dat"
	{
		echo "set terminal png size 1200,550"
		echo "set output '$out/peers.png'"
		echo "set multiplot layout 1,2 title 'nvkm-vgpu beside mtty and mbochs, stock $(env_of kernel) under TCG'"
		echo "set datafile missing 'n/a'"
		echo "set style data histogram"
		echo "set style fill solid 0.8 border -1"
		echo "set grid ytics"
		echo "set key top left"
		echo "set style histogram errorbars gap 1 lw 1"
		echo "set title 'latency: median, whisker to p99'"
		echo "set ylabel 'microseconds (log)'"
		echo "set logscale y"
		echo "set yrange [0.1:*]"
		echo "plot '$dir/latency.dat' using 2:2:3:xtic(1) title 'nvkm-vgpu' lc rgb '#1f77b4', \\"
		echo "  '' using 4:4:5 title 'mtty' lc rgb '#ff7f0e', \\"
		echo "  '' using 6:6:7 title 'mbochs' lc rgb '#2ca02c', \\"
		echo "  '' using 8:8:9 title 'host' lc rgb '#7f7f7f'"
		echo "unset logscale y"
		echo "set yrange [0:*]"
		echo "set style histogram cluster gap 1"
		echo "set key below"
		echo "set title 'writes to an mmap()ed BAR ($(env_of peers_map_mib) MiB)'"
		echo "set ylabel 'MiB/s'"
		echo "plot '$dir/map.dat' using 2:xtic(1) title 'nvkm-vgpu BAR1' lc rgb '#1f77b4', \\"
		echo "  '' using 6 title 'mbochs BAR0' lc rgb '#2ca02c', \\"
		echo "  '' using 8 title 'host, anonymous' lc rgb '#7f7f7f'"
		echo "unset multiplot"
	} >"$dir/peers.gp"
	gnuplot "$dir/peers.gp" 2>"$dir/gnuplot.log" || say "gnuplot failed (log: $dir/gnuplot.log)"
}

# ---- the engine scheduler (bench_sched: sched-*.tsv) ----

# sched_table FILE HEADER AWK: a Markdown table from a sched-*.tsv, one row
# per line after its header, printed by AWK (fields split on tabs).
sched_table() {
	echo "$2"
	echo "$2" | awk -F'|' '{ s = "|"; for (i = 2; i < NF; i++) s = s " --- |"; print s }'
	awk -F'\t' "NR > 1 { $3 }" "$out/$1"
}

# sched_results: results.md's section for sched-*.tsv, if the VM wrote them.
# The single-quoted arguments are awk programs.
# shellcheck disable=SC2016
sched_results() {
	[ -s "$out/sched-summary.tsv" ] || return 0
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo
	echo "## Engine scheduler"
	echo
	echo "In the same VM run: Debian's stock $(env_of kernel) under QEMU TCG ($(env_of cpus) vCPUs,"
	echo "$(env_of memory)) on $(nproc) host cores ($cpu), $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "tests/vm/vfio/bench_sched.c: h100-10c vGPUs sharing the simulated h100's GR"
	echo "runlist gr0, each busy one kept full of 500 µs SIM_BUSY launches; a share is a"
	echo "vGPU's sched_stats busy_ns delta over a window's wall time. Windows: $(env_of sched_window_ms) ms."
	echo
	echo "Goals:"
	echo
	sched_table sched-summary.tsv "| goal | value | target | met |" \
		'printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4'
	echo
	echo "Delivered against configured shares (fixed_share, and equal_share with one"
	echo "vGPU of four idle; \"idle\" is the engine's idle time):"
	echo
	sched_table sched-shares.tsv "| case | vGPU | weight | configured % | delivered % | deviation pp |" \
		'printf "| %s | %s | %s | %.2f | %.2f | %+.2f |\n", $1, $2, $3, $4, $5, $5 - $4'
	echo
	echo "best_effort with N busy vGPUs; engine time lost per switch: (1 - utilisation)"
	echo "over slices per second:"
	echo
	sched_table sched-best.tsv "| busy vGPUs | utilisation % | slices/s | µs lost per switch |" \
		'printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4'
	echo
	echo "Wait-to-run, best_effort, 4 busy vGPUs: from the wait_hist deltas (upper bound"
	echo "of the bucket) and from sched_log (a vGPU's run after its previous end, the"
	echo "log's last 200 decisions); bound: (busy - 1) x slice + preemption timeout:"
	echo
	sched_table sched-wait.tsv "| slice ms | wait_hist p50 µs | wait_hist p99 µs | sched_log p50 µs | sched_log p99 µs | waits | bound µs |" \
		'printf "| %s | <= %s | <= %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7'
	echo
	echo "Accounting, one vGPU alone: busy_ns against the work submitted:"
	echo
	sched_table sched-acct.tsv "| launches | launch ms | submitted ns | busy_ns | error % |" \
		'printf "| %s | %g | %s | %s | %+.3f |\n", $1, $2 / 1e6, $3, $4, $5'
	echo
	echo "A policy switch (fixed_share 1:9 to equal_share at 0 ms, two busy vGPUs),"
	echo "shares every 100 ms: sched-switch.tsv$([ ! -s "$out/sched-switch.png" ] || echo ", sched-switch.png")."
	[ ! -s "$out/sched-shares.png" ] || echo "Shares: sched-shares.png; wait-to-run: sched-wait.png."
}

# sched-shares.png, sched-switch.png, sched-wait.png.
sched_plot() {
	local dir=$out/plot-sched
	command -v gnuplot >/dev/null || return 0
	[ -s "$out/sched-shares.tsv" ] || return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	awk -F'\t' 'NR > 1 { printf "\"%s %s\" %s %s\n", $1, $2, $4, $5 }' \
		"$out/sched-shares.tsv" >"$dir/shares.dat"
	awk -F'\t' 'NR > 1 { print $1, $2, $3 }' "$out/sched-switch.tsv" >"$dir/switch.dat"
	awk -F'\t' 'NR > 1 { print $1, $2, $3, $4, $5, $7 }' "$out/sched-wait.tsv" >"$dir/wait.dat"
	{
		echo "set terminal png size 1300,600"
		echo "set output '$out/sched-shares.png'"
		echo "set title 'nvkm-vgpu scheduler: configured and delivered shares of gr0, stock $(env_of kernel) under TCG'"
		echo "set style data histogram"
		echo "set style histogram cluster gap 1"
		echo "set style fill solid 0.8 border -1"
		echo "set grid ytics"
		echo "set ylabel '% of the engine'"
		echo "set xtics rotate by -40 font ',8'"
		echo "set yrange [0:100]"
		echo "set bmargin 9"
		echo "set rmargin 6"
		echo "set key top right"
		echo "plot '$dir/shares.dat' using 2:xtic(1) title 'configured' lc rgb '#7f7f7f', \\"
		echo "  '' using 3 title 'delivered' lc rgb '#1f77b4'"
		echo "set output '$out/sched-switch.png'"
		echo "set terminal png size 1000,500"
		echo "set style data lines"
		echo "set title 'fixed\\_share 1:9 switched to equal\\_share at 0 ms, two busy vGPUs'"
		echo "set bmargin"
		echo "set rmargin"
		echo "set xlabel 'ms from the switch'"
		echo "set ylabel '% of each 100 ms'"
		echo "set xtics norotate font ''"
		echo "set yrange [0:100]"
		echo "set arrow from 0, graph 0 to 0, graph 1 nohead dt 2"
		echo "set key top right"
		echo "plot '$dir/switch.dat' using 1:2 with linespoints lw 2 title 'vGPU 0 (weight 1)', \\"
		echo "  '' using 1:3 with linespoints lw 2 title 'vGPU 1 (weight 9)'"
		echo "unset arrow"
		echo "set output '$out/sched-wait.png'"
		echo "set title 'wait-to-run, best\\_effort, 4 busy vGPUs'"
		echo "set xlabel 'slice ms'"
		echo "set ylabel 'microseconds (log)'"
		echo "set autoscale y"
		echo "set logscale y"
		echo "plot '$dir/wait.dat' using 1:4 with linespoints lw 2 title 'sched\\_log p50', \\"
		echo "  '' using 1:5 with linespoints lw 2 title 'sched\\_log p99', \\"
		echo "  '' using 1:3 with linespoints dt 2 title 'wait\\_hist p99 (bucket bound)', \\"
		echo "  '' using 1:6 with lines lc rgb 'black' title 'bound'"
	} >"$dir/sched.gp"
	gnuplot "$dir/sched.gp" 2>"$dir/gnuplot.log" || say "gnuplot failed (log: $dir/gnuplot.log)"
}

echo
grep -aE '^(ok|not ok|Bail out!)' "$res/bench.tap" 2>/dev/null | sed 's/^/  /' ||
	echo "  (no TAP from bench: $res/bench.tap)"
[ ! -s "$res/peers.tap" ] || grep -aE '^(ok|not ok|Bail out!)' "$res/peers.tap" | sed 's/^/  peers: /'
[ ! -s "$res/sched.tap" ] || grep -aE '^(ok|not ok|Bail out!)' "$res/sched.tap" | sed 's/^/  sched: /'
grep -E '^vm: ' "$out/run-vm.log" | head -n 20 | sed 's/^/  /'
ok=0
if [ "$vm_rc" = 0 ] && grep -q '^vm: PASS' "$out/run-vm.log" && [ -s "$res/summary.tsv" ]; then
	ok=1
fi
if [ -s "$res/summary.tsv" ]; then
	cp "$res/summary.tsv" "$res/samples.tsv" "$out/"
	[ ! -s "$res/peers.tsv" ] || cp "$res/peers.tsv" "$res/peers-samples.tsv" "$out/"
	[ ! -s "$res/sched-summary.tsv" ] || cp "$res"/sched-*.tsv "$out/"
	plot
	peers_plot
	sched_plot
	write_results
	echo
	sed -n '/^| measurement/,/^$/p' "$out/results.md"
	grep '^Copy engine against' "$out/results.md" || true
	sed -n '/^| metric/,/^$/p' "$out/results.md"
	sed -n '/^| goal/,/^$/p' "$out/results.md"
fi
if [ "$ok" = 1 ]; then
	say "PASS: results in $out/results.md"
	exit 0
fi
say "FAIL (results $res/, log $out/run-vm.log)"
exit 1
