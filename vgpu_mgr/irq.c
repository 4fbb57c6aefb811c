// SPDX-License-Identifier: GPL-2.0
/*
 * A vGPU's interrupts, delivered through the eventfds the VFIO user hands
 * over with VFIO_DEVICE_SET_IRQS.
 *
 * The device asserts its interrupt while BAR0's INTR_STATUS & INTR_ENABLE is
 * non-zero. With MSI (and bus mastering) enabled in config space, each
 * rising edge signals the MSI eventfd. Otherwise the INTx line follows the
 * interrupt unless INTx Disable is set; INTx is level triggered and
 * automasked, so it fires once per rising edge and again on unmask while
 * the line is still high. The request IRQ asks the user to release the
 * device when its mdev is being removed. The error IRQ, which vfio-pci
 * offers for every PCIe function (QEMU registers it for error recovery),
 * takes an eventfd and never fires: the emulated device reports no AER.
 */
#include <linux/eventfd.h>
#include <linux/lockdep.h>
#include <linux/vfio.h>
#include <nvkm_vgpu/compat.h>

#include "bar0.h"
#include "config.h"
#include "vgpu.h"

static void nvkm_vgpu_irq_signal_locked(struct nvkm_vgpu *vgpu,
					struct eventfd_ctx *ctx)
{
	lockdep_assert_held(&vgpu->lock);
	nvkm_vgpu_eventfd_signal(ctx);
	vgpu->irqs_fired++;
}

/* INTx is level triggered and automasked: one signal per unmask. */
static void nvkm_vgpu_irq_intx_fire_locked(struct nvkm_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	if (!vgpu->intx_line || !vgpu->intx_trigger || vgpu->intx_masked)
		return;
	vgpu->intx_masked = true;
	nvkm_vgpu_irq_signal_locked(vgpu, vgpu->intx_trigger);
}

static void nvkm_vgpu_irq_intx_unmask_locked(struct nvkm_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	if (vgpu->intx_masked) {
		vgpu->intx_masked = false;
		/* Still asserted: fires again. */
		nvkm_vgpu_irq_intx_fire_locked(vgpu);
	}
}

/**
 * nvkm_vgpu_irq_update_locked() - deliver what a guest write changed
 * @vgpu: the vGPU, whose lock the caller holds
 * @was_asserted: whether the device's interrupt was asserted before the
 *	write (to BAR0 or config space)
 *
 * The interrupt status bit in config space follows the device's interrupt
 * while MSI is off, INTx Disable or not (PCI 3.0, 6.2.3). MSI fires on the
 * interrupt's rising edge; INTx on its line's, which also rises when the
 * guest clears INTx Disable while the interrupt is pending.
 */
void nvkm_vgpu_irq_update_locked(struct nvkm_vgpu *vgpu, bool was_asserted)
{
	bool asserted = nvkm_vgpu_bar0_irq_asserted(&vgpu->bar0);
	bool msi = nvkm_vgpu_config_msi_enabled(&vgpu->config);
	bool line = asserted && !msi &&
		    !nvkm_vgpu_config_intx_disabled(&vgpu->config);
	bool rising = line && !vgpu->intx_line;

	lockdep_assert_held(&vgpu->lock);
	nvkm_vgpu_config_set_intx_status(&vgpu->config, asserted && !msi);
	vgpu->intx_line = line;

	if (msi) {
		/* An MSI is a memory write: no bus mastering, no MSI. */
		if (asserted && !was_asserted && vgpu->msi_trigger &&
		    nvkm_vgpu_config_bus_master_enabled(&vgpu->config))
			nvkm_vgpu_irq_signal_locked(vgpu, vgpu->msi_trigger);
		return;
	}
	if (rising)
		nvkm_vgpu_irq_intx_fire_locked(vgpu);
}

static void nvkm_vgpu_eventfd_drop(struct eventfd_ctx **ctx)
{
	if (*ctx)
		eventfd_ctx_put(*ctx);
	*ctx = NULL;
}

/* Replaces *@ctx by the eventfd @fd, or drops it for fd -1. */
static int nvkm_vgpu_eventfd_set(struct eventfd_ctx **ctx, s32 fd)
{
	struct eventfd_ctx *new;

	if (fd < 0) {
		if (fd != -1)
			return -EINVAL;
		nvkm_vgpu_eventfd_drop(ctx);
		return 0;
	}
	new = eventfd_ctx_fdget(fd);
	if (IS_ERR(new))
		return PTR_ERR(new);
	nvkm_vgpu_eventfd_drop(ctx);
	*ctx = new;
	return 0;
}

/* The unmask eventfd fired: unmask INTx as VFIO_IRQ_SET_ACTION_UNMASK does. */
static void nvkm_vgpu_irq_unmask_thread(void *opaque, void *data)
{
	struct nvkm_vgpu *vgpu = opaque;

	mutex_lock(&vgpu->lock);
	nvkm_vgpu_irq_intx_unmask_locked(vgpu);
	mutex_unlock(&vgpu->lock);
}

