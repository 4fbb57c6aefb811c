#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: dkms-build.sh prepare RELEASE | keep RELEASE ARCH   (run by dkms)
#
# nvkm-vgpu-nouveau's build steps (nouveau/dkms.conf), run by dkms in its
# build directory, <dkms tree>/nvkm-vgpu-nouveau/<version>/build, a fresh
# copy of the source directory:
#   prepare  PRE_BUILD: extract drivers/gpu/drm/nouveau of
#            /usr/src/linux-source-6.12.tar.xz into this directory, apply
#            patches/*.patch in order and give the module a version
#            (nvkm_vgpu_dkms.c, below). All or nothing: the tree is made
#            aside and moved here, nouveau's Kbuild last, only when every
#            step worked. dkms ignores this step's exit status; without
#            nouveau's Kbuild, kbuild reads the package's Makefile, which
#            stops the build with the last line of prepare.log.
#   keep     POST_BUILD: copy Module.symvers and nouveau's headers to
#            ../RELEASE/ARCH/nouveau, next to the module dkms keeps (and
#            deletes with it): what the nouveau backend builds against
#            (scripts/nouveau.sh backend).
# Why a version: dkms compares the module it installs with the kernel's
# own nouveau.ko and does not replace one whose version (none) and
# srcversion (none) are the same ("DKMS will not replace this module"),
# yet reports the package installed. nouveau declares no version; this
# one declares "<linux-source-6.12 version>+nvkm-vgpu-<VERSION>".
set -euo pipefail

tarball=/usr/src/linux-source-6.12.tar.xz
me=nvkm-vgpu-nouveau

# Messages go to dkms's output and to prepare.log, which the Makefile reads.
say() {
	echo "$me: $*" | tee -a prepare.log
}

die() {
	echo "$me: $*" | tee -a prepare.log >&2
	exit 1
}

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

prepare() {
	local rel=$1 srcver upstream ver stage=.nouveau.tmp p f n=0
	: >prepare.log
	if [ ! -f Makefile ] || [ ! -d patches ] || [ ! -f VERSION ]; then
		die "run me in the package's DKMS build directory, not in $PWD"
	fi
	[ -f "$tarball" ] || die "$tarball is missing (apt-get install linux-source-6.12)"
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12) ||
		die "linux-source-6.12 is not installed"
	upstream=${srcver%%-*}
	case "$rel" in
	"$upstream" | "$upstream"[+-]*) ;;
	*) die "kernel $rel is not linux-source-6.12 $srcver's version $upstream (dkms.conf's BUILD_EXCLUSIVE_KERNEL should have skipped it)" ;;
	esac
	ver=$(cat VERSION)

	say "extracting drivers/gpu/drm/nouveau from $tarball ($srcver)"
	rm -rf "$stage"
	mkdir "$stage"
	tar -xJf "$tarball" -C "$stage" --strip-components=5 \
		linux-source-6.12/drivers/gpu/drm/nouveau ||
		die "could not extract nouveau from $tarball"
	[ -f "$stage/Kbuild" ] || die "$tarball has no drivers/gpu/drm/nouveau/Kbuild"
	for p in patches/*.patch; do
		[ -f "$p" ] || die "no patches in $PWD/patches"
		say "applying ${p##*/}"
		# The patches are against the kernel tree (a/drivers/gpu/drm/
		# nouveau/...); the stage is nouveau's directory.
		patch -s -p5 -d "$stage" --forward --no-backup-if-mismatch <"$p" ||
			die "${p##*/} does not apply to linux-source-6.12 $srcver"
		n=$((n + 1))
	done
	cat >"$stage/nvkm_vgpu_dkms.c" <<EOF
// SPDX-License-Identifier: MIT
/*
 * Written by nvkm-vgpu-nouveau's dkms-build.sh: DKMS installs a module
 * over the kernel's own only if their versions differ, and the kernel's
 * nouveau.ko has none.
 */
#include <linux/module.h>

MODULE_VERSION("$srcver+nvkm-vgpu-$ver");
EOF
	echo 'nouveau-y += nvkm_vgpu_dkms.o' >>"$stage/Kbuild"

	for f in "$stage"/*; do
		[ "${f##*/}" = Kbuild ] || mv "$f" .
	done
	mv "$stage/Kbuild" Kbuild
	rmdir "$stage"
	say "nouveau $srcver with $n patches ready for $rel, module version $srcver+nvkm-vgpu-$ver"
}

keep() {
	local rel=$1 arch=$2 to
	to=../$rel/$arch/nouveau
	[ -d "../$rel/$arch/module" ] || die "no ../$rel/$arch/module: not dkms's build directory?"
	[ -f Module.symvers ] || die "no Module.symvers in $PWD: the build did not run"
	rm -rf "$to"
	mkdir -p "$to"
	cp Module.symvers "$to/"
	find . -name '*.h' -exec cp --parents -t "$to" {} +
	echo "$me: kept Module.symvers and $(find "$to" -name '*.h' | wc -l) headers in $(cd "$to" && pwd)"
}

case "${1:-}" in
prepare)
	[ $# = 2 ] || usage
	prepare "$2"
	;;
keep)
	[ $# = 3 ] || usage
	keep "$2" "$3"
	;;
*) usage ;;
esac
