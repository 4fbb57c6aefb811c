# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the test scripts that run inside the test VM. A script
# sets tap (its TAP file) and, to use run(), log (its command log), then
# sources this file. n counts the checks, failed becomes 1 at the first
# failed check, skipped counts the checks reported as skipped. me, the
# word the script's own lines begin with ("libvirt: ..."), is the script's
# name less .sh unless the script set it.
# shellcheck shell=bash
# tap and log come from the sourcing script, which reads the counters.
# shellcheck disable=SC2154,SC2034

n=0
failed=0
skipped=0
me=${me:-$(basename "$0" .sh)}

# tap_line LINE: LINE to the TAP file, and to stdout after the seconds
# since the script started, which say where a slow test spends its time.
tap_line() {
	echo "$1" >>"$tap"
	echo "[${SECONDS}s] $1"
}

# check DESCRIPTION COMMAND...: one TAP line for COMMAND's success.
check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		tap_line "ok $n - $desc"
	else
		tap_line "not ok $n - $desc"
		failed=1
	fi
}

# skip REASON DESCRIPTION: a check that cannot run here, for REASON.
skip() {
	n=$((n + 1))
	skipped=$((skipped + 1))
	tap_line "ok $n - $2 # SKIP $1"
}

# check_or_skip REASON DESCRIPTION COMMAND...: a check of a known limit:
# passes when COMMAND succeeds; when it fails, is reported as skipped for
# REASON. scripts/check.sh counts that as a skip on the stock kernels and
# fails it on the debug kernel unless REASON is a line of
# tests/vm/allowed-skips.txt.
check_or_skip() {
	local why=$1 desc=$2
	shift 2
	if "$@"; then
		n=$((n + 1))
		tap_line "ok $n - $desc"
	else
		skip "$why" "$desc"
	fi
}

# finish: the TAP plan, one summary line, and exit 1 if a check failed.
finish() {
	echo "1..$n" >>"$tap"
	echo "$me: $n checks, $skipped skipped, $([ "$failed" = 0 ] && echo all others passed || echo some FAILED)"
	exit "$failed"
}

# note TEXT...: a TAP comment.
note() {
	echo "# $*" | tee -a "$tap"
}

# run COMMAND...: runs it with its output in the log and on stdout.
run() {
	echo "+ $*" >>"$log"
	"$@" 2>&1 | tee -a "$log"
	return "${PIPESTATUS[0]}"
}

# udevd_exit: asks the systemd-udevd a test started to exit and waits for
# it. One still running after 30 s is told again by SIGTERM, then killed,
# and the script's log says so: `udevadm control --exit` has returned
# with udevd still running on the debug kernel, and the next test then
# found a udevd it had not started.
udevd_exit() {
	local pids i
	udevadm control --exit 2>/dev/null
	for ((i = 0; i < 60; i++)); do
		pids=$(pidof systemd-udevd) || return 0
		sleep 0.5
	done
	echo "udevd (pid $pids) did not exit when told to; SIGTERM"
	# shellcheck disable=SC2086 # one word per pid
	kill $pids 2>/dev/null
	sleep 2
	pids=$(pidof systemd-udevd) || return 0
	echo "udevd (pid $pids) survived SIGTERM; SIGKILL"
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
	sleep 1
	! pidof systemd-udevd >/dev/null
}

# install_rule: mdevctl's udev rule, which starts a parent's "auto" vGPUs
# when the parent registers, overridden in /run/udev/rules.d when the
# program it runs is not where the package put it (Debian 12's mdevctl
# 1.2.0-3 runs /usr/sbin/mdevctl, but installs /usr/bin/mdevctl).
# rule_runs says what the rule runs, rule_override names the override.
rule_runs=
rule_override=
install_rule() {
	local rule prog real
	for rule in /usr/lib/udev/rules.d/*mdevctl*.rules /lib/udev/rules.d/*mdevctl*.rules ''; do
		[ -f "$rule" ] && break
	done
	[ -n "$rule" ] || { echo "$me: no mdevctl udev rule installed"; return 1; }
	prog=$(grep -o '/[^ ]*mdevctl start-parent-mdevs' "$rule" | head -n1)
	prog=${prog%% *}
	real=$(command -v mdevctl)
	rule_runs=$prog
	if [ -n "$prog" ] && [ ! -x "$prog" ]; then
		mkdir -p /run/udev/rules.d
		rule_override=/run/udev/rules.d/${rule##*/}
		sed "s|$prog |$real |g" "$rule" >"$rule_override"
		rule_runs="$real (override of $prog)"
	fi
	echo "$me: udev rule $rule runs $rule_runs"
}

