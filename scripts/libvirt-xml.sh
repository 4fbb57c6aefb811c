#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/libvirt-xml.sh [--domain [--name N] [--memory MIB] [--accel kvm|qemu] [--kernel IMAGE [--initrd FILE] [--cmdline ARGS]] [--serial FILE] | --nodedev] UUID [PARENT TYPE]
#
# Prints libvirt XML for the vGPU (mdev) UUID on standard output:
#   (no option)  the <hostdev> element that gives a domain the vGPU, for
#                `virsh attach-device` or to paste into <devices>;
#   --domain     a minimal, complete domain with that <hostdev> (name
#                nvkm-vgpu-<first 8 hex digits of UUID> unless --name, 1024
#                MiB unless --memory, <domain type='kvm'> when /dev/kvm
#                exists, else 'qemu', unless --accel), for `virsh define`;
#                it boots what its BIOS finds unless --kernel: then QEMU
#                boots IMAGE directly (<os><kernel>), with --initrd FILE
#                as its initramfs and --cmdline ARGS as its command line
#                (absolute paths, readable by the user libvirt runs QEMU
#                as); --serial FILE adds a serial port (the guest's
#                ttyS0) whose output goes to FILE;
#   --nodedev    the node device that `virsh nodedev-create` or
#                `nodedev-define` turns into a vGPU of TYPE on PARENT:
#                PARENT the libvirt node device name of the mdev parent
#                (pci_0000_00_05_0), TYPE the type's id as libvirt and
#                sysfs name it, "<driver>-<type>" (nvkm_vgpu_sim-h100-10c,
#                nouveau-h100-10c), or "<type>" alone (h100-10c) when the
#                parent is on this machine: its driver is read from sysfs.
# Both validate with virt-xml-validate (libvirt-clients). Exit 2 on bad
# arguments. See Documentation/admin-guide.rst for what libvirt can do
# with each.
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

die() {
	echo "libvirt-xml: $*" >&2
	exit 2
}

mode=hostdev
name=
memory=1024
accel=
kernel=
initrd=
cmdline=
serial=
while [ $# -gt 0 ]; do
	case "$1" in
	--domain) mode=domain; shift ;;
	--nodedev) mode=nodedev; shift ;;
	--name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
	--memory) [ $# -ge 2 ] || usage; memory=$2; shift 2 ;;
	--accel) [ $# -ge 2 ] || usage; accel=$2; shift 2 ;;
	--kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
	--initrd) [ $# -ge 2 ] || usage; initrd=$2; shift 2 ;;
	--cmdline) [ $# -ge 2 ] || usage; cmdline=$2; shift 2 ;;
	--serial) [ $# -ge 2 ] || usage; serial=$2; shift 2 ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "libvirt-xml: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done

uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
[ $# -ge 1 ] || usage
uuid=$(echo "$1" | tr 'A-F' 'a-f')
[[ $uuid =~ $uuid_re ]] || die "'$1' is not a UUID"
shift

if [ "$mode" = nodedev ]; then
	[ $# -eq 2 ] || die "--nodedev needs PARENT and TYPE"
	parent=$1
	type=$2
	[[ $parent =~ ^[A-Za-z0-9_.:-]+$ ]] || die "'$parent' is not a node device name"
	[[ $type =~ ^[a-z0-9_]+(-[a-z0-9_]+)+$ ]] || die "'$type' is not a vGPU type"
	# A type's id is "<driver>-<board>-<size><series>": two dashes or more.
	if [[ ! $type =~ -.*- ]]; then
		# libvirt's name for a PCI device: pci_DDDD_BB_SS_F.
		addr=${parent#pci_}
		addr=$(echo "$addr" | sed -E 's/^([0-9a-f]{4})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$/\1:\2:\3.\4/')
		ids=(/sys/bus/pci/devices/"$addr"/mdev_supported_types/*-"$type")
		[ -e "${ids[0]}" ] || die "no type '$type' on $parent here; give its full id (<driver>-$type)"
		type=${ids[0]##*/}
	fi
else
	[ $# -eq 0 ] || die "PARENT and TYPE go with --nodedev only"
fi
if [ "$mode" != domain ] && [ -n "$kernel$initrd$cmdline$serial" ]; then
	die "--kernel, --initrd, --cmdline and --serial go with --domain only"
fi
if [ -z "$kernel" ] && [ -n "$initrd$cmdline" ]; then
	die "--initrd and --cmdline go with --kernel"
fi
for f in "$kernel" "$initrd" "$serial"; do
	[ -z "$f" ] || [[ $f == /* ]] || die "'$f' is not an absolute path"
done

# xml_text STRING: STRING with XML's special characters escaped.
xml_text() {
	printf '%s\n' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' \
		-e "s/'/\\&apos;/g"
}

hostdev() { # indent
	local i=$1
	cat <<EOF
$i<hostdev mode='subsystem' type='mdev' model='vfio-pci'>
$i  <source>
$i    <address uuid='$uuid'/>
$i  </source>
$i</hostdev>
EOF
}

# os_boot: the <os> lines for a direct kernel boot (none without --kernel).
os_boot() {
	[ -n "$kernel" ] || return 0
	echo "    <kernel>$(xml_text "$kernel")</kernel>"
	[ -z "$initrd" ] || echo "    <initrd>$(xml_text "$initrd")</initrd>"
	[ -z "$cmdline" ] || echo "    <cmdline>$(xml_text "$cmdline")</cmdline>"
}

# serial_port: a <serial> port writing to FILE (nothing without --serial).
serial_port() {
	[ -n "$serial" ] || return 0
	cat <<EOF
    <serial type='file'>
      <source path='$(xml_text "$serial")'/>
      <target port='0'/>
    </serial>
EOF
}

case "$mode" in
hostdev)
	hostdev ""
	;;
domain)
	name=${name:-nvkm-vgpu-${uuid%%-*}}
	[[ $name =~ ^[A-Za-z0-9_.+-]+$ ]] || die "'$name' is not a usable domain name"
	[[ $memory =~ ^[1-9][0-9]*$ ]] || die "--memory takes MiB, a positive integer"
	if [ -z "$accel" ]; then
		accel=qemu
		[ -e /dev/kvm ] && accel=kvm
	fi
	case "$accel" in
	kvm | qemu) ;;
	*) die "--accel is kvm or qemu" ;;
	esac
	cat <<EOF
<domain type='$accel'>
  <name>$name</name>
  <memory unit='MiB'>$memory</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
EOF
	os_boot
	echo "  </os>"
	echo "  <devices>"
	hostdev "    "
	serial_port
	cat <<EOF
  </devices>
</domain>
EOF
	;;
nodedev)
	# libvirt names an mdev node device mdev_<uuid>_<parent address>, "_"
	# for "-:."; it ignores <name> on create, but the schema requires one.
	addr=${parent#pci_}
	cat <<EOF
<device>
  <name>mdev_${uuid//-/_}_${addr//[:.-]/_}</name>
  <parent>$parent</parent>
  <capability type='mdev'>
    <type id='$type'/>
    <uuid>$uuid</uuid>
  </capability>
</device>
EOF
	;;
esac
