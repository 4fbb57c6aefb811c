#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: nova_vgpu.py LOG_FILE   (tests/vm/nova.sh runs it in the test VM)

Drives OpenStack Nova's own libvirt driver (Debian's python3-nova, Zed)
against the libvirtd of the test VM: nova.virt.libvirt.driver.LibvirtDriver
as nova-compute builds it, with a nova.conf read by oslo.config. Nothing of
Nova is re-implemented here; this only calls the driver's methods and
prints what they return.

It imports Nova once (slow under TCG) and prints "ready NOVA_VERSION
SECONDS" (the seconds the imports took), or "err WHY" and exits 1 when
this python3-nova lacks what the test calls. Then it reads commands on
standard input, one a line, and answers each with one line on standard
output, "ok ..." or "err CLASS: MESSAGE":

  driver NOVA_CONF       parse NOVA_CONF (nova-compute's --config-file)
                         and build a LibvirtDriver with it: "ok HOST TYPE..."
                         (the driver's supported mdev types)
  capable                the mdev-capable devices Nova finds through
                         libvirt, for its enabled types:
                         "ok DEVICE/TYPE=AVAILABLE_INSTANCES..."
  mdevs                  the mediated devices of those types Nova sees:
                         "ok UUID/PARENT/TYPE..."
  inventory              LibvirtDriver.update_provider_tree() on a new
                         provider tree rooted at the compute node: its
                         inventories, "ok PROVIDER/CLASS=TOTAL/MAX_UNIT...",
                         PROVIDER being "root" or a child provider's name
                         less the root's name and "_" (pci_0000_00_11_0)
  allocate DEVICE CLASS N
                         LibvirtDriver._allocate_mdevs() for an allocation
                         of N of resource class CLASS on DEVICE's child
                         provider (after "inventory"), as spawn() does for
                         a flavor's resources:CLASS=N: "ok UUID..."
  quit                   exit

Nova's log (the driver's own lines, such as "Created mdev: ...") goes to
LOG_FILE. The privileged helper that writes an mdev's "create" file
(nova.privsep.libvirt.create_mdev) runs in a privsep daemon, as in
nova-compute; nova-compute starts it through sudo/rootwrap, this program
runs as root and forks it (oslo.privsep's fork method).
"""

import logging
import os
import sys
import time
import uuid

# The release this test was written against and run with: Debian 12's
# python3-nova 2:26.2.2-1~deb12u5 (Zed). Another major release may move
# the vGPU code (later ones create mdevs through mdevctl), so it is refused
# rather than half-tested.
NOVA_MAJOR = "26"
TESTED = "python3-nova 2:26.2.2-1~deb12u5 (Zed)"

# What this program calls in Nova.
DRIVER_API = (
    "update_provider_tree",
    "get_available_nodes",
    "_get_supported_vgpu_types",
    "_get_mdev_capable_devices",
    "_get_mediated_devices",
    "_get_gpu_inventories",
    "_allocate_mdevs",
    "_create_new_mediated_device",
)


def load_nova():
    """Imports what the test uses; returns None, or why it cannot run."""
    try:
        # nova-compute's first import (nova/cmd/__init__.py): eventlet's
        # monkey patching, before anything else of Nova.
        import nova.monkey_patch  # noqa: F401
        from nova import version
        from nova.virt.libvirt import driver  # noqa: F401
        import nova.privsep.libvirt  # noqa: F401
    except ImportError as e:
        return "cannot import Nova's libvirt driver: %s" % e
    found = version.version_string()
    if found.split(".")[0] != NOVA_MAJOR:
        return "python3-nova %s is not Zed (%s.x); tested with %s" % (
            found, NOVA_MAJOR, TESTED)
    missing = [m for m in DRIVER_API
               if not hasattr(driver.LibvirtDriver, m)]
    if not hasattr(nova.privsep.libvirt, "create_mdev"):
        missing.append("nova.privsep.libvirt.create_mdev")
    if missing:
        return "python3-nova %s lacks %s; tested with %s" % (
            found, ", ".join(missing), TESTED)
    return None


class Compute:
    """One LibvirtDriver and the provider tree it last reported."""

    def __init__(self):
        from nova import conf
        from nova import objects
        self.conf = conf.CONF
        objects.register_all()
        self.driver = None
        self.root = None

    def cmd_driver(self, path):
        from nova.virt import fake
        from nova.virt.libvirt import driver
        from oslo_privsep import priv_context
        import nova.privsep

        # As nova-compute's main(): its command line names nova.conf.
        self.conf(["--config-file", path], project="nova",
                  default_config_files=[], default_config_dirs=[])
        # Started before the driver opens its libvirt connection.
        if nova.privsep.sys_admin_pctxt.channel is None:
            nova.privsep.sys_admin_pctxt.start(priv_context.Method.FORK)
        self.driver = driver.LibvirtDriver(fake.FakeVirtAPI(), False)
        self.root = None
        node = self.driver.get_available_nodes()[0]
        return [node] + list(self.driver.supported_vgpu_types)

    def cmd_capable(self):
        devs = self.driver._get_mdev_capable_devices(
            types=self.driver.supported_vgpu_types)
        return ["%s/%s=%d" % (d["dev_id"], t, v["availableInstances"])
                for d in devs for t, v in sorted(d["types"].items())]

    def cmd_mdevs(self):
        devs = self.driver._get_mediated_devices(
            types=self.driver.supported_vgpu_types)
        return ["%s/%s/%s" % (d["uuid"], d["parent"], d["type"])
                for d in devs]

    def cmd_inventory(self):
        from nova.compute import provider_tree

        node = self.driver.get_available_nodes()[0]
        tree = provider_tree.ProviderTree()
        tree.new_root(node, str(uuid.uuid4()))
        self.driver.update_provider_tree(tree, node)
        self.root = node
        words = []
        root_uuid = tree.data(node).uuid
        for rp_uuid in tree.get_provider_uuids(node):
            data = tree.data(rp_uuid)
            if data.uuid == root_uuid:
                name = "root"
            elif data.parent_uuid == root_uuid:
                name = data.name
                if name.startswith(node + "_"):
                    name = name[len(node) + 1:]
            else:
                name = "deeper:" + data.name
            for rc, inv in sorted(data.inventory.items()):
                words.append("%s/%s=%d/%d" % (name, rc, inv["total"],
                                              inv["max_unit"]))
        return words

    def cmd_allocate(self, device, rc, count):
        if self.root is None:
            raise RuntimeError("no provider tree yet: run inventory first")
        # The driver's own copy of the tree, as spawn() finds it.
        rp = self.driver.provider_tree.data("%s_%s" % (self.root, device))
        allocations = {rp.uuid: {"resources": {rc: int(count)}}}
        return list(self.driver._allocate_mdevs(allocations) or [])


def main():
    if len(sys.argv) != 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    # Answers go to the original standard output; anything else that
    # prints (a library, the privsep daemon) goes to standard error.
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    logging.basicConfig(filename=sys.argv[1], level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s "
                               "%(message)s")

    def answer(word, items):
        line = " ".join([word] + [str(i) for i in items])
        answers.write(" ".join(line.split()) + "\n")

    start = time.monotonic()
    why = load_nova()
    if why:
        answer("err", [why])
        return 1
    from nova import version
    answer("ready", [version.version_string(),
                     "%.0f" % (time.monotonic() - start)])

    compute = Compute()
    commands = {
        "driver": compute.cmd_driver,
        "capable": compute.cmd_capable,
        "mdevs": compute.cmd_mdevs,
        "inventory": compute.cmd_inventory,
        "allocate": compute.cmd_allocate,
    }
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        logging.info("nova_vgpu: %s", line.strip())
        try:
            fn = commands[words[0]]
            if words[0] != "driver" and compute.driver is None:
                raise RuntimeError("no driver yet: run driver first")
            answer("ok", fn(*words[1:]))
        except Exception as e:  # any error is the answer
            logging.exception("nova_vgpu: %s failed", words[0])
            answer("err", ["%s: %s" % (type(e).__name__, e)])
    import nova.privsep
    nova.privsep.sys_admin_pctxt.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
