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
