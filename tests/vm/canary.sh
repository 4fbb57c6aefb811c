#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/canary.sh   (inside the test VM)
#
# Plants a splat-like line in the kernel log and exits 0: the harness must
# still fail the run, or its dmesg scan is broken.
set -euo pipefail
echo "WARNING: CPU: 0 PID: 1 at tests/vm/canary.sh: planted by the harness self-test" > /dev/kmsg
