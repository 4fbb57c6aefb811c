# SPDX-License-Identifier: GPL-2.0
# libvirtd, virtlogd and systemd-udevd inside the test VM, for
# tests/vm/libvirt.sh and tests/vm/nova.sh: the files they write made
# writable (tests/vm/mounts.sh), the libvirt-qemu user, the daemons
# started and stopped. A script sets state and results, sources
# tests/vm/lib.sh and this file, and calls libvirtd_env_undo when it ends;
# pids lists the daemons' pids.
# shellcheck shell=bash
# state, results and me come from the sourcing script and tests/vm/lib.sh.
# shellcheck disable=SC2154
# shellcheck source=tests/vm/mounts.sh
source "$(dirname "${BASH_SOURCE[0]}")/mounts.sh"

pids=()
udevd_started=0

# add_qemu_user: the libvirt-qemu user and group, which the QEMU driver
# looks up when libvirtd starts, even when it runs no domain; the package
# that creates them (libvirt-daemon-system) would also start services on
# the host. Bind-mounted copies of /etc/passwd and /etc/group get them.
add_qemu_user() {
	if ! getent passwd libvirt-qemu >/dev/null; then
		cp /etc/passwd "$state/passwd"
		echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin' \
			>>"$state/passwd"
		mount_over /etc/passwd --bind "$state/passwd" || return 1
	fi
	if ! getent group libvirt-qemu >/dev/null; then
		cp /etc/group "$state/group"
		echo 'libvirt-qemu:x:64055:' >>"$state/group"
		mount_over /etc/group --bind "$state/group" || return 1
	fi
	getent passwd libvirt-qemu >/dev/null
}

# libvirtd_fs: everything libvirtd writes made writable (/var/lib,
# /var/cache and /var/log, a tmpfs copy of /etc/libvirt), and its user.
libvirtd_fs() {
	writable /var/lib && writable /var/cache && writable /var/log || return 1
	mkdir -p /var/lib/libvirt /var/cache/libvirt /var/log/libvirt || return 1
	tmpfs_copy /etc/libvirt || return 1
	add_qemu_user
}

# start_udevd: a systemd-udevd (one already running, or ours), which has
# seen every device: libvirt's udev backend reads devices' properties from
# udev's database.
start_udevd() {
	# The socket outlives a udevd told to exit (an earlier test's): ask.
	if udevadm control --ping -t 2 2>/dev/null; then
		echo "$me: a udevd is already running; using it"
	else
		/lib/systemd/systemd-udevd --daemon </dev/null >>"$results/udevd.log" 2>&1 || return 1
		udevd_started=1
	fi
	udevadm trigger && udevadm settle --timeout=120
}

# start_daemon NAME: runs /usr/sbin/NAME --daemon, waits for its pid file.
start_daemon() {
	local i pid
	LIBVIRT_LOG_OUTPUTS="3:file:$results/$1.log" "/usr/sbin/$1" --daemon \
		</dev/null >>"$results/$1.log" 2>&1 || return 1
	for ((i = 0; i < 120; i++)); do
		if [ -s "/run/$1.pid" ]; then
			read -r pid <"/run/$1.pid"
			pids+=("$pid")
			return 0
		fi
		sleep 0.5
	done
	return 1
}

# libvirtd_up: libvirtd answers on qemu:///system within two minutes (or
# the end of its log says why not).
libvirtd_up() {
	local i
	for ((i = 0; i < 120; i++)); do
		[ -S /run/libvirt/libvirt-sock ] &&
			timeout -k 10 120 /usr/bin/virsh -c qemu:///system version >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "$me: libvirtd does not answer; last lines of its log:"
	tail -n 20 "$results/libvirtd.log" | sed "s/^/$me:   /"
	return 1
}

# stop_daemons: stops the daemons start_daemon started, each within 30 s.
stop_daemons() {
	local pid i
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || continue
		for ((i = 0; i < 60; i++)); do
			[ -d "/proc/$pid" ] || break
			sleep 0.5
		done
	done
	pids=()
}

# gone_pids PID...: none of them runs any more.
gone_pids() {
	local pid
	for pid in "$@"; do
		[ ! -d "/proc/$pid" ] || { echo "$me: pid $pid still runs"; return 1; }
	done
}

# libvirtd_env_undo: stops the udevd start_udevd started, removes the rule
# install_rule (tests/vm/lib.sh) wrote, and undoes the mounts and the /dev
# links.
libvirtd_env_undo() {
	if [ "$udevd_started" = 1 ]; then
		udevd_exit
		udevd_started=0
	fi
	remove_rule
	unmount_all
}
