# SPDX-License-Identifier: GPL-2.0
# The mount stack of a test inside the test VM, whose root is the host's,
# read-only: what the test puts over it to make parts of it writable, and
# the undo. A script sets state (a folder of its own on a tmpfs, for the
# copies and the overlays' upper layers), sources tests/vm/lib.sh and this
# file, and calls unmount_all when it ends. mounts lists what is mounted,
# links the /dev links made, both in the order made.
# shellcheck shell=bash
# state and me come from the sourcing script and tests/vm/lib.sh.
# shellcheck disable=SC2154

mounts=()
links=()

# mount_over DIR MOUNT-ARGS...: mounts over DIR and remembers to unmount it.
mount_over() {
	local dir=$1
	shift
	mount "$@" "$dir" || return 1
	mounts+=("$dir")
}

# tmpfs_copy DIR: DIR becomes a writable tmpfs copy of itself.
tmpfs_copy() {
	local dir=$1 copy
	copy=$state/copy${1//\//_}
	mkdir -p "$copy"
	[ -d "$dir" ] && cp -a "$dir/." "$copy/"
	mount_over "$dir" --bind "$copy"
}

# overlay DIR: writes to DIR go to a tmpfs upper layer (needs overlayfs).
overlay() {
	local d=$state/ovl${1//\//_}
	mkdir -p "$d/upper" "$d/work"
	mount_over "$1" -t overlay overlay \
		-o "lowerdir=$1,upperdir=$d/upper,workdir=$d/work"
}

# writable DIR: writes to DIR go to a tmpfs: an overlay over it, or where
# the kernel has no overlayfs (the debug kernel), an empty tmpfs hiding it.
writable() {
	if grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null; then
		overlay "$1"
	else
		echo "$me: no overlayfs; an empty tmpfs hides $1"
		mount_over "$1" -t tmpfs -o mode=755 tmpfs
	fi
}

# dev_link NAME TARGET: /dev/NAME, a symlink to TARGET, unless it exists
# (the VM's devtmpfs lacks the links systemd makes at boot).
dev_link() {
	[ ! -e "/dev/$1" ] || return 0
	ln -s "$2" "/dev/$1" || return 1
	links+=("/dev/$1")
}

# unmount_all: unmounts what mount_over mounted, in reverse order, and
# removes the links dev_link made. Fails if a mount was busy (then
# unmounted lazily).
unmount_all() {
	local i rc=0
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" || { umount -l "${mounts[i]}"; rc=1; }
	done
	mounts=()
	rm -f "${links[@]}"
	links=()
	return "$rc"
}
