#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernels.sh [NAME...]
#
# Prints one line per kernel nvkm-vgpu is built and tested on:
#   NAME KDIR IMAGE RELEASE MODDIR
# NAME is stock-6.1, stock-6.12 or debug; KDIR the tree to build modules
# against; IMAGE the bzImage to boot; RELEASE its `uname -r`; MODDIR the
# prefix its /lib/modules lives under. Builds the debug kernel if needed.
# With NAMEs, only those kernels: the debug kernel is built only when it
# is one of them.
set -euo pipefail

names=(stock-6.1 stock-6.12 debug)
want=("$@")
[ $# -gt 0 ] || want=("${names[@]}")
for w in "${want[@]}"; do
	case " ${names[*]} " in
	*" $w "*) ;;
	*) echo "kernels: no kernel $w (${names[*]})" >&2; exit 2 ;;
	esac
done

wanted() {
	case " ${want[*]} " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

here=$(cd "$(dirname "$0")" && pwd)

stock() {
	local name=$1 pattern=$2 image rel
	image=$(find /boot -maxdepth 1 -name "vmlinuz-$pattern" | sort -V | tail -n 1)
	if [ -z "$image" ]; then
		echo "kernels: no /boot/vmlinuz-$pattern (scripts/install-deps.sh)" >&2
		exit 1
	fi
	rel=${image#/boot/vmlinuz-}
	if [ ! -d "/lib/modules/$rel/build" ]; then
		echo "kernels: no headers for $rel (scripts/install-deps.sh)" >&2
		exit 1
	fi
	echo "$name /lib/modules/$rel/build $image $rel /"
}

if wanted stock-6.1; then
	stock stock-6.1 '6.1.0-*-amd64'
fi
if wanted stock-6.12; then
	stock stock-6.12 '6.12.*-amd64'
fi
if wanted debug; then
	dir=$("$here/build-kernel.sh" debug --print-dir)
	echo "debug $dir/linux $dir/bzImage $(cat "$dir/release") $dir/modroot"
fi
