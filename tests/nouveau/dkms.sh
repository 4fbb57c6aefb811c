#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/nouveau/dkms.sh [KDIR [OUT]]   (on the host, as root; make check runs it)
#
# The DKMS package of the patched nouveau, nvkm-vgpu-nouveau
# (nouveau/dkms.conf), on the host, in trees of its own under a temporary
# directory: scripts/nouveau.sh dkms-src copies the package to a private
# source tree, and dkms add, build, install and remove run with
# --sourcetree, --dkmstree, --installtree and --no-depmod, signing with a
# MOK of the test's own (mok_signing_key, mok_certificate), so that the
# host's /usr/src, /var/lib/dkms (its mok.key included) and /lib/modules
# stay as they were: checked at the end. KDIR (default: scripts/kernels.sh
# stock-6.12) is the kernel the package is built for.
#
# Checks that a patch that does not apply stops the build with its name,
# that dkms builds nouveau for KDIR's release (vermagic, the package's
# module version, the hook exported, signed with the test's MOK, headers
# and Module.symvers kept), that dkms install puts it in
# <installtree>/<release>/updates/dkms/ over a copy of the kernel's own
# nouveau.ko (DKMS's version check lets it) and depmod prefers it there,
# that a kernel of another version than linux-source-6.12 is skipped
# (BUILD_EXCLUSIVE, dkms's exit 77), not built, by dkms build and by dkms
# autoinstall (exit 0: dkms.conf does not autoinstall it), that the backend
# builds against the DKMS build (scripts/nouveau.sh backend, W=1, sparse),
# and that dkms remove leaves nothing.
#
# Keeps in OUT (default build/nouveau-dkms) what make check's stock 6.12
# boot loads with tests/vm/nouveau.sh: nouveau.ko (the DKMS build,
# decompressed) and backend/ (the manager and nvkm_vgpu_nouveau.ko). TAP in
# OUT/dkms.tap, the commands' output in OUT/dkms.log; a line a minute
# while nouveau builds. Time on the 2-core build machine: 4 min 0 s, 3 min
# 37 s of it the dkms build at JOBS (default 2) jobs; 5 min 15 s and 9 min
# (the build 4 min 42 s and 8 min 20 s) with other work on the same cores.

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -le 2 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if [ $# -ge 1 ]; then
	kdir=$1
else
	read -r _ kdir _ < <("$top/scripts/kernels.sh" stock-6.12)
fi
kdir=$(cd "$kdir" && pwd -P)
out=$(realpath -m "${2:-$top/build/nouveau-dkms}")
rel=$(cat "$kdir/include/config/kernel.release")
ver=$(cat "$top/VERSION")
pkg=nvkm-vgpu-nouveau
arch=$(uname -m)
jobs=${JOBS:-2}
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
upstream=${srcver%%-*}

rm -rf "$out"
mkdir -p "$out"
tap=$out/dkms.tap
log=$out/dkms.log
: >"$tap"
: >"$log"
me=nouveau-dkms
# shellcheck source=tests/vm/lib.sh
source "$top/tests/vm/lib.sh"

t=$(mktemp -d "${TMPDIR:-/tmp}/nvkm-nouveau-dkms.XXXXXX")
cleanup() {
	rm -rf "$t"
}
trap cleanup EXIT
srctree=$t/src
dkmstree=$t/dkms
root=$t/root
insttree=$root/lib/modules
built=$dkmstree/$pkg/$ver/$rel/$arch
updates=$insttree/$rel/updates/dkms
stock_ko=$(compgen -G "/lib/modules/$rel/kernel/drivers/gpu/drm/nouveau/nouveau.ko*" | head -n 1 || true)
mkdir -p "$srctree" "$dkmstree" "$insttree"
# dkms signs with these (and makes them if missing) instead of
# /var/lib/dkms/mok.key and mok.pub.
export mok_signing_key=$t/mok.key mok_certificate=$t/mok.pub

# dk ARGS...: dkms in the test's trees, never running depmod.
dk() {
	dkms "$@" --dkmstree "$dkmstree" --sourcetree "$srctree" \
		--installtree "$insttree" --no-depmod
}

# The host's DKMS tree, /usr/src, /lib/modules and the release's module
# tree, as names, types, sizes and times.
host_state() {
	{
		find /var/lib/dkms /usr/src /lib/modules -maxdepth 1 -printf '%p %y %s %T@\n'
		find /var/lib/dkms "/lib/modules/$rel" -printf '%p %y %s %T@\n'
	} 2>/dev/null | sort | sha256sum
}
host_before=$(host_state)

# The package's state in the test's DKMS tree for RELEASE: "added",
# "built", "installed" or nothing.
dkms_state() {
	dk status "$pkg/$ver" 2>/dev/null | awk -v k="$1" '
		index($0, ", " k ",") || $0 !~ ", " { sub(/^[^:]*: */, ""); print $1; exit }'
}

state_is() {
	local s
	s=$(dkms_state "$rel")
	[ "$s" = "$1" ] || { echo "$me: $pkg/$ver is '${s:-not in DKMS}' for $rel, not '$1'"; return 1; }
}

prerequisites() {
	command -v dkms >/dev/null || { echo "$me: dkms is not installed"; return 1; }
	[ -f /usr/src/linux-source-6.12.tar.xz ] || { echo "$me: no linux-source-6.12"; return 1; }
	grep -qx 'CONFIG_DRM_NOUVEAU=m' "$kdir/.config" || { echo "$me: $kdir has no nouveau module"; return 1; }
	[ -n "$stock_ko" ] || { echo "$me: no nouveau.ko in /lib/modules/$rel/kernel"; return 1; }
	case $rel in
	"$upstream"[+-]*) ;;
	*) echo "$me: $rel is not linux-source-6.12's version ($srcver)"; return 1 ;;
	esac
}

