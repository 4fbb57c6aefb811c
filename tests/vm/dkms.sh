#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/dkms.sh [SOURCE_DIR]   (inside the test VM, as root, on a stock kernel)
#
# Installs the modules with DKMS as Documentation/admin-guide.rst says
# ("Installing with DKMS"), from SOURCE_DIR (default: this repository):
# `make dkms-src` copies the sources to /usr/src/nvkm-vgpu-VERSION, then
# dkms add, build and install for the running kernel. Checks that modinfo
# shows the version and a description for every parameter the sources
# declare, that `modprobe nvkm_vgpu_sim` loads both modules from
# /lib/modules/RELEASE/updates/dkms and a simulated GPU appears, that
# `modprobe -r` unloads both, that the kernel's postinst hook (dkms
# autoinstall) installs the package again after a `dkms uninstall`
# (AUTOINSTALL), and that `make dkms-remove` takes everything out again.
#
# The guest's root is the host's, read-only. What dkms writes goes to
# tmpfs: an overlay over /usr/src, an empty DKMS tree over /var/lib/dkms
# (dkms sees no other package) and, once the package is built, a module
# tree of its own over /lib/modules/RELEASE that holds the stock modules
# the package needs (see module_tree). All are unmounted at the end, and
# the host's view checked to be as before. Writes TAP to
# $NVKM_RESULTS/dkms.tap.
#
# Time under TCG on 2 host cores shared with other VMs: 5 minutes, 220 s
# of it the dkms build (two modules with gcc; the TAP's "# dkms build:
# N s" line); 13 minutes, 460 s of it the build, with three other VMs
# running.

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -le 1 ] || usage
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
krel=$(uname -r)
ver=$(cat "$src/VERSION")
pkg=nvkm-vgpu/$ver
usrc=/usr/src/nvkm-vgpu-$ver
updates=/lib/modules/$krel/updates/dkms
state=$(mktemp -d /tmp/nvkm-dkms.XXXXXX)

tap=$results/dkms.tap
log=$results/dkms.log
: >"$tap"
: >"$log"
# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/vm/mounts.sh
source "$(dirname "$0")/mounts.sh"

# Where dkms puts the sources and builds them. dkms reads through
# <(...), which needs /dev/fd: the VM's devtmpfs has none (udev makes it
# on a normal host), so it is made for the test.
prepare_fs() {
	dev_link fd /proc/self/fd &&
		modprobe overlay &&
		overlay /usr/src &&
		mount_over /var/lib/dkms -t tmpfs -o mode=755 tmpfs
}

# The package's modules as dkms built them.
built_modules() {
	compgen -G "/var/lib/dkms/nvkm-vgpu/$ver/$krel/$(uname -m)/module/*.ko*"
}

# module_tree: /lib/modules/RELEASE becomes a tmpfs tree with the stock
# modules the built ones depend on (modinfo's depends, and theirs, from
# the stock tree), its build link and its lists of built-in modules,
# indexed by depmod. dkms runs depmod on each install, uninstall and
# remove: over the whole stock tree (4000 modules, each decompressed) it
# took 4 minutes each time under TCG, over this one it takes seconds.
# What dkms does is the same.
module_tree() {
	local t=$state/modules f m names=() paths=()
	local -A seen=()
	mkdir -p "$t"
	for f in build source modules.builtin modules.builtin.modinfo modules.order; do
		[ ! -e "/lib/modules/$krel/$f" ] || cp -a "/lib/modules/$krel/$f" "$t/" || return 1
	done
	while read -r f; do
		IFS=, read -r -a m <<<"$(modinfo -F depends "$f")"
		names+=("${m[@]}")
	done < <(built_modules)
	for m in "${names[@]}"; do
		case $m in nvkm_vgpu | nvkm_vgpu_sim) continue ;; esac
		while read -r f; do
			[ -z "${seen[$f]+x}" ] || continue
			seen[$f]=1
			paths+=("${f#"/lib/modules/$krel/"}")
		done < <(modprobe --show-depends "$m" | awk '$1 == "insmod" { print $2 }')
	done
	[ ${#paths[@]} -gt 0 ] || { echo "dkms: the built modules need no stock module?"; return 1; }
	note "stock modules in the test's module tree: ${paths[*]##*/}"
	(cd "/lib/modules/$krel" && cp --parents "${paths[@]}" "$t/") &&
		mount_over "/lib/modules/$krel" --bind "$t" &&
		depmod -a "$krel"
}

cleanup() {
	modprobe -r nvkm_vgpu_sim 2>/dev/null || true
	unmount_all 2>/dev/null || true
	rm -rf "$state"
}
trap cleanup EXIT


# timed WHAT COMMAND...: runs COMMAND (see run) and notes its seconds.
timed() {
	local what=$1 t0=$SECONDS rc=0
	shift
	run "$@" || rc=$?
	note "$what: $((SECONDS - t0)) s"
	return "$rc"
}

# The package's state in DKMS for the running kernel: "added", "built",
# "installed" or nothing.
dkms_state() {
	dkms status "$pkg" 2>/dev/null | awk -v k="$krel" '
		$0 ~ "^nvkm-vgpu/" && (index($0, ", " k ",") || $0 !~ ", ") {
			sub(/^[^:]*: */, ""); print $1; exit
		}'
}

state_is() {
	local s
	s=$(dkms_state)
	[ "$s" = "$1" ] || { echo "dkms: $pkg is '${s:-not in DKMS}', not '$1'"; return 1; }
}

# MODULE is found by modinfo, in the DKMS directory of the module tree.
in_updates() {
	local path
	path=$(modinfo -n "$1" 2>&1) || { echo "dkms: modinfo $1: $path"; return 1; }
	case $path in
	"$updates/$1.ko"*) ;;
	*) echo "dkms: modinfo finds $1 at $path, not in $updates"; return 1 ;;
	esac
}

