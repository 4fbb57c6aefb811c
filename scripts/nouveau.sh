#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/nouveau.sh build|install|uninstall|print-dir|backend|dkms-install [KDIR] | dkms-src [DIR] | dkms-remove
#
# nouveau with the vGPU manager's hook (nouveau/patches/*.patch), built
# out of tree from Debian's linux-source-6.12 against KDIR (default
# /lib/modules/$(uname -r)/build); see Documentation/nouveau.rst.
#   build      extract drivers/gpu/drm/nouveau from the source package,
#              apply the patches and build nouveau.ko; the result is
#              cached under $NVKM_VGPU_CACHE (default /var/cache/nvkm-vgpu)
#              in nouveau-<key>, keyed by the source package version, the
#              patches and KDIR's release and .config, and never rebuilt
#   install    build, then install nouveau.ko as
#              $DESTDIR/lib/modules/<release>/updates/nvkm-vgpu/nouveau.ko
#              (it overrides the distribution's nouveau) and run depmod;
#              refused while the DKMS package is in DKMS
#   uninstall  remove exactly the files install listed in that directory's
#              manifest, then run depmod
#   print-dir  build, then print the cache directory: nouveau.ko,
#              Module.symvers (for a module using the hook's symbols),
#              release, and the patched sources in linux/
#   backend    build (unless NOUVEAU_SRC is set, or the DKMS package kept
#              what it needs for KDIR's release), then build the manager
#              and the nouveau backend (nvkm_glue/nouveau/,
#              nvkm_vgpu_nouveau.ko) against KDIR and the patched nouveau's
#              headers and Module.symvers, W=1 and sparse (C=2), warnings
#              fatal, in build/nouveau-backend/<release>/ (or
#              NOUVEAU_BACKEND_OUT); prints that directory
#   dkms-src   copy the DKMS package nvkm-vgpu-nouveau (nouveau/dkms.conf,
#              nouveau/dkms-build.sh, the patches, VERSION) to DIR, default
#              /usr/src/nvkm-vgpu-nouveau-<VERSION>
#   dkms-install  uninstall what install put in any /lib/modules/*/updates/
#              nvkm-vgpu, dkms-src, dkms add, then dkms install for KDIR's
#              release (and, by AUTOINSTALL, each kernel installed later)
#   dkms-remove   dkms remove the package for every kernel, delete its
#              /usr/src directory
# A KDIR that is not Linux 6.12 of the source package's version, or whose
# kernel has no nouveau module (CONFIG_DRM_NOUVEAU=m), is skipped: one
# line says why and the exit code is 0, or 3 with NOUVEAU_REQUIRE=1
# (dkms-install: the package stays in DKMS for later kernels).
# A KDIR whose kernel built the patched nouveau itself (the debug kernel:
# its Module.symvers exports the hook) needs no out-of-tree nouveau: build,
# install and print-dir say so and exit as for a skip; backend builds the
# manager and the backend against that tree (scripts/build-module.sh, W=1,
# sparse) in the same directory.
# Environment: KDIR, DESTDIR, NVKM_VGPU_CACHE, JOBS (make -j, default 2),
# NOUVEAU_REQUIRE, NOUVEAU_SRC (backend: a built, patched nouveau source
# directory with its Module.symvers), NOUVEAU_BACKEND_OUT.
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	usage
fi
cmd=$1
case "$cmd" in
build | install | uninstall | print-dir | backend | dkms-install | dkms-src) ;;
dkms-remove) [ $# = 1 ] || usage ;;
*) usage ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
version=$(cat "$top/VERSION")
dkms_pkg=nvkm-vgpu-nouveau
dkms_src=/usr/src/$dkms_pkg-$version
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${NVKM_VGPU_CACHE:-/var/cache/nvkm-vgpu}
destdir=${DESTDIR:-}
jobs=${JOBS:-2}
me=nouveau

die() {
	echo "$me: $*" >&2
	exit 1
}