# dkms takes the three trees; status in an empty one prints nothing.
private_trees() {
	local s
	s=$(dk status) || return 1
	[ -z "$s" ] || { echo "$me: dkms status in an empty tree: $s"; return 1; }
}

copied() {
	local d=$srctree/$pkg-$ver f
	for f in dkms.conf VERSION Makefile dkms-build.sh; do
		[ -f "$d/$f" ] || { echo "$me: $d/$f is missing"; return 1; }
	done
	[ -x "$d/dkms-build.sh" ] || { echo "$me: $d/dkms-build.sh is not executable (dkms would not run it)"; return 1; }
	[ "$(find "$d/patches" -name '*.patch' | wc -l)" = "$(find "$top/nouveau/patches" -name '*.patch' | wc -l)" ]
}

# The kernel's own nouveau.ko in the test's module tree, as in
# /lib/modules: what DKMS's version check compares the built module with.
install_tree() {
	local d=$insttree/$rel/kernel/drivers/gpu/drm/nouveau f
	mkdir -p "$d" && cp "$stock_ko" "$d/" || return 1
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		cp "/lib/modules/$rel/$f" "$insttree/$rel/" || return 1
	done
}

# A copy of the package with a patch that does not apply: dkms ignores
# PRE_BUILD's failure, the package's Makefile stops the build.
broken=0.0.1-broken
broken_copy() {
	local d=$srctree/$pkg-$broken
	cp -a "$srctree/$pkg-$ver" "$d" &&
		echo "$broken" >"$d/VERSION" &&
		printf '%s\n' '--- a/drivers/gpu/drm/nouveau/Kbuild' '+++ b/drivers/gpu/drm/nouveau/Kbuild' \
			'@@ -1,1 +1,1 @@' '-no such line' '+still no such line' >"$d/patches/9999-broken.patch"
}

broken_add() {
	broken_copy && dk add "$pkg/$broken" >>"$log" 2>&1
}

broken_remove() {
	dk remove "$pkg/$broken" --all >>"$log" 2>&1 && rm -rf "${srctree:?}/$pkg-$broken"
}

broken_stops() {
	local o rc=0 mlog=$dkmstree/$pkg/$broken/build/make.log
	o=$(dk build "$pkg/$broken" -k "$rel" -j "$jobs" 2>&1) || rc=$?
	echo "$o" >>"$log"
	[ "$rc" != 0 ] || { echo "$me: the build with a broken patch succeeded"; return 1; }
	grep -q '9999-broken.patch does not apply' <<<"$o" ||
		{ echo "$me: dkms's output does not name the patch"; return 1; }
	grep -q "nouveau's sources are not in the DKMS build directory.*9999-broken.patch does not apply" "$mlog" ||
		{ echo "$me: make.log does not say why:"; tail -n 5 "$mlog"; return 1; }
	[ ! -e "$dkmstree/$pkg/$broken/$rel" ] || { echo "$me: something was built"; return 1; }
	[ "$(find "$dkmstree/$pkg/$broken/build" -name '*.o' | wc -l)" = 0 ]
}

