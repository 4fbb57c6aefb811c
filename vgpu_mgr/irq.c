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
 * device when its mdev is being removed.
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

/**
 * nvkm_vgpu_irq_fini_locked() - let go of every eventfd
 * @vgpu: the vGPU, whose lock the caller holds
 */
void nvkm_vgpu_irq_fini_locked(struct nvkm_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	nvkm_vgpu_eventfd_drop(&vgpu->intx_trigger);
	nvkm_vgpu_eventfd_drop(&vgpu->msi_trigger);
	nvkm_vgpu_eventfd_drop(&vgpu->req_trigger);
	vgpu->intx_masked = false;
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
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD;
		return 0;
	case VFIO_PCI_MSIX_IRQ_INDEX:
	case VFIO_PCI_ERR_IRQ_INDEX:
		info->count = 0;
		info->flags = 0;
		return 0;
	}
	return -EINVAL;
}

static int nvkm_vgpu_irq_intx_locked(struct nvkm_vgpu *vgpu,
				     struct vfio_irq_set *hdr, void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	bool on = type == VFIO_IRQ_SET_DATA_NONE || (type == VFIO_IRQ_SET_DATA_BOOL &&
						    *(u8 *)data);

	switch (hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
	case VFIO_IRQ_SET_ACTION_MASK:
		if (on)
			vgpu->intx_masked = true;
		return 0;
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (on && vgpu->intx_masked) {
			vgpu->intx_masked = false;
			/* Still asserted: fires again. */
			nvkm_vgpu_irq_intx_fire_locked(vgpu);
		}
		return 0;
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
			vgpu->intx_masked = false;
			return nvkm_vgpu_eventfd_set(&vgpu->intx_trigger,
						     *(s32 *)data);
		}
		if (!hdr->count) {
			nvkm_vgpu_eventfd_drop(&vgpu->intx_trigger);
			return 0;
		}
		if (on && vgpu->intx_trigger)
			nvkm_vgpu_irq_signal_locked(vgpu, vgpu->intx_trigger);
		return 0;
	}
	return -EINVAL;
}

static int nvkm_vgpu_irq_trigger_locked(struct eventfd_ctx **ctx,
					struct nvkm_vgpu *vgpu,
					struct vfio_irq_set *hdr, void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;

	if ((hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (type == VFIO_IRQ_SET_DATA_EVENTFD)
		return nvkm_vgpu_eventfd_set(ctx, *(s32 *)data);
	if (!hdr->count) {
		nvkm_vgpu_eventfd_drop(ctx);
		return 0;
	}
	if (*ctx && (type == VFIO_IRQ_SET_DATA_NONE || *(u8 *)data))
		nvkm_vgpu_irq_signal_locked(vgpu, *ctx);
	return 0;
}

/**
 * nvkm_vgpu_irq_set() - VFIO_DEVICE_SET_IRQS
 * @vgpu: the vGPU
 * @hdr: the user's header, checked by vfio_set_irqs_validate_and_prepare()
 * @data: the user's payload (bools or eventfds), or NULL for DATA_NONE
 *
 * Return: 0, -EINVAL for an index or action the device does not have, or
 * the errno of fetching the payload or an eventfd.
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

	mutex_lock(&vgpu->lock);
	switch (hdr->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		ret = nvkm_vgpu_irq_intx_locked(vgpu, hdr, payload);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		ret = nvkm_vgpu_irq_trigger_locked(&vgpu->msi_trigger, vgpu, hdr,
						   payload);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		ret = nvkm_vgpu_irq_trigger_locked(&vgpu->req_trigger, vgpu, hdr,
						   payload);
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&vgpu->lock);
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