# ---- the DKMS package (nouveau/dkms.conf) ----
# dkms_copy DIR: the package's source directory, as dkms add wants it.
dkms_copy() {
	local to=$1
	rm -rf "$to"
	mkdir -p "$to/patches"
	install -m 0644 "$top/nouveau/dkms.conf" "$top/VERSION" "$to/"
	install -m 0644 "$top/nouveau/dkms-Makefile" "$to/Makefile"
	install -m 0755 "$top/nouveau/dkms-build.sh" "$to/"
	install -m 0644 "$top"/nouveau/patches/*.patch "$to/patches/"
	echo "$me: $dkms_pkg $version's DKMS sources in $to"
}

# dkms_present: the package is in DKMS, in any version and state.
dkms_present() {
	command -v dkms >/dev/null && dkms status "$dkms_pkg" 2>/dev/null | grep -q .
}

if [ "$cmd" = dkms-src ]; then
	dkms_copy "${2:-$dkms_src}"
	exit 0
fi
if [ "$cmd" = dkms-remove ]; then
	if command -v dkms >/dev/null && dkms status "$dkms_pkg/$version" 2>/dev/null | grep -q .; then
		dkms remove "$dkms_pkg/$version" --all
	else
		echo "$me: $dkms_pkg/$version is not in DKMS"
	fi
	rm -rf "$dkms_src"
	echo "$me: removed $dkms_src"
	exit 0
fi

kdir=${2:-${KDIR:-/lib/modules/$(uname -r)/build}}

# skip WHY: nothing to build for this KDIR.
skip() {
	echo "$me: not built: $*"
	if [ "${NOUVEAU_REQUIRE:-0}" = 1 ]; then
		exit 3
	fi
	exit 0
}

[ -d "$kdir" ] || die "no kernel tree at $kdir; install its headers or pass KDIR="
kdir=$(cd "$kdir" && pwd -P)
if [ -f "$kdir/include/config/kernel.release" ]; then
	release=$(cat "$kdir/include/config/kernel.release")
else
	release=$(make -s -C "$kdir" kernelrelease)
fi
moddir="$destdir/lib/modules/$release/updates/nvkm-vgpu"

# depmod_run RELEASE
depmod_run() {
	if [ -n "$destdir" ]; then
		depmod -b "$destdir" "$1"
	else
		depmod "$1"
	fi
}

# uninstall_release RELEASE: what install put in RELEASE's updates/nvkm-vgpu.
uninstall_release() {
	local rel=$1 dir="$destdir/lib/modules/$1/updates/nvkm-vgpu" f
	local manifest="$dir/manifest"
	if [ ! -f "$manifest" ]; then
		echo "$me: nothing installed for $rel (no $manifest)"
		return 0
	fi
	while IFS= read -r f; do
		case "$f" in
		"" | */* | .*) die "unexpected name '$f' in $manifest" ;;
		esac
		rm -f "$dir/$f"
		echo "$me: removed $dir/$f"
	done <"$manifest"
	rm -f "$manifest"
	# updates/ too, if install made it and nothing else is there.
	rmdir "$dir" "${dir%/*}" 2>/dev/null || true
	depmod_run "$rel"
}

if [ "$cmd" = uninstall ]; then
	uninstall_release "$release"
	exit 0
fi

if [ "$cmd" = dkms-install ]; then
	command -v dkms >/dev/null || die "dkms is not installed (apt-get install dkms)"
	if dkms_present; then
		dkms status "$dkms_pkg" >&2
		die "$dkms_pkg is in DKMS already; make nouveau-dkms-remove first"
	fi
	# The package replaces what make nouveau installed, for every kernel:
	# two nouveau.ko under updates/ would leave the choice to depmod's
	# directory order.
	for m in "$destdir"/lib/modules/*/updates/nvkm-vgpu/manifest; do
		[ -f "$m" ] || continue
		m=${m%/updates/nvkm-vgpu/manifest}
		uninstall_release "${m##*/}"
	done
	dkms_copy "$dkms_src"
	dkms add "$dkms_pkg/$version"
	rc=0
	dkms install "$dkms_pkg/$version" -k "$release" -j "$jobs" || rc=$?
	if [ $rc = 77 ]; then
		skip "dkms skipped $release (BUILD_EXCLUSIVE, above: its version is not linux-source-6.12's, or it has no nouveau); $dkms_pkg stays in DKMS and is built for each matching kernel installed later"
	fi
	[ $rc = 0 ] || die "dkms install $dkms_pkg/$version -k $release failed ($rc); the package stays added: make nouveau-dkms-remove"
	echo "$me: $dkms_pkg $version installed for $release under /lib/modules/$release/updates/dkms; run update-initramfs -u if nouveau is in the initramfs"
	exit 0