# dkms build with a line a minute: minutes and nouveau's objects so far.
build() {
	local pid rc=0 t0=$SECONDS n=0
	echo "+ dkms build $pkg/$ver -k $rel -j $jobs" >>"$log"
	dk build "$pkg/$ver" -k "$rel" -j "$jobs" >>"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		if [ $((n % 60)) = 0 ]; then
			echo "$me: dkms build: $((n / 60)) min, $(find "$dkmstree/$pkg/$ver/build" -name '*.o' 2>/dev/null | wc -l) objects"
		fi
	done
	wait "$pid" || rc=$?
	note "dkms build: $((SECONDS - t0)) s (-j $jobs)"
	[ "$rc" = 0 ] || { tail -n 30 "$log"; tail -n 30 "$dkmstree/$pkg/$ver/build/make.log" 2>/dev/null; }
	return "$rc"
}

# The built module, decompressed, as OUT/nouveau.ko.
module_out() {
	local m
	m=$(compgen -G "$built/module/nouveau.ko*" | head -n 1) || { echo "$me: nothing in $built/module"; return 1; }
	case $m in
	*.xz) xz -dc "$m" >"$out/nouveau.ko" ;;
	*.zst) zstd -qdc "$m" >"$out/nouveau.ko" ;;
	*.gz) gzip -dc "$m" >"$out/nouveau.ko" ;;
	*) cp "$m" "$out/nouveau.ko" ;;
	esac
}

vermagic_is_rel() {
	local v
	v=$(modinfo -F vermagic "$out/nouveau.ko")
	[ "${v%% *}" = "$rel" ] || { echo "$me: vermagic '$v', not $rel"; return 1; }
}

versioned() {
	local v
	v=$(modinfo -F version "$out/nouveau.ko")
	[ "$v" = "$srcver+nvkm-vgpu-$ver" ] || { echo "$me: version '$v', not $srcver+nvkm-vgpu-$ver"; return 1; }
}

exports_hook() {
	local syms
	grep -q '^0x[0-9a-f]*[[:space:]]nvkm_vgpu_hook_register[[:space:]][^[:space:]]*/nouveau[[:space:]]EXPORT_SYMBOL_GPL' \
		"$built/nouveau/Module.symvers" ||
		{ echo "$me: the kept Module.symvers does not export nvkm_vgpu_hook_register"; return 1; }
	# Not nm | grep -q: grep's early exit would fail nm with SIGPIPE.
	syms=$(nm "$out/nouveau.ko") || return 1
	grep -q ' __ksymtab_nvkm_vgpu_hook_register$' <<<"$syms" ||
		{ echo "$me: nouveau.ko has no __ksymtab_nvkm_vgpu_hook_register"; return 1; }
}

signed_by_test_mok() {
	local s
	s=$(modinfo -F signer "$out/nouveau.ko")
	[ "$s" = "DKMS module signing key" ] || { echo "$me: signer '$s'"; return 1; }
	[ -f "$mok_signing_key" ] && [ -f "$mok_certificate" ]
}

headers_kept() {
	[ -f "$built/nouveau/include/nvkm/core/device.h" ] &&
		[ -f "$built/nouveau/nvkm/engine/fifo/chid.h" ] &&
		[ ! -e "$dkmstree/$pkg/$ver/build" ]
}

# dkms install: its version check lets the module over the kernel's own.
install() {
	local o rc=0
	o=$(dk install "$pkg/$ver" -k "$rel" 2>&1) || rc=$?
	echo "$o" >>"$log"
	[ "$rc" = 0 ] || { echo "$o" | tail -n 20; return 1; }
	if grep -q 'will not replace\|is not newer' <<<"$o"; then
		echo "$me: dkms's version check refused the module:"
		grep -B2 -A2 'will not replace\|is not newer' <<<"$o"
		return 1
	fi
}

in_updates() {
	local f
	f=$(compgen -G "$updates/nouveau.ko*" | head -n 1) || { echo "$me: nothing in $updates"; return 1; }
	cmp -s "$f" "$(compgen -G "$built/module/nouveau.ko*" | head -n 1)" &&
		cmp -s "$stock_ko" "$insttree/$rel/kernel/drivers/gpu/drm/nouveau/${stock_ko##*/}"
}

