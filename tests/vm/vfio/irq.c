// SPDX-License-Identifier: GPL-2.0
/*
 * irq: MSI and INTx through VFIO eventfds.
 *
 * The device interrupts while INTR_STATUS & INTR_ENABLE != 0 and signals
 * on the rising edge: MSI when the guest enabled it in config space (and
 * bus mastering), else INTx, which is level triggered and automasked: it
 * fires once, and again on unmask while still asserted, be the unmask a
 * SET_IRQS UNMASK or a signal of the unmask eventfd (UNMASK with
 * DATA_EVENTFD, as KVM's resampler uses it). A trigger eventfd goes with
 * fd -1 or with count 0 and DATA_NONE, as with vfio-pci; the REQ eventfd
 * too, after which a DATA_NONE loopback of REQ is EINVAL. The sysfs counter
 * "interrupts" counts what was delivered. Eventfds are signalled inside the
 * register write, so a short wait is enough to see that one did not fire.
 *
 * Usage: irq
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define FIRE_MS 2000
#define QUIET_MS 100

static bool fires(int efd)
{
	u64 count = 0;

	return efd_wait(efd, FIRE_MS, &count) == 1 && count == 1;
}

static bool quiet(int efd)
{
	return efd_wait(efd, QUIET_MS, NULL) == 0;
}

static void trigger(struct vdev *d)
{
	bar0_write(d, NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_INTR_SOFTWARE);
}

static void clear(struct vdev *d)
{
	bar0_write(d, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_ALL);
}

static int efd_signal(int efd)
{
	u64 one = 1;

	return write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

/* SET_IRQS with DATA_NONE, @action and @count on vector 0 of @index. */
static int irq_none(struct vdev *d, unsigned int index, u32 action, u32 count)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.start = 0,
		.count = count,
	};

	return vdev_set_irqs(d, &set);
}

/* SET_IRQS UNMASK with DATA_EVENTFD: @efd unmasks INTx; -1 stops that. */
static int intx_unmask_eventfd(struct vdev *d, int efd)
{
	union {
		struct vfio_irq_set set;
		u8 bytes[sizeof(struct vfio_irq_set) + sizeof(s32)];
	} arg;
	s32 fd = efd;

	memset(&arg, 0, sizeof(arg));
	arg.set.argsz = sizeof(arg);
	arg.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK;
	arg.set.index = VFIO_PCI_INTX_IRQ_INDEX;
	arg.set.start = 0;
	arg.set.count = 1;
	memcpy(arg.set.data, &fd, sizeof(fd));
	return vdev_set_irqs(d, &arg.set);
}

static void check_irq_info(struct vdev *d)
{
	static const struct {
		unsigned int index;
		const char *name;
		u32 count;
		u32 flags;
	} want[] = {
		{ VFIO_PCI_INTX_IRQ_INDEX, "INTx", 1,
		  VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
		  VFIO_IRQ_INFO_AUTOMASKED },
		{ VFIO_PCI_MSI_IRQ_INDEX, "MSI", 1,
		  VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE },
		{ VFIO_PCI_MSIX_IRQ_INDEX, "MSI-X", 0, 0 },
		{ VFIO_PCI_ERR_IRQ_INDEX, "ERR", 1, VFIO_IRQ_INFO_EVENTFD },
		{ VFIO_PCI_REQ_IRQ_INDEX, "REQ", 1, VFIO_IRQ_INFO_EVENTFD },
	};
	struct vfio_irq_info irq;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ret = vdev_irq_info(d, want[i].index, &irq);
		tap_check(!ret && irq.count == want[i].count &&
			  irq.flags == want[i].flags,
			  "IRQ info %s: count %u, flags %#x (want %u, %#x)",
			  want[i].name, irq.count, irq.flags, want[i].count,
			  want[i].flags);
	}
}