# Neither module is found, in the module tree or in DKMS's directory.
none_installed() {
	local m ok=0
	for m in nvkm_vgpu nvkm_vgpu_sim; do
		if modinfo -n "$m" >/dev/null 2>&1; then
			echo "dkms: modinfo still finds $m at $(modinfo -n "$m")"
			ok=1
		fi
	done
	if compgen -G "$updates/nvkm_vgpu*" >/dev/null; then
		echo "dkms: left in $updates: $(ls "$updates")"
		ok=1
	fi
	return "$ok"
}

# DIR has the sources and the DKMS files, and no object of an earlier build.
source_copied() {
	local f objs
	for f in dkms.conf VERSION Kbuild vgpu_mgr/main.c nvkm_glue/sim/main.c; do
		[ -f "$usrc/$f" ] || { echo "dkms: $usrc/$f is missing"; return 1; }
	done
	objs=$(find "$usrc" -name '*.o' -o -name '*.ko' -o -name '.*.cmd' | head -n 3)
	[ -z "$objs" ] || { echo "dkms: objects copied: $objs"; return 1; }
}

# modinfo_field MODULE FIELD VALUE: modinfo shows VALUE for FIELD.
modinfo_field() {
	local v
	v=$(modinfo -F "$2" "$1")
	[ "$v" = "$3" ] || { echo "dkms: modinfo $1: $2 is '$v', not '$3'"; return 1; }
}

# identity MODULE: modinfo shows this version, GPL and a description.
identity() {
	modinfo_field "$1" version "$ver" && modinfo_field "$1" license GPL &&
		[ -n "$(modinfo -F description "$1")" ]
}

