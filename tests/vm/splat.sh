# SPDX-License-Identifier: GPL-2.0
# What counts as a kernel splat in a test VM's kernel log, for run-vm.sh
# (which fails a run on one), nested.sh (a nested guest's console) and
# check.sh (which names the test of tests/vm/suite.sh that was running when
# it came).
# shellcheck shell=bash
# splat_re is used by the sourcing scripts.
# shellcheck disable=SC2034

# Oopses, BUG()s, WARN()s and the sanitizers (KASAN, KFENCE, UBSAN).
splat_re='BUG:|WARNING:|KASAN:|BUG: KFENCE:|UBSAN:|Oops|general protection|Kernel panic|kernel BUG at'
splat_re+='|Unable to handle kernel|Attempted to kill init'
# lockdep
splat_re+='|possible circular locking dependency|possible recursive locking|inconsistent lock state'
splat_re+='|suspicious RCU usage|INFO: possible|turning off the locking correctness validator'
# Lockups and stalls: hung tasks, soft and hard lockups, workqueue
# lockups, RCU stalls (normal, expedited, self-detected, tasks RCU).
splat_re+='|INFO: task .* blocked for more than|soft lockup - CPU|hard LOCKUP|workqueue lockup'
splat_re+='|rcu: INFO: |detected stalls on|detected expedited stalls|self-detected stall'
# Object debugging: any ODEBUG: line (reports, and it turning itself off;
# "BUG:" matches them too).
splat_re+='|ODEBUG:'
# kobject misuse, and a name added twice; not the "kobject_release ...
# (delayed N)" info line DEBUG_KOBJECT_RELEASE prints for every release,
# nor a kobject_add that failed for want of memory (fault injection).
splat_re+='|kobject.*(tried to init an initialized object|tried to add an uninitialized object'
splat_re+='|is not initialized, yet kobject_put|must have a ktype|failed for .* with -EEXIST|does not have a release)'
splat_re+='|sysfs: cannot create duplicate filename'
# Data structure checks
splat_re+='|list_(add|del) corruption|refcount_t: '
# kmemleak: leaks, its own warnings, and it turning itself off (a debug
# kernel without a leak check is a failed run).
splat_re+='|kmemleak: .*suspected memory leak|unreferenced object'
splat_re+='|kmemleak: .*(detector disabled|Kmemleak disabled|Cannot allocate|Memory pool empty|unknown object|Found object by alias|Scan area larger)'

# splat_owners LOG: one line per suite test during which LOG (a dmesg or
# a console log) shows a splat, "boot" for one before the first test and
# "after" for one after the last; nothing when LOG has none.
splat_owners() {
	[ -f "$1" ] || return 0
	grep -aE -- "nvkm-suite: [a-z0-9_-]+ (start|end)|$splat_re" "$1" |
		awk -v re="$splat_re" '
			/nvkm-suite: [a-z0-9_-]+ start/ {
				for (i = 1; i < NF; i++)
					if ($i == "nvkm-suite:") cur = $(i + 1)
				next
			}
			/nvkm-suite: [a-z0-9_-]+ end/ { cur = "after"; next }
			$0 ~ re { who = (cur == "") ? "boot" : cur; if (!(who in seen)) { seen[who] = 1; print who } }'
}