/* Returns how many MSIs were delivered. */
static unsigned int msi(struct vdev *d)
{
	int cap = cfg_find_cap(d, PCI_CAP_ID_MSI);
	unsigned int fired = 0;
	u32 flags;
	int efd, ret;

	efd = efd_new();
	ret = vdev_irq_eventfd(d, VFIO_PCI_MSI_IRQ_INDEX, efd);
	if (!tap_errno(ret, 0, "MSI: SET_IRQS with an eventfd") || cap < 0)
		return 0;
	cfg_write(d, cap + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	cfg_write(d, cap + PCI_MSI_ADDRESS_HI, 4, 0);
	cfg_write(d, cap + PCI_MSI_DATA_64, 2, 0x0041);
	flags = cfg_rd(d, cap + PCI_MSI_FLAGS, 2);
	cfg_write(d, cap + PCI_MSI_FLAGS, 2, flags | PCI_MSI_FLAGS_ENABLE);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_SOFTWARE);
	tap_check(quiet(efd), "MSI: nothing fires before a source is raised");

	trigger(d);
	fired += tap_check(fires(efd), "MSI: INTR_TRIGGER fires the eventfd");
	tap_check(bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) == NVKM_VGPU_INTR_SOFTWARE,
		  "MSI: INTR_STATUS shows the software source");
	trigger(d);
	tap_check(quiet(efd),
		  "MSI: triggering again while still asserted sends no second MSI");
	clear(d);
	trigger(d);
	fired += tap_check(fires(efd),
			   "MSI: after clearing INTR_STATUS a new trigger fires again");

	clear(d);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, 0);
	trigger(d);
	tap_check(quiet(efd) &&
		  bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) == NVKM_VGPU_INTR_SOFTWARE,
		  "MSI: a disabled source is pending but does not fire");
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_SOFTWARE);
	fired += tap_check(fires(efd), "MSI: enabling the pending source fires");

	clear(d);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_DOORBELL);
	bar0_write(d, NVKM_VGPU_REG_DOORBELL(0), 1);
	fired += tap_check(fires(efd),
			   "MSI: ringing doorbell 0 fires with DOORBELL enabled");

	clear(d);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_SOFTWARE);
	cfg_write(d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	trigger(d);
	if (!tap_check(quiet(efd),
		       "MSI: no MSI while bus mastering is disabled (an MSI is a DMA write)"))
		fired++;
	cfg_enable(d, PCI_COMMAND_MASTER);
	clear(d);

	ret = vdev_irq_eventfd(d, VFIO_PCI_MSI_IRQ_INDEX, -1);
	trigger(d);
	tap_check(!ret && quiet(efd), "MSI: eventfd -1 stops signalling");
	clear(d);
	ret = vdev_irq_eventfd(d, VFIO_PCI_MSI_IRQ_INDEX, efd);
	ret = ret ?: irq_none(d, VFIO_PCI_MSI_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_TRIGGER, 0);
	trigger(d);
	tap_check(!ret && quiet(efd),
		  "MSI: SET_IRQS count 0 with DATA_NONE stops signalling");
	clear(d);

	cfg_write(d, cap + PCI_MSI_FLAGS, 2, flags);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, 0);
	close(efd);
	return fired;
}

/*
 * The unmask eventfd, with INTx masked (it just fired) and INTR_STATUS
 * clear. Returns how many INTx were delivered.
 */
static unsigned int intx_unmask_efd(struct vdev *d, int efd)
{
	unsigned int fired = 0;
	int uefd, ret;

	uefd = efd_new();
	ret = intx_unmask_eventfd(d, uefd);
	if (!tap_errno(ret, 0, "INTx: SET_IRQS UNMASK with an eventfd"))
		goto out;
	trigger(d);
	tap_check(quiet(efd), "INTx: still masked, a new edge does not fire");
	fired += tap_check(!efd_signal(uefd) && fires(efd),
			   "INTx: signalling the unmask eventfd fires again while still asserted");

	clear(d);
	tap_check(!efd_signal(uefd) && quiet(efd),
		  "INTx: the unmask eventfd with nothing pending stays quiet");
	trigger(d);
	fired += tap_check(fires(efd),
			   "INTx: unmasked by the eventfd, the next trigger fires");

	clear(d);
	ret = intx_unmask_eventfd(d, -1);
	trigger(d);
	tap_check(!ret && !efd_signal(uefd) && quiet(efd),
		  "INTx: after UNMASK eventfd -1, signalling it no longer unmasks");
	ret = vdev_irq_action(d, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_UNMASK);
	fired += tap_check(!ret && fires(efd),
			   "INTx: SET_IRQS UNMASK still delivers the pending interrupt");
	clear(d);
out:
	close(uefd);
	return fired;
}