# params_documented MODULE SOURCE...: modinfo lists exactly the parameters
# SOURCE... declare (module_param*(NAME, ...)), each with a description.
params_documented() {
	local mod=$1 want have name line desc ok=0
	shift
	want=$(cat "$@" | sed -nE 's/^[[:space:]]*module_param[a-z_]*\([[:space:]]*([A-Za-z0-9_]+).*/\1/p' |
		sort -u | paste -sd' ')
	have=$(modinfo -F parmtype "$mod" | cut -d: -f1 | sort -u | paste -sd' ')
	if [ "$want" != "$have" ]; then
		echo "dkms: $mod: the sources declare [$want], modinfo lists [$have]"
		ok=1
	fi
	for name in $have; do
		line=$(modinfo -F parm "$mod" | grep -m1 "^$name:") || line=
		desc=${line#"$name":}
		desc=${desc% (*)}
		if [ -z "${desc// /}" ]; then
			echo "dkms: $mod: parameter $name has no description"
			ok=1
		fi
	done
	note "$mod parameters: ${have:-none}"
	return "$ok"
}

# The loaded MODULE is the installed file: same version and srcversion.
loaded_from_dkms() {
	local m=$1 v s
	[ -d "/sys/module/$m" ] || { echo "dkms: $m is not loaded"; return 1; }
	read -r v <"/sys/module/$m/version"
	read -r s <"/sys/module/$m/srcversion"
	if [ "$v" != "$ver" ] || [ "$s" != "$(modinfo -F srcversion "$m")" ]; then
		echo "dkms: loaded $m is version $v srcversion $s; installed: $(modinfo -F srcversion "$m")"
		return 1
	fi
}

# The default GPU (gpus="tiny") is on the simulated bus, and the manager
# made it an mdev parent with the tiny board's types.
sim_gpu_present() {
	local d p found=0
	for d in /sys/bus/nvkm_vgpu_sim/devices/nvkm_vgpu_sim*; do
		[ -e "$d/preset" ] || continue
		read -r p <"$d/preset"
		[ "$p" = tiny ] && found=1
	done
	[ "$found" = 1 ] || { echo "dkms: no tiny GPU in /sys/bus/nvkm_vgpu_sim/devices"; return 1; }
	compgen -G "/sys/class/mdev_bus/*/mdev_supported_types/*-tiny-*" >/dev/null || {
		echo "dkms: no mdev parent with the tiny board's types"
		return 1
	}
}

clean_start() {
	[ ! -e "$usrc" ] && [ -z "$(dkms_state)" ] && none_installed
}

uninstalled() {
	none_installed && state_is built
}

installed_again() {
	state_is installed && in_updates nvkm_vgpu && in_updates nvkm_vgpu_sim
}

unloaded() {
	[ ! -d /sys/module/nvkm_vgpu_sim ] && [ ! -d /sys/module/nvkm_vgpu ]
}

package_gone() {
	[ -z "$(dkms_state)" ] && [ ! -e /var/lib/dkms/nvkm-vgpu ] && [ ! -e "$usrc" ] &&
		none_installed
}

mounted() {
	awk -v d="$1" '$5 == d { f = 1 } END { exit !f }' /proc/self/mountinfo
}

# The host's view again: no mount of ours, nothing of the package.
restored() {
	local d
	for d in /usr/src "/lib/modules/$krel" /var/lib/dkms; do
		! mounted "$d" || { echo "dkms: $d is still mounted"; return 1; }
	done
	[ ! -e "$usrc" ] && [ ! -e /var/lib/dkms/nvkm-vgpu ] && none_installed
}

note "nvkm-vgpu $ver from $src on $krel"
check "dkms is installed" command -v dkms
check "headers of the running kernel" test -e "/lib/modules/$krel/build/Makefile"
check "nvkm-vgpu is in neither DKMS nor the module tree before the test" clean_start
if [ "$failed" != 0 ]; then
	finish
fi
check "/usr/src and /var/lib/dkms writable (overlay, tmpfs)" prepare_fs
if [ "$failed" != 0 ]; then
	finish
fi

check "make dkms-src copies the sources to $usrc" run make -s -C "$src" dkms-src
check "the copy has the DKMS files and sources, no objects" source_copied
check "dkms add $pkg" run dkms add "$pkg"
check "dkms status: added" state_is added
check "dkms build $pkg for $krel" timed "dkms build" dkms build "$pkg" -k "$krel"
if [ "$failed" != 0 ]; then
	cp "/var/lib/dkms/nvkm-vgpu/$ver/build/make.log" "$results/make.log" || true
	tail -n 40 "$results/make.log" || true
	finish
fi
check "dkms status: built" state_is built
check "a module tree over /lib/modules/$krel with the modules they need" module_tree
check "dkms install $pkg for $krel" timed "dkms install" dkms install "$pkg" -k "$krel"
check "dkms status: installed" state_is installed
for m in nvkm_vgpu nvkm_vgpu_sim; do
	check "modinfo finds $m in $updates (depmod)" in_updates "$m"
	check "modinfo $m: version $ver, license GPL, a description" identity "$m"
done
check "modinfo nvkm_vgpu: every parameter of vgpu_mgr/ has a description" \
	params_documented nvkm_vgpu "$usrc"/vgpu_mgr/*.c
check "modinfo nvkm_vgpu_sim: every parameter of nvkm_glue/sim/ has a description" \
	params_documented nvkm_vgpu_sim "$usrc"/nvkm_glue/sim/*.c

check "modprobe nvkm_vgpu_sim" run modprobe nvkm_vgpu_sim
check "nvkm_vgpu came with it, the installed file" loaded_from_dkms nvkm_vgpu
check "nvkm_vgpu_sim is the installed file" loaded_from_dkms nvkm_vgpu_sim
check "a simulated GPU appears and is registered" sim_gpu_present
check "modprobe -r nvkm_vgpu_sim" run modprobe -r nvkm_vgpu_sim
check "both modules are unloaded" unloaded

check "dkms uninstall for $krel" run dkms uninstall "$pkg" -k "$krel"
check "the modules are out of the module tree, the package built" uninstalled
check "the kernel's postinst hook installs it again (AUTOINSTALL)" \
	timed "autoinstall" /etc/kernel/postinst.d/dkms "$krel"
check "installed again, modinfo finds both" installed_again

check "make dkms-remove" run make -s -C "$src" dkms-remove
check "nothing left: not in DKMS, /usr/src or the module tree" package_gone
check "overlays and tmpfs unmounted" unmount_all
check "the host's view is as before" restored
finish