# depmod over the test's module tree picks the DKMS module.
depmod_picks_it() {
	local n
	depmod -b "$root" "$rel" || return 1
	n=$(modinfo -b "$root" -k "$rel" -n nouveau) || return 1
	case $n in
	"$updates"/nouveau.ko*) ;;
	*) echo "$me: modinfo finds $n"; return 1 ;;
	esac
}

# The kernel packages' hook on a kernel the package matches: dkms
# autoinstall installs it (AUTOINSTALL, read for that kernel).
autoinstall_installs() {
	local o rc=0
	dk uninstall "$pkg/$ver" -k "$rel" >>"$log" 2>&1 || return 1
	[ "$(dkms_state "$rel")" = built ] || { echo "$me: not 'built' after dkms uninstall"; return 1; }
	o=$(dk autoinstall -k "$rel" --kernelsourcedir "$kdir" 2>&1) || rc=$?
	echo "$o" >>"$log"
	[ "$rc" = 0 ] || { echo "$me: dkms autoinstall -k $rel exited $rc"; echo "$o" | tail -n 5; return 1; }
	[ "$(dkms_state "$rel")" = installed ] && in_updates
}

# other_kernel: linux-source's version, one more (6.12.118 -> 6.12.119),
# and the rest of the release: a kernel whose sources are not installed.
other=${upstream%.*}.$((${upstream##*.} + 1))${rel#"$upstream"}
# skipped RELEASE [dkms options]: dkms build exits 77 with dkms's own
# BUILD_EXCLUSIVE message, and builds nothing.
skipped() {
	local k=$1 o rc=0
	shift
	o=$(dk build "$pkg/$ver" -k "$k" "$@" 2>&1) || rc=$?
	echo "$o" >>"$log"
	[ "$rc" = 77 ] || { echo "$me: dkms build -k $k exited $rc, not 77"; echo "$o" | tail -n 5; return 1; }
	grep -q 'BUILD_EXCLUSIVE directive which does not match this kernel' <<<"$o" ||
		{ echo "$me: no BUILD_EXCLUSIVE message"; return 1; }
	[ ! -e "$dkmstree/$pkg/$ver/$k" ] && [ ! -e "$dkmstree/$pkg/$ver/build" ]
}

# dkms autoinstall, as the kernel packages' hook runs it, for a kernel the
# package skips: exit 0 and nothing built. dkms 3.0.10 would count a
# BUILD_EXCLUSIVE skip as a failure (exit 11, failing the kernel's
# package), so dkms.conf does not autoinstall such a kernel at all.
autoinstall_skips() {
	local o rc=0
	o=$(dk autoinstall -k "$other" --kernelsourcedir "$kdir" 2>&1) || rc=$?
	echo "$o" >>"$log"
	[ "$rc" = 0 ] || { echo "$me: dkms autoinstall -k $other exited $rc, not 0"; echo "$o" | tail -n 5; return 1; }
	! grep -q 'failed to install during autoinstall' <<<"$o" &&
		[ ! -e "$dkmstree/$pkg/$ver/$other" ] && [ ! -e "$insttree/$other" ]
}

backend() {
	NOUVEAU_SRC=$built/nouveau NOUVEAU_BACKEND_OUT=$out/backend JOBS=$jobs \
		"$top/scripts/nouveau.sh" backend "$kdir" >>"$log" 2>&1 || {
		tail -n 20 "$log"
		return 1
	}
	[ -f "$out/backend/nvkm_vgpu.ko" ] && [ -f "$out/backend/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko" ]
}

backend_links_nouveau() {
	local b=$out/backend/nvkm_glue/nouveau/nvkm_vgpu_nouveau.ko d v
	d=$(modinfo -F depends "$b")
	v=$(modinfo -F vermagic "$b")
	[[ ",$d," = *,nouveau,* && ",$d," = *,nvkm_vgpu,* ]] || { echo "$me: backend depends on '$d'"; return 1; }
	[ "${v%% *}" = "$rel" ] || { echo "$me: backend vermagic '$v'"; return 1; }
	# C=2: kbuild ran sparse (CHECK) over the backend's files.
	grep -q 'CHECK .*nvkm_glue/nouveau/main.c' "$out/backend/backend.log" ||
		{ echo "$me: sparse did not run over the backend (no CHECK lines in backend.log)"; return 1; }
}

removed() {
	dk remove "$pkg/$ver" --all >>"$log" 2>&1 && rm -rf "${srctree:?}/$pkg-$ver"
}

nothing_left() {
	local s left
	s=$(dk status)
	[ -z "$s" ] || { echo "$me: dkms status: $s"; return 1; }
	left=$(find "$dkmstree" "$srctree" "$insttree" -mindepth 1 \
		-not -path "$insttree/$rel" -not -path "$insttree/$rel/kernel*" -not -path "$insttree/$rel/modules.*")
	[ -z "$left" ] || { echo "$me: left behind: $left"; return 1; }
}

host_untouched() {
	[ "$(host_state)" = "$host_before" ] || {
		echo "$me: /var/lib/dkms, /usr/src or /lib/modules changed during the test"
		return 1
	}
	[ ! -e "/var/lib/dkms/$pkg" ] && [ ! -e "/usr/src/$pkg-$ver" ] && [ ! -e "/lib/modules/$rel/updates/dkms/nouveau.ko.xz" ]
}

note "$pkg $ver for $rel ($kdir), linux-source-6.12 $srcver, $(dpkg-query -W -f='dkms ${Version}' dkms)"
check "prerequisites: dkms, linux-source-6.12 of $rel's version, nouveau as a module" prerequisites
if [ "$failed" != 0 ]; then
	finish
fi
check "dkms takes private trees (--dkmstree, --sourcetree, --installtree)" private_trees
check "scripts/nouveau.sh dkms-src copies the package" \
	run "$top/scripts/nouveau.sh" dkms-src "$srctree/$pkg-$ver"
check "the copy has dkms.conf, VERSION, the Makefile, dkms-build.sh (executable), every patch" copied
check "the kernel's own nouveau.ko in the test's module tree" install_tree

check "a package with a patch that does not apply: dkms add" broken_add
check "its build stops, naming the patch, in dkms's output and make.log; nothing built" broken_stops
check "dkms remove it" broken_remove

check "dkms add $pkg/$ver" run dk add "$pkg/$ver"
check "dkms status: added" state_is added
check "dkms build for $rel (PRE_BUILD extracts and patches nouveau)" build
if [ "$failed" != 0 ]; then
	finish
fi
check "dkms status: built" state_is built
check "the built module, decompressed, in $out" module_out
check "vermagic is $rel" vermagic_is_rel
check "version $srcver+nvkm-vgpu-$ver (nvkm_vgpu_dkms.c)" versioned
check "exports nvkm_vgpu_hook_register (Module.symvers, __ksymtab)" exports_hook
check "signed by DKMS with the test's MOK, not /var/lib/dkms's" signed_by_test_mok
check "POST_BUILD kept Module.symvers and the headers; dkms removed the build directory" headers_kept

check "dkms install for $rel, over the kernel's own nouveau.ko" install
check "dkms status: installed" state_is installed
check "the module is in <installtree>/$rel/updates/dkms, the kernel's own untouched" in_updates
check "depmod over the test's module tree picks updates/dkms/nouveau.ko" depmod_picks_it
check "dkms uninstall, then dkms autoinstall for $rel (the kernel hook) installs it again" autoinstall_installs

check "kernel $other (no linux-source of its version) is skipped (BUILD_EXCLUSIVE, exit 77), not built" \
	skipped "$other" --kernelsourcedir "$kdir"
check "dkms autoinstall for kernel $other builds nothing and succeeds" autoinstall_skips
s61=$(compgen -G '/lib/modules/6.1.*/build/.config' | head -n 1 || true)
if [ -n "$s61" ]; then
	s61=${s61%/build/.config}
	check "kernel ${s61##*/} (6.1) is skipped too" skipped "${s61##*/}"
fi

check "the nouveau backend and the manager build against the DKMS build (W=1, sparse)" backend
check "the backend links against nouveau and the manager, for $rel, sparse ran" backend_links_nouveau

check "dkms remove --all, the source directory deleted (make nouveau-dkms-remove)" removed
check "nothing left: not in DKMS, no module installed, no sources" nothing_left
check "the host's /var/lib/dkms, /usr/src and /lib/modules are as before" host_untouched
note "total: $SECONDS s"
finish
