# SPDX-License-Identifier: GPL-2.0
# What counts as a kernel splat in a test VM's kernel log, for run-vm.sh
# (which fails a run on one) and check.sh (which names the test of
# tests/vm/suite.sh that was running when it came).
# shellcheck shell=bash
# splat_re is used by the sourcing scripts.
# shellcheck disable=SC2034

splat_re='BUG:|WARNING:|KASAN:|UBSAN:|Oops|general protection|Kernel panic|kernel BUG at'
splat_re+='|possible circular locking dependency|possible recursive locking|inconsistent lock state'
splat_re+='|suspicious RCU usage|INFO: possible|turning off the locking correctness validator'
splat_re+='|INFO: task .* blocked for more than|rcu: INFO: |detected stalls on CPUs'
splat_re+='|kmemleak: .*suspected memory leak|unreferenced object|Unable to handle kernel|Attempted to kill init'

# splat_owners LOG: one line per suite test during which LOG (a dmesg or
# a console log) shows a splat, "boot" for one before the first test and
# "after" for one after the last; nothing when LOG has none.
splat_owners() {
	grep -aE -- "nvkm-suite: [a-z0-9_-]+ (start|end)|$splat_re" "$1" 2>/dev/null |
		awk -v re="$splat_re" '
			/nvkm-suite: [a-z0-9_-]+ start/ {
				for (i = 1; i < NF; i++)
					if ($i == "nvkm-suite:") cur = $(i + 1)
				next
			}
			/nvkm-suite: [a-z0-9_-]+ end/ { cur = "after"; next }
			$0 ~ re { who = (cur == "") ? "boot" : cur; if (!(who in seen)) { seen[who] = 1; print who } }'
}