/*
 * UNMASK | DATA_EVENTFD: a write to the eventfd unmasks INTx (KVM's
 * resampler uses it). fd < 0 stops that. The work a signal queues takes
 * the vGPU lock, and disabling waits for that work: never under the lock.
 */
static int nvkm_vgpu_irq_unmask_eventfd(struct nvkm_vgpu *vgpu, s32 fd)
{
	lockdep_assert_not_held(&vgpu->lock);
	if (fd >= 0)
		return vfio_virqfd_enable(vgpu, NULL, nvkm_vgpu_irq_unmask_thread,
					  NULL, &vgpu->intx_unmask, fd);
	vfio_virqfd_disable(&vgpu->intx_unmask);
	return 0;
}

/**
 * nvkm_vgpu_irq_fini() - let go of every eventfd
 * @vgpu: the vGPU, whose lock the caller must not hold
 */
void nvkm_vgpu_irq_fini(struct nvkm_vgpu *vgpu)
{
	vfio_virqfd_disable(&vgpu->intx_unmask);
	mutex_lock(&vgpu->lock);
	nvkm_vgpu_eventfd_drop(&vgpu->intx_trigger);
	nvkm_vgpu_eventfd_drop(&vgpu->msi_trigger);
	nvkm_vgpu_eventfd_drop(&vgpu->req_trigger);
	nvkm_vgpu_eventfd_drop(&vgpu->err_trigger);
	vgpu->intx_masked = false;
	mutex_unlock(&vgpu->lock);
}

/**
 * nvkm_vgpu_irq_info() - VFIO_DEVICE_GET_IRQ_INFO
 * @vgpu: the vGPU
 * @info: in: the index; out: count and flags
 *
 * Return: 0, or -EINVAL for an index past VFIO_PCI_NUM_IRQS.
 */
int nvkm_vgpu_irq_info(struct nvkm_vgpu *vgpu, struct vfio_irq_info *info)
{
	switch (info->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED;
		return 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
		return 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
	case VFIO_PCI_ERR_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD;
		return 0;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		info->count = 0;
		info->flags = 0;
		return 0;
	}
	return -EINVAL;
}

/*
 * The rules below are vfio-pci's (drivers/vfio/pci/vfio_pci_intrs.c), so a
 * user written for a physical function behaves the same here: MASK and
 * UNMASK take exactly vector 0; a count of 0 means something only with
 * DATA_NONE (drop the trigger), and a payload is read only when count is 1,
 * so an empty payload is never dereferenced.
 */
static bool nvkm_vgpu_irq_data(u32 type, const void *data)
{
	return type == VFIO_IRQ_SET_DATA_NONE || *(const u8 *)data;
}

static int nvkm_vgpu_irq_intx_mask_locked(struct nvkm_vgpu *vgpu,
					  struct vfio_irq_set *hdr, void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;

	lockdep_assert_held(&vgpu->lock);
	if (hdr->start || hdr->count != 1)
		return -EINVAL;
	if (type == VFIO_IRQ_SET_DATA_EVENTFD)
		return -ENOTTY;	/* as vfio-pci: no mask by eventfd */
	if (nvkm_vgpu_irq_data(type, data))
		vgpu->intx_masked = true;
	return 0;
}

static int nvkm_vgpu_irq_intx_unmask(struct nvkm_vgpu *vgpu,
				     struct vfio_irq_set *hdr, void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;

	if (hdr->start || hdr->count != 1)
		return -EINVAL;
	if (type == VFIO_IRQ_SET_DATA_EVENTFD)
		return nvkm_vgpu_irq_unmask_eventfd(vgpu, *(s32 *)data);
	mutex_lock(&vgpu->lock);
	if (nvkm_vgpu_irq_data(type, data))
		nvkm_vgpu_irq_intx_unmask_locked(vgpu);
	mutex_unlock(&vgpu->lock);
	return 0;
}

static int nvkm_vgpu_irq_intx_trigger_locked(struct nvkm_vgpu *vgpu,
					     struct vfio_irq_set *hdr,
					     void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	s32 fd;

	lockdep_assert_held(&vgpu->lock);
	if (!hdr->count && type == VFIO_IRQ_SET_DATA_NONE) {
		nvkm_vgpu_eventfd_drop(&vgpu->intx_trigger);
		return 0;
	}
	if (hdr->start || hdr->count != 1)
		return -EINVAL;
	if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
		fd = *(s32 *)data;
		vgpu->intx_masked = false;
		/* As vfio-pci: any negative fd drops the trigger. */
		return nvkm_vgpu_eventfd_set(&vgpu->intx_trigger,
					     fd < 0 ? -1 : fd);
	}
	if (vgpu->intx_trigger && nvkm_vgpu_irq_data(type, data))
		nvkm_vgpu_irq_signal_locked(vgpu, vgpu->intx_trigger);
	return 0;
}

