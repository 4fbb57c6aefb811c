#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/smi/run.sh   (on the host, as any user; no VM, no module)
#
# Runs the tests of scripts/vgpu-smi (tests/smi/test_vgpu_smi.py) against
# fake sysfs trees and prints their TAP: one "ok"/"not ok" line per test
# ("# SKIP gnuplot is not installed" for the plot tests on a host without
# gnuplot), the plan, and a last line "# smi: N passed, N failed, N
# skipped". make check counts the TAP lines (scripts/check.sh). Exits 1 if
# a test failed or the suite did not run.
set -euo pipefail

[ $# -eq 0 ] || { sed -n '3s/^# //p' "$0" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/test_vgpu_smi.py" --tap