/* Returns how many INTx were delivered. */
static unsigned int intx(struct vdev *d)
{
	unsigned int fired = 0;
	int efd, ret;

	efd = efd_new();
	ret = vdev_irq_eventfd(d, VFIO_PCI_INTX_IRQ_INDEX, efd);
	if (!tap_errno(ret, 0, "INTx: SET_IRQS with an eventfd"))
		return 0;
	clear(d);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_SOFTWARE);
	trigger(d);
	fired += tap_check(fires(efd), "INTx: fires with MSI disabled");
	tap_check(cfg_rd(d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
		  "INTx: config status shows the interrupt pending");

	clear(d);
	trigger(d);
	tap_check(quiet(efd),
		  "INTx: automasked: a new edge does not fire before unmask");
	ret = vdev_irq_action(d, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_UNMASK);
	fired += tap_check(!ret && fires(efd),
			   "INTx: unmask fires again while still asserted");

	clear(d);
	tap_check(!(cfg_rd(d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT),
		  "INTx: clearing INTR_STATUS clears the config status bit");
	ret = vdev_irq_action(d, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_UNMASK);
	tap_check(!ret && quiet(efd),
		  "INTx: unmask with nothing pending stays quiet");
	trigger(d);
	fired += tap_check(fires(efd), "INTx: unmasked, the next trigger fires");

	clear(d);
	vdev_irq_action(d, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	ret = vdev_irq_action(d, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_MASK);
	trigger(d);
	tap_check(!ret && quiet(efd), "INTx: SET_IRQS MASK holds it back");
	ret = vdev_irq_action(d, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_UNMASK);
	fired += tap_check(!ret && fires(efd),
			   "INTx: and UNMASK delivers the pending interrupt");

	clear(d);
	vdev_irq_action(d, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK);
	cfg_enable(d, PCI_COMMAND_INTX_DISABLE);
	trigger(d);
	tap_check(quiet(efd),
		  "INTx: nothing fires with the command register's INTx disable set");
	tap_check(cfg_rd(d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
		  "INTx: status still shows the interrupt pending while INTx is disabled (PCI 3.0, 6.2.3)");
	cfg_write(d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	fired += tap_check(fires(efd),
			   "INTx: clearing INTx disable with the interrupt still pending delivers it");
	clear(d);

	fired += intx_unmask_efd(d, efd);

	ret = vdev_irq_eventfd(d, VFIO_PCI_INTX_IRQ_INDEX, -1);
	trigger(d);
	tap_check(!ret && quiet(efd), "INTx: eventfd -1 stops signalling");
	clear(d);
	ret = vdev_irq_eventfd(d, VFIO_PCI_INTX_IRQ_INDEX, efd);
	ret = ret ?: irq_none(d, VFIO_PCI_INTX_IRQ_INDEX,
			      VFIO_IRQ_SET_ACTION_TRIGGER, 0);
	trigger(d);
	tap_check(!ret && quiet(efd),
		  "INTx: SET_IRQS count 0 with DATA_NONE stops signalling");
	clear(d);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, 0);
	close(efd);
	return fired;
}

/*
 * SET_IRQS with DATA_NONE and TRIGGER signals the eventfd from user space;
 * with count 0 it drops the eventfd, after which the loopback signals
 * nothing (and for REQ, as with vfio-pci, is EINVAL).
 */
static void check_loopback(struct vdev *d)
{
	static const unsigned int index[] = {
		VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX,
		VFIO_PCI_REQ_IRQ_INDEX,
	};
	static const char * const name[] = { "INTx", "MSI", "REQ" };
	unsigned int i;
	int efd, ret;

	for (i = 0; i < 3; i++) {
		efd = efd_new();
		ret = vdev_irq_eventfd(d, index[i], efd);
		ret = ret ?: vdev_irq_action(d, index[i],
					     VFIO_IRQ_SET_ACTION_TRIGGER);
		tap_check(!ret && fires(efd),
			  "%s: SET_IRQS DATA_NONE TRIGGER signals the eventfd (loopback)",
			  name[i]);
		ret = irq_none(d, index[i], VFIO_IRQ_SET_ACTION_TRIGGER, 0);
		tap_errno(ret, 0, "%s: SET_IRQS DATA_NONE TRIGGER count 0 drops the eventfd",
			  name[i]);
		ret = vdev_irq_action(d, index[i], VFIO_IRQ_SET_ACTION_TRIGGER);
		tap_check(ret == (index[i] == VFIO_PCI_REQ_IRQ_INDEX ? -EINVAL : 0) &&
			  quiet(efd),
			  "%s: then the loopback signals nothing (%s)", name[i],
			  errno_name(-ret));
		vdev_irq_eventfd(d, index[i], -1);
		close(efd);
	}
}

int main(void)
{
	long long before, after;
	struct vgpu_parent p;
	unsigned int fired;
	char type[48];
	struct vdev d;
	int ret;

	tap_init("irq", 300);
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(type, sizeof(type), "%s-1c", p.board);
	ret = vgpu_new(&d, &p, type);
	if (ret)
		tap_bail("%s: %s", type, errno_name(-ret));

	check_irq_info(&d);
	before = mdev_ull(d.uuid, "interrupts");
	tap_check(before == 0, "sysfs interrupts is 0 for a new vGPU (%lld)",
		  before);
	fired = msi(&d);
	fired += intx(&d);
	after = mdev_ull(d.uuid, "interrupts");
	tap_check(after - before == fired,
		  "sysfs interrupts counts the %u interrupts delivered (%lld -> %lld)",
		  fired, before, after);
	check_loopback(&d);
	tap_errno(vgpu_del(&d), 0, "remove the vGPU");
	return tap_done();
}