fi

# ---- which kernel ----
case "$release" in
6.12.*) ;;
*) skip "$kdir is Linux $release; the hook's patches are for 6.12 (linux-source-6.12)" ;;
esac
[ -f "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.12)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# 6.12.118-1~deb12u1 -> 6.12.118; the release must be that version.
upstream=${srcver%%-*}
case "$release" in
"$upstream" | "$upstream"[+-]*) ;;
*) skip "$kdir is Linux $release but linux-source-6.12 is $srcver; install the source package of the same version" ;;
esac
if ! grep -qx 'CONFIG_DRM_NOUVEAU=m' "$kdir/.config"; then
	skip "$kdir's kernel $release does not build nouveau as a module (no CONFIG_DRM_NOUVEAU=m), so there is nothing to replace"
fi

# The debug kernel's tree: scripts/build-kernel.sh applied the patches to
# it and built its nouveau.ko with the kernel.
if [ -d "$kdir/drivers/gpu/drm/nouveau/include/nvkm" ] &&
	grep -q '^0x[0-9a-f]*[[:space:]]nvkm_vgpu_hook_register[[:space:]]' "$kdir/Module.symvers" 2>/dev/null; then
	if [ "$cmd" != backend ]; then
		skip "$kdir's kernel $release built the patched nouveau itself (scripts/build-kernel.sh); its own nouveau.ko has the hook"
	fi
	out=${NOUVEAU_BACKEND_OUT:-$top/build/nouveau-backend/$release}
	sparse=()
	if command -v sparse >/dev/null; then
		sparse=(C=2)
	fi
	echo "$me: building the manager and the backend for $release in $out, against $kdir's nouveau" >&2
	"$top/scripts/build-module.sh" "$kdir" "$out" "${sparse[@]}"
	echo "$out"
	exit 0
fi

patches=("$top"/nouveau/patches/*.patch)
[ -f "${patches[0]}" ] || die "no patches in $top/nouveau/patches"

key=$( {
	echo "$srcver $release"
	sha256sum <"$kdir/.config"
	cat "${patches[@]}"
} | sha256sum | cut -c1-16)
dir="$cache/nouveau-$key"

build() {
	[ -f "$dir/stamp" ] && return 0
	mkdir -p "$cache"
	exec 9>"$cache/.build-nouveau.lock"
	flock 9
	[ -f "$dir/stamp" ] && return 0
	# Other keys for the same release are stale: a patch or the source
	# package changed.
	local d
	for d in "$cache"/nouveau-*; do
		if [ -d "$d" ] && [ "$d" != "$dir" ] &&
			[ "$(cat "$d/release" 2>/dev/null)" = "$release" ]; then
			rm -rf "$d"
		fi
	done

	echo "$me: building $srcver for $release (key $key) in $dir" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" linux-source-6.12/drivers/gpu/drm/nouveau
	mv "$dir/linux-source-6.12" "$dir/linux"
	local p
	for p in "${patches[@]}"; do
		echo "$me: applying ${p##*/}" >&2
		if ! patch -s -p1 -d "$dir/linux" --forward --no-backup-if-mismatch <"$p"; then
			die "${p##*/} does not apply to linux-source-6.12 $srcver"
		fi
	done

	local src="$dir/linux/drivers/gpu/drm/nouveau" t0=$SECONDS beat rc=0
	(
		while sleep 60; do
			echo "$me: still building, $(((SECONDS - t0) / 60)) min, $(find "$src" -name '*.o' | wc -l) objects" >&2
		done
	) &
	beat=$!
	make -C "$kdir" M="$src" -j"$jobs" modules >"$dir/build.log" 2>&1 || rc=$?
	kill "$beat" 2>/dev/null || true
	wait "$beat" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		tail -n 30 "$dir/build.log" >&2
		die "build failed (log: $dir/build.log)"
	fi
	cp "$src/nouveau.ko" "$src/Module.symvers" "$dir/"
	echo "$release" >"$dir/release"
	echo "$srcver" >"$dir/source-version"
	touch "$dir/stamp"
	echo "$me: built in $(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s: $dir/nouveau.ko" >&2
}

