#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/selftest-guest.sh MODE [ARGS...]
#
# Guest side of tests/vm/selftest.sh: misbehaves on purpose so that the
# harness's failure detection can be checked. MODE is one of:
#   ok                 exit 0
#   exit N             exit with status N
#   warn               write a fake "WARNING:" splat to the kernel log
#   kasan              write a fake "BUG: KASAN:" splat to the kernel log
#   warn-long          a fake "WARNING:", then 400 KB more of kernel log
#                      (run-vm.sh shows the report's first lines only)
#   lockup             write a fake hard lockup report to the kernel log
#   kobject            write a fake kobject misuse report to the kernel log
#   kobject-release    write the kobject_release line DEBUG_KOBJECT_RELEASE
#                      prints for every release and a kobject_add failed
#                      for want of memory, as under fault injection (must
#                      still pass)
#   kobject-twice      write the kobject line for a name added twice
#   kmemleak-off       write kmemleak's "detector disabled" line
#   panic              crash the kernel through sysrq
#   hang               sleep forever
#   args A B...        check that the arguments arrive intact: expects
#                      exactly the 3 arguments "a b" "it's" "\$x;*"
#   noisy              print "WARNING:" on stdout only (must still pass)
set -euo pipefail

mode=${1:-ok}
[ $# -eq 0 ] || shift
case "$mode" in
ok) exit 0 ;;
exit) exit "${1:-1}" ;;
warn) echo "WARNING: CPU: 0 PID: $$ at selftest-guest.sh:1 fake_warning" >/dev/kmsg ;;
kasan) echo "BUG: KASAN: slab-out-of-bounds in fake_function+0x0/0x10" >/dev/kmsg ;;
warn-long)
	echo on >/proc/sys/kernel/printk_devkmsg
	echo "WARNING: CPU: 0 PID: $$ at selftest-guest.sh:1 fake_warning_long" >/dev/kmsg
	line=$(printf 'selftest-guest: filler %0100d' 0)
	for ((i = 0; i < 4000; i++)); do
		echo "$line" >/dev/kmsg
	done
	;;
lockup) echo "watchdog: Watchdog detected hard LOCKUP on cpu 1" >/dev/kmsg ;;
kobject)
	echo "kobject: kobject (00000000deadbeef): tried to init an initialized object, something is seriously wrong." >/dev/kmsg
	;;
kobject-release)
	echo "kobject: 'fake' (00000000deadbeef): kobject_release, parent 0000000000000000 (delayed 250)" >/dev/kmsg
	echo "kobject: kobject_add_internal failed for fake (error: -12 parent: devices)" >/dev/kmsg
	;;
kobject-twice)
	echo "kobject: kobject_add_internal failed for fake with -EEXIST, don't try to register things with the same name in the same directory." >/dev/kmsg
	;;
kmemleak-off) echo "kmemleak: Kernel memory leak detector disabled" >/dev/kmsg ;;
panic)
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger
	;;
hang) while :; do sleep 3600; done ;;
args)
	printf 'arg: <%s>\n' "$@"
	# shellcheck disable=SC2016 # the literal string is the point
	[ $# -eq 3 ] && [ "$1" = "a b" ] && [ "$2" = "it's" ] && [ "$3" = '$x;*' ]
	;;
noisy) echo "WARNING: this is test output, not a kernel splat" ;;
*) echo "selftest-guest: unknown mode $mode" >&2; exit 2 ;;
esac
