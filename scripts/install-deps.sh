#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/install-deps.sh [bench]
#
# Installs the Debian 12 packages nvkm-vgpu's build and tests need, when
# any is missing. Needs root for the install; does nothing when all are
# present. "bench" (make bench passes it) is still accepted: what it
# added, gnuplot-nox for the plots, is in the base list now, as the
# vgpu-smi tests of make check draw a plot too.
set -euo pipefail

packages=(
	gcc make bc flex bison libelf-dev libssl-dev dwarves cpio kmod xz-utils
	perl python3 rsync sparse shellcheck dkms patch
	linux-headers-amd64 linux-image-amd64
	linux-headers-6.12-amd64 linux-image-6.12-amd64
	linux-source-6.12
	qemu-system-x86 busybox-static
	# The nested guest's static program; the real clients of the vGPU.
	libc6-dev
	mdevctl udev
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libxml2-utils
	# OpenStack Nova's libvirt driver, and the libvirt bindings it imports,
	# which python3-nova does not depend on.
	python3-nova python3-libvirt
	# make bench's plots, and vgpu-smi --plot (tests/smi, make check).
	gnuplot-nox
)
case ${1:-} in
'') ;;
bench) ;;
*) sed -n '3s/^# //p' "$0" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
