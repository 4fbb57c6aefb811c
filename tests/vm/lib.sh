# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the test scripts that run inside the test VM. A script
# sets tap (its TAP file) and, to use run(), log (its command log), then
# sources this file. n counts the checks, failed becomes 1 at the first
# failed check, skipped counts the checks reported as skipped.
# shellcheck shell=bash
# tap and log come from the sourcing script, which reads the counters.
# shellcheck disable=SC2154,SC2034

n=0
failed=0
skipped=0

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
