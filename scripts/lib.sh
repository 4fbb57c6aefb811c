# SPDX-License-Identifier: GPL-2.0
# Progress and logging helpers of the host-side commands (make fuzz,
# coverage, bench): a script sets me (the word its lines begin with) and
# t0 (its start, in $SECONDS), then sources this file.
# shellcheck shell=bash
# me and t0 come from the sourcing script.
# shellcheck disable=SC2154

# say TEXT...: one progress line, with the seconds since the start.
say() {
	echo "$me: [$((SECONDS - t0))s] $*"
}

# die TEXT...: a FAIL line on stderr, and exit 1.
die() {
	say "FAIL: $*" >&2
	exit 1
}

# wait_logged PID LOG: waits for PID, with a line a minute (LOG's last
# non-empty line), so a long step is never silent.
wait_logged() {
	local pid=$1 log=$2 n=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		[ $((n % 60)) != 0 ] ||
			say "... $(grep -av '^ *$' "$log" 2>/dev/null | tail -n 1 | tr -d '\r' | cut -c1-100)"
	done
	wait "$pid"
}

# run_logged LOG COMMAND...: quiet unless it fails, then LOG's tail.
run_logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	if wait_logged $! "$log"; then
		return 0
	fi
	tail -n 30 "$log" | sed 's/^/    /' >&2
	return 1
}

# wait_vm PID RESULTS TAP: waits for the run-vm.sh PID whose results go to
# RESULTS, with a line a minute: TAP's last line once the test writes it,
# the console's before. Returns run-vm.sh's status.
wait_vm() {
	local pid=$1 res=$2 tap=$3 n=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		[ $((n % 60)) = 0 ] || continue
		if [ -s "$res/$tap" ]; then
			say "... $(tail -n 1 "$res/$tap" | cut -c1-110)"
		else
			say "... booting: $(grep -av '^ *$' "$res/console.log" 2>/dev/null | tail -n 1 | tr -d '\r' | cut -c1-90)"
		fi
	done
	wait "$pid"
}