static int nvkm_vgpu_irq_msi_trigger_locked(struct nvkm_vgpu *vgpu,
					    struct vfio_irq_set *hdr,
					    void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	s32 fd;

	lockdep_assert_held(&vgpu->lock);
	if (!hdr->count) {
		if (type != VFIO_IRQ_SET_DATA_NONE)
			return -EINVAL;
		nvkm_vgpu_eventfd_drop(&vgpu->msi_trigger);
		return 0;
	}
	if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
		fd = *(s32 *)data;
		return nvkm_vgpu_eventfd_set(&vgpu->msi_trigger,
					     fd < 0 ? -1 : fd);
	}
	if (vgpu->msi_trigger && nvkm_vgpu_irq_data(type, data))
		nvkm_vgpu_irq_signal_locked(vgpu, vgpu->msi_trigger);
	return 0;
}

/* vfio-pci's single-eventfd trigger (request and error IRQs), rule for rule. */
static int nvkm_vgpu_irq_single_trigger_locked(struct nvkm_vgpu *vgpu,
					       struct eventfd_ctx **ctx,
					       struct vfio_irq_set *hdr,
					       void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;

	lockdep_assert_held(&vgpu->lock);
	switch (type) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (!*ctx)
			return -EINVAL;
		if (hdr->count)
			nvkm_vgpu_eventfd_signal(*ctx);
		else
			nvkm_vgpu_eventfd_drop(ctx);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!hdr->count)
			return -EINVAL;
		if (*ctx && *(u8 *)data)
			nvkm_vgpu_eventfd_signal(*ctx);
		return 0;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		if (!hdr->count)
			return -EINVAL;
		return nvkm_vgpu_eventfd_set(ctx, *(s32 *)data);
	}
	return -EINVAL;
}

static int nvkm_vgpu_irq_set_locked(struct nvkm_vgpu *vgpu,
				    struct vfio_irq_set *hdr, void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	lockdep_assert_held(&vgpu->lock);
	/* Exactly one action, or no handler: ENOTTY, as vfio-pci answers. */
	switch (hdr->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_MASK)
			return nvkm_vgpu_irq_intx_mask_locked(vgpu, hdr, data);
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
			return -ENOTTY;
		return nvkm_vgpu_irq_intx_trigger_locked(vgpu, hdr, data);
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
			return -ENOTTY;
		return nvkm_vgpu_irq_msi_trigger_locked(vgpu, hdr, data);
	case VFIO_PCI_REQ_IRQ_INDEX:
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
			return -ENOTTY;
		return nvkm_vgpu_irq_single_trigger_locked(vgpu, &vgpu->req_trigger,
							   hdr, data);
	case VFIO_PCI_ERR_IRQ_INDEX:
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
			return -ENOTTY;
		return nvkm_vgpu_irq_single_trigger_locked(vgpu, &vgpu->err_trigger,
							   hdr, data);
	}
	/* MSI-X has no vectors: validation refused it already. */
	return -EINVAL;
}

/**
 * nvkm_vgpu_irq_set() - VFIO_DEVICE_SET_IRQS
 * @vgpu: the vGPU
 * @hdr: the user's header, checked by vfio_set_irqs_validate_and_prepare()
 * @data: the user's payload (bools or eventfds), or NULL for DATA_NONE
 *
 * Return: 0; -EINVAL for a malformed request (vfio-pci's rules: bad
 * index, start or count, a count-0 payload); -ENOTTY for an action the
 * index does not have, or more than one; or the errno of fetching the
 * payload or an eventfd.
 */
int nvkm_vgpu_irq_set(struct nvkm_vgpu *vgpu, struct vfio_irq_set *hdr,
		      void __user *data)
{
	struct vfio_irq_info info = { .index = hdr->index };
	size_t data_size = 0;
	void *payload = NULL;
	int ret;

	ret = nvkm_vgpu_irq_info(vgpu, &info);
	if (ret)
		return ret;
	ret = vfio_set_irqs_validate_and_prepare(hdr, info.count,
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		payload = memdup_user(data, data_size);
		if (IS_ERR(payload))
			return PTR_ERR(payload);
	}

	if (hdr->index == VFIO_PCI_INTX_IRQ_INDEX &&
	    (hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
	    VFIO_IRQ_SET_ACTION_UNMASK) {
		/* May wait for the unmask eventfd's work: no vGPU lock. */
		ret = nvkm_vgpu_irq_intx_unmask(vgpu, hdr, payload);
	} else {
		mutex_lock(&vgpu->lock);
		ret = nvkm_vgpu_irq_set_locked(vgpu, hdr, payload);
		mutex_unlock(&vgpu->lock);
	}
	kfree(payload);
	return ret;
}

/**
 * nvkm_vgpu_irq_request() - vfio_device_ops.request: ask the user to let go
 * @vgpu: the vGPU being removed
 * @count: how many times the VFIO core has asked already
 */
void nvkm_vgpu_irq_request(struct nvkm_vgpu *vgpu, unsigned int count)
{
	mutex_lock(&vgpu->lock);
	if (vgpu->req_trigger) {
		if (!(count % 10))
			dev_notice_ratelimited(vgpu->vdev.dev,
					       "asking the user to release the vGPU (%u)\n",
					       count);
		nvkm_vgpu_eventfd_signal(vgpu->req_trigger);
	} else if (!count) {
		dev_notice(vgpu->vdev.dev,
			   "no request eventfd: waiting for the user to release the vGPU\n");
	}
	mutex_unlock(&vgpu->lock);
}