# remove_rule: removes the override install_rule wrote, if it wrote one.
remove_rule() {
	[ -n "$rule_override" ] || return 0
	rm -f "$rule_override"
	rule_override=
}

# unload_modules: in a cleanup, unloads nvkm_vgpu_sim and nvkm_vgpu,
# quietly, if the script loaded them (loaded=1).
unload_modules() {
	[ "$loaded" = 1 ] || return 0
	rmmod nvkm_vgpu_sim 2>/dev/null
	rmmod nvkm_vgpu 2>/dev/null
	loaded=0
}

# The spare PCI functions of the test VM (tests/vm/run-vm.sh) that the
# simulated GPU's PCI mode drives: a "tiny" and an "h100-80gb" GPU.
SIM_PCI_TINY=0000:00:10.0
SIM_PCI_H100=0000:00:11.0

# sim_pci_bind ADDR PRESET: hands PCI function ADDR to the nvkm_vgpu_sim
# driver (loaded) as a simulated PRESET GPU; fails if it does not bind.
sim_pci_bind() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d" ] || { echo "sim_pci_bind: no PCI function $1"; return 1; }
	echo "$2" >/sys/module/nvkm_vgpu_sim/parameters/pci_preset &&
		echo nvkm_vgpu_sim >"$d/driver_override" &&
		echo "$1" >/sys/bus/pci/drivers_probe &&
		[ "$(readlink -f "$d/driver")" = /sys/bus/pci/drivers/nvkm_vgpu_sim ]
}

# sim_pci_unbind ADDR: takes PCI function ADDR from its driver and clears
# its driver_override, so that no later load binds it on its own.
sim_pci_unbind() {
	local d=/sys/bus/pci/devices/$1
	[ ! -e "$d/driver" ] || echo "$1" >"$d/driver/unbind" || return 1
	echo >"$d/driver_override"
}

# unbound ADDR: PCI function ADDR has no driver and no driver_override.
unbound() {
	local d=/sys/bus/pci/devices/$1 o
	[ ! -e "$d/driver" ] || { echo "$me: $1 is bound to $(basename "$(readlink -f "$d/driver")")"; return 1; }
	read -r o <"$d/driver_override" || o=
	[ "$o" = "(null)" ] || [ -z "$o" ] || { echo "$me: $1 has driver_override $o"; return 1; }
}

# pci_mdev_parent ADDR BOARD: PCI function ADDR is an mdev parent, named
# by its address, with a GPU of BOARD on it.
pci_mdev_parent() {
	local p=/sys/class/mdev_bus/$1 b
	[ "$(readlink -f "$p")" = "$(readlink -f "/sys/bus/pci/devices/$1")" ] ||
		{ echo "$me: $1 is no mdev parent"; return 1; }
	read -r b _ <"$p/nvkm_vgpu/board"
	[ "$b" = "$2" ] || { echo "$me: $1 is a $b GPU, not $2"; return 1; }
}

# sim_pci_gpus: binds the tiny and the h100-80gb GPU, in that order.
sim_pci_gpus() {
	sim_pci_bind "$SIM_PCI_TINY" tiny && sim_pci_bind "$SIM_PCI_H100" h100-80gb
}

# sim_pci_release: unbinds both functions and clears their overrides.
sim_pci_release() {
	local rc=0
	sim_pci_unbind "$SIM_PCI_TINY" || rc=1
	sim_pci_unbind "$SIM_PCI_H100" || rc=1
	return $rc
}

# field LINE KEY: the value of KEY=... in a "key=value ..." line.
field() {
	local w
	for w in $1; do
		case "$w" in
		"$2="*) echo "${w#*=}"; return 0 ;;
		esac
	done
	return 1
}
