#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: tests/vm/smi.sh MODULE_DIR   (inside the test VM, as root)
#
# Runs scripts/vgpu-smi against the real sysfs: loads nvkm_vgpu.ko and
# nvkm_vgpu_sim.ko from MODULE_DIR with one device-less simulated
# h100-80gb GPU, creates two vGPUs of different types on it (h100-10c and
# h100-20c, mixed placement), and checks that vgpu-smi's table, --json and
# --prometheus show both, with their types, and for each the engines the
# parent's nvkm_vgpu/engines file lists that its type may use (sched_stats'
# lines); that --gpu of no GPU and no GPU at all exit 1. Removes the vGPUs
# and unloads both modules. TAP goes to $NVKM_RESULTS/smi.tap, vgpu-smi's
# outputs to $NVKM_RESULTS/smi.{txt,json,prom}. Exits 1 if a check failed.

# The predicates below are called through check(), which SC2317 cannot see.
# shellcheck disable=SC2317
set -euo pipefail

usage() {
	sed -n '3s/^# //p' "$0" >&2
	exit 2
}

[ $# -eq 1 ] || usage
moddir=$1
results=${NVKM_RESULTS:?NVKM_RESULTS is not set; run this through tests/vm/run-vm.sh}
top=$(cd "$(dirname "$0")/../.." && pwd)
smi=$top/scripts/vgpu-smi

tap=$results/smi.tap
log=$results/smi.log
: >"$tap"
: >"$log"

# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"

loaded=0
parent=
read -r u1 </proc/sys/kernel/random/uuid
read -r u2 </proc/sys/kernel/random/uuid

cleanup() {
	local u
	set +e
	for u in "$u1" "$u2"; do
		[ ! -e "/sys/bus/mdev/devices/$u/remove" ] || echo 1 >"/sys/bus/mdev/devices/$u/remove"
	done
	unload_modules
}
trap cleanup EXIT

# find_parent: sets parent to the h100 GPU's mdev parent directory.
find_parent() {
	local b board
	for b in /sys/class/mdev_bus/*/nvkm_vgpu/board; do
		[ -e "$b" ] || continue
		read -r board _ <"$b"
		if [ "$board" = h100 ]; then
			parent=${b%/nvkm_vgpu/board}
			return 0
		fi
	done
	echo "smi: no h100 GPU under /sys/class/mdev_bus"
	return 1
}

create() {
	echo "$1" >"$parent/mdev_supported_types/nvkm_vgpu_sim-$2/create"
}

has_engines() {
	local e
	read -r e <"$parent/nvkm_vgpu/engines" || return 1
	echo "smi: the GPU's runlists: $e"
	[ -n "$e" ]
}

# smi_to FILE ARGS...: runs vgpu-smi ARGS with its stdout in FILE and its
# stderr in the log; succeeds when it exits 0 with nothing on stderr.
smi_to() {
	local out=$1 err=$results/smi.err rc=0
	shift
	echo "+ vgpu-smi $*" >>"$log"
	"$smi" "$@" >"$out" 2>"$err" || rc=$?
	cat "$err" >>"$log"
	if [ "$rc" != 0 ] || [ -s "$err" ]; then
		echo "smi: vgpu-smi $* exited $rc: $(head -n 3 "$err")"
		return 1
	fi
}

# smi_fails ARGS...: vgpu-smi ARGS exits 1 with one line on stderr that
# contains the last argument's words (a regular expression).
smi_fails() {
	local want=${*: -1} rc=0 err
	set -- "${@:1:$#-1}"
	echo "+ vgpu-smi $*" >>"$log"
	err=$("$smi" "$@" 2>&1 >/dev/null) || rc=$?
	echo "$err" >>"$log"
	if [ "$rc" != 1 ] || [ "$(printf '%s\n' "$err" | wc -l)" != 1 ] || ! [[ $err =~ $want ]]; then
		echo "smi: vgpu-smi $* exited $rc: $err"
		return 1
	fi
}

# The checks of the JSON and Prometheus outputs, in Python: argv is the
# output file, the parent's directory, then "uuid type" pairs. The engines
# each vGPU should show are the parent's runlists ("gr0 ce0 ce1") whose
# class ("GR", "CE") is in the vGPU's own engines file.
expect_py='
import json, os, re, sys
path, parent = sys.argv[1], sys.argv[2]
want = dict(zip(sys.argv[3::2], sys.argv[4::2]))
name = os.path.basename(parent)
runlists = open(os.path.join(parent, "nvkm_vgpu/engines")).read().split()
def engines_of(uuid):
    classes = open(os.path.join(parent, uuid, "nvkm_vgpu/engines")).read().split()
    return [r for r in runlists if re.sub(r"[0-9]+$", "", r).upper() in classes]
bad = []
'

json_ok() {
	python3 -c "$expect_py"'
doc = json.load(open(path))
gpus = [g for g in doc["gpus"] if g["parent"] == name]
if len(gpus) != 1:
    sys.exit("smi: GPU %s in the JSON %d times" % (name, len(gpus)))
g = gpus[0]
if g["engines"] != runlists:
    bad.append("GPU engines %s, the engines file %s" % (g["engines"], runlists))
if not g["board"] or g["board"].split()[0] != "h100":
    bad.append("board %r" % g["board"])
vgpus = {v["uuid"]: v for v in g["vgpus"]}
for uuid, vtype in want.items():
    v = vgpus.get(uuid)
    if v is None:
        bad.append("no vGPU %s" % uuid)
        continue
    if v["type"] != vtype:
        bad.append("%s: type %r, not %s" % (uuid, v["type"], vtype))
    exp = engines_of(uuid)
    if not exp or list(v["engines"] or {}) != exp:
        bad.append("%s: engines %s, expected %s" % (uuid, list(v["engines"] or {}), exp))
    for e, st in (v["engines"] or {}).items():
        if not isinstance(st["busy_ns"], int) or not isinstance(st["utilisation"], float) \
                or not 0 <= st["utilisation"] <= 1:
            bad.append("%s %s: busy_ns %r utilisation %r" % (uuid, e, st["busy_ns"], st["utilisation"]))
    for k in ("fb_size", "fb_used", "channels", "weight"):
        if not isinstance(v[k], int):
            bad.append("%s: %s %r" % (uuid, k, v[k]))
if bad:
    sys.exit("smi: " + "; ".join(bad))
' "$1" "$parent" "$u1" h100-10c "$u2" h100-20c
}

prom_ok() {
	python3 -c "$expect_py"'
types, got = {}, {}
for line in open(path):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        types[line.split()[2]] = line.split()[3]
        continue
    if line.startswith("#") or not line:
        continue
    m = re.match(r"^(nvkm_vgpu_[a-z0-9_]+)\{(.*)\} (\S+)$", line)
    if not m or m.group(1) not in types:
        sys.exit("smi: not a sample of a TYPEd nvkm_vgpu_ metric: %r" % line)
    float(m.group(3))
    labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", m.group(2)))
    got.setdefault(m.group(1), []).append(labels)
if types.get("nvkm_vgpu_busy_seconds_total") != "counter":
    bad.append("busy_seconds_total is %r" % types.get("nvkm_vgpu_busy_seconds_total"))
busy = {(l["vgpu"], l["type"], l["engine"]) for l in got.get("nvkm_vgpu_busy_seconds_total", [])
        if l.get("gpu") == name}
for uuid, vtype in want.items():
    exp = {(uuid, vtype, e) for e in engines_of(uuid)}
    have = {b for b in busy if b[0] == uuid}
    if not exp or have != exp:
        bad.append("%s: busy_seconds_total for %s, expected %s" % (uuid, sorted(have), sorted(exp)))
    if not any(l.get("vgpu") == uuid and l.get("type") == vtype
               for l in got.get("nvkm_vgpu_fb_size_bytes", [])):
        bad.append("%s: no fb_size_bytes" % uuid)
if bad:
    sys.exit("smi: " + "; ".join(bad))
' "$1" "$parent" "$u1" h100-10c "$u2" h100-20c
}

table_ok() {
	grep -q "^$(basename "$parent"): board h100 sim," "$1" &&
		grep -Eq "^  $u1  h100-10c " "$1" &&
		grep -Eq "^  $u2  h100-20c " "$1" &&
		grep -q '^  TOTAL ' "$1"
}

check "modprobe mdev" modprobe mdev
check "modprobe vfio" modprobe vfio
modprobe vfio_iommu_type1 || echo "smi: vfio_iommu_type1 did not load"
# nvkm_vgpu.ko needs vfio_virqfd: its own module on 6.1, part of vfio since 6.2.
modprobe -q vfio_virqfd || true
check "insmod nvkm_vgpu.ko" insmod "$moddir/nvkm_vgpu.ko"
check "insmod nvkm_vgpu_sim.ko gpus=h100-80gb" insmod "$moddir/nvkm_vgpu_sim.ko" gpus=h100-80gb
loaded=1
check "an h100 GPU is registered" find_parent
if [ "$failed" != 0 ]; then
	finish
fi
note "GPU $parent, vGPUs $u1 (h100-10c) and $u2 (h100-20c)"
check "the GPU lists its runlists in nvkm_vgpu/engines" has_engines
mixed() {
	echo mixed >"$parent/nvkm_vgpu/placement"
}
check "mixed placement" mixed
check "create an h100-10c vGPU" create "$u1" h100-10c
check "create an h100-20c vGPU" create "$u2" h100-20c

check "vgpu-smi (the table) exits 0" smi_to "$results/smi.txt" --interval 0.2
check "the table has the GPU, a row per vGPU with its type, and the total" \
	table_ok "$results/smi.txt"
check "vgpu-smi --json exits 0" smi_to "$results/smi.json" --json --interval 0.2
check "the JSON has both vGPUs, their types, the engines of the parent's engines file" \
	json_ok "$results/smi.json"
check "vgpu-smi --prometheus --output exits 0" \
	smi_to /dev/null --prometheus --interval 0.2 --output "$results/smi.prom"
check "the Prometheus text has busy_seconds_total per vGPU, type and engine" \
	prom_ok "$results/smi.prom"
check "vgpu-smi --gpu of its GPU alone exits 0" \
	smi_to "$results/smi-gpu.json" --json --interval 0.1 --gpu "$(basename "$parent")"
check "vgpu-smi --gpu of no GPU exits 1, naming it" smi_fails --gpu 0000:ff:1f.7 'no GPU 0000:ff:1f\.7'

remove() {
	echo 1 >"/sys/bus/mdev/devices/$1/remove"
}
check "remove the h100-10c vGPU" remove "$u1"
check "remove the h100-20c vGPU" remove "$u2"
no_vgpu() {
	smi_to "$results/smi-empty.txt" --interval 0.1 && grep -q '^  no vGPU$' "$results/smi-empty.txt"
}
check "vgpu-smi shows the GPU with no vGPU" no_vgpu
check "rmmod nvkm_vgpu_sim" rmmod nvkm_vgpu_sim
check "vgpu-smi with no GPU exits 1, saying so" smi_fails --interval 0.1 'no GPU found'
check "rmmod nvkm_vgpu" rmmod nvkm_vgpu
loaded=0
finish