# backend SRC: the manager (scripts/build-module.sh, W=1) and the backend
# in one copy of the sources, against the patched nouveau's headers in SRC;
# the backend links against both modules' symbols (SRC/Module.symvers).
backend() {
	local src=$1 rc=0
	local out=${NOUVEAU_BACKEND_OUT:-$top/build/nouveau-backend/$release}
	local sparse=()

	grep -q '^0x[0-9a-f]*[[:space:]]nvkm_vgpu_hook_register[[:space:]]' "$src/Module.symvers" 2>/dev/null ||
		die "$src/Module.symvers does not export nvkm_vgpu_hook_register: not a built, patched nouveau"
	[ -d "$src/include/nvkm" ] || die "no $src/include/nvkm: not nouveau's sources"
	echo "$me: building the manager and the backend for $release in $out, against $src" >&2
	"$top/scripts/build-module.sh" "$kdir" "$out"
	if command -v sparse >/dev/null; then
		sparse=(C=2)
	fi
	make -C "$kdir" M="$out/nvkm_glue/nouveau" W=1 "${sparse[@]}" -j"$jobs" \
		NOUVEAU_SRC="$src" \
		KBUILD_EXTRA_SYMBOLS="$src/Module.symvers $out/Module.symvers" \
		modules >"$out/backend.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 30 "$out/backend.log" >&2
		die "backend build failed (log: $out/backend.log)"
	fi
	# Sparse's findings are "warning:" too.
	if grep -E '(warning|error):' "$out/backend.log" >&2; then
		die "backend build has warnings (log: $out/backend.log)"
	fi
	echo "$out"
}

# The backend against a nouveau built elsewhere: NOUVEAU_SRC, or what the
# DKMS package keeps for this release (nouveau/dkms-build.sh keep).
if [ "$cmd" = backend ]; then
	kept=/var/lib/dkms/$dkms_pkg/$version/$release/$(uname -m)/nouveau
	if [ -n "${NOUVEAU_SRC:-}" ]; then
		backend "$(cd "$NOUVEAU_SRC" && pwd)"
		exit 0
	elif [ -f "$kept/Module.symvers" ]; then
		echo "$me: $dkms_pkg $version is built for $release in DKMS: using its nouveau" >&2
		backend "$kept"
		exit 0
	fi
fi
# make nouveau and the DKMS package are alternatives: two nouveau.ko under
# updates/ would leave the choice to depmod's directory order.
if [ "$cmd" = install ]; then
	if [ -z "$destdir" ] && dkms_present; then
		dkms status "$dkms_pkg" >&2
		die "$dkms_pkg (make nouveau-dkms) is in DKMS and builds this nouveau for every kernel; make nouveau-dkms-remove first, or keep it and skip make nouveau"
	fi
	if compgen -G "$destdir/lib/modules/$release/updates/dkms/nouveau.ko*" >/dev/null; then
		die "a DKMS nouveau is installed for $release ($(compgen -G "$destdir/lib/modules/$release/updates/dkms/nouveau.ko*")); remove it first (make nouveau-dkms-remove)"
	fi
fi

build
case "$cmd" in
build) ;;
print-dir) echo "$dir" ;;
backend) backend "$dir/linux/drivers/gpu/drm/nouveau" ;;
install)
	mkdir -p "$moddir"
	install -m 0644 "$dir/nouveau.ko" "$moddir/nouveau.ko"
	echo nouveau.ko >"$moddir/manifest"
	depmod_run "$release"
	echo "$me: installed $moddir/nouveau.ko ($srcver, $(basename "$dir"))"
	;;
esac
