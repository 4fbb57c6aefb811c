// SPDX-License-Identifier: GPL-2.0
/*
 * The VFIO face of a vGPU: vfio_device_ops for an emulated-IOMMU PCI device.
 *
 * Regions: config space (4 KiB, emulated), BAR0 (16 MiB, emulated
 * registers), BAR1 (the slice's FB, mmap-able). Every read and write goes
 * through nvkm_vgpu_vdev_access(), which decodes the region, checks the
 * bounds once, before any copy, and refuses anything that does not fit with
 * -EINVAL.
 */
#include <linux/module.h>
#include <linux/pci_regs.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <nvkm_vgpu/compat.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "bar0.h"
#include "channel/channel.h"
#include "config.h"
#include "gpu_types.h"
#include "vgpu.h"

/* Largest chunk a config or register access is split into. */
static u32 nvkm_vgpu_chunk(u64 pos, size_t count)
{
	if (count >= 4 && IS_ALIGNED(pos, 4))
		return 4;
	if (count >= 2 && IS_ALIGNED(pos, 2))
		return 2;
	return 1;
}

/* Bytes of an emulated access handled per pass: user copies go between. */
#define NVKM_VGPU_ACCESS_CHUNK 64

/*
 * Emulates @count bytes of config space or BAR0 at @pos from or into @val,
 * under the vGPU lock. A removed vGPU reads all-ones and drops writes, as
 * a surprise-removed PCI device does.
 */
static int nvkm_vgpu_emulated_access_locked(struct nvkm_vgpu *vgpu,
					    unsigned int index, u8 *val,
					    size_t count, u64 pos, bool write)
{
	bool mem = nvkm_vgpu_config_memory_enabled(&vgpu->config);
	size_t done = 0;
	int ret = 0;

	lockdep_assert_held(&vgpu->lock);
	if (vgpu->removed) {
		if (!write)
			memset(val, 0xff, count);
		return 0;
	}
	while (done < count) {
		u32 n = nvkm_vgpu_chunk(pos + done, count - done);
		bool was = nvkm_vgpu_bar0_irq_asserted(&vgpu->bar0);
		u32 at = pos + done;
		u8 *v = val + done;

		if (index == VFIO_PCI_CONFIG_REGION_INDEX)
			ret = write ? nvkm_vgpu_config_write(&vgpu->config, at, v, n) :
				      nvkm_vgpu_config_read(&vgpu->config, at, v, n);
		else
			ret = write ? nvkm_vgpu_bar0_write(&vgpu->bar0, at, v, n) :
				      nvkm_vgpu_bar0_read(&vgpu->bar0, at, v, n);
		if (ret < 0)
			break;
		if (write)
			nvkm_vgpu_irq_update_locked(vgpu, was);
		done += n;
	}
	/* Memory decoding off or D3hot: BAR1 mappings go, as vfio-pci's do. */
	if (mem && !nvkm_vgpu_config_memory_enabled(&vgpu->config))
		nvkm_vgpu_bar1_zap_locked(vgpu);
	return ret < 0 ? ret : 0;
}

/*
 * A read or write of config space or BAR0, in chunks: the user's bytes are
 * copied with no lock held (a copy may fault on a BAR1 mapping, whose
 * fault handler takes the vGPU lock), and emulated under the lock. Work a
 * write asked for (doorbells, a mailbox command) is done after each chunk,
 * without the lock, so the write returns with the mailbox answered.
 */
static ssize_t nvkm_vgpu_emulated_access(struct nvkm_vgpu *vgpu,
					 unsigned int index, char __user *buf,
					 size_t count, u64 pos, bool write)
{
	u8 val[NVKM_VGPU_ACCESS_CHUNK];
	size_t done = 0;
	bool work;
	int ret;

	while (done < count) {
		size_t n = min_t(size_t, count - done, sizeof(val));

		if (write && copy_from_user(val, buf + done, n))
			return done ? done : -EFAULT;
		mutex_lock(&vgpu->lock);
		ret = nvkm_vgpu_emulated_access_locked(vgpu, index, val, n,
						       pos + done, write);
		work = write && nvkm_vgpu_bar0_has_work(&vgpu->bar0);
		mutex_unlock(&vgpu->lock);
		if (work)
			nvkm_vgpu_chans_work(vgpu);
		if (ret < 0)
			return done ? done : ret;
		if (!write && copy_to_user(buf + done, val, n))
			return done ? done : -EFAULT;
		done += n;
		cond_resched();
	}
	return done;
}

static u64 nvkm_vgpu_region_size(struct nvkm_vgpu *vgpu, unsigned int index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return PCI_CFG_SPACE_EXP_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX:
		return NVKM_VGPU_BAR0_SIZE;
	case VFIO_PCI_BAR1_REGION_INDEX:
		return vgpu->bar1_size;
	}
	return 0;
}

/* Whether the BARs answer: -ENODEV once removed, -EIO with decoding off. */
static int nvkm_vgpu_bars_answer(struct nvkm_vgpu *vgpu)
{
	int ret = 0;

	mutex_lock(&vgpu->lock);
	if (vgpu->removed)
		ret = -ENODEV;
	else if (!nvkm_vgpu_config_memory_enabled(&vgpu->config))
		ret = -EIO;
	mutex_unlock(&vgpu->lock);
	return ret;
}

/* A read of a removed device's BAR: all-ones, as from a PCI master abort. */
static ssize_t nvkm_vgpu_read_ones(char __user *buf, size_t count)
{
	u8 ones[NVKM_VGPU_ACCESS_CHUNK];
	size_t done = 0;

	memset(ones, 0xff, sizeof(ones));
	while (done < count) {
		size_t n = min_t(size_t, count - done, sizeof(ones));

		if (copy_to_user(buf + done, ones, n))
			return done ? done : -EFAULT;
		done += n;
		cond_resched();
	}
	return done;
}

static ssize_t nvkm_vgpu_vdev_access(struct nvkm_vgpu *vgpu, char __user *buf,
				     size_t count, loff_t *ppos, bool write)
{
	unsigned int index = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	u64 pos = *ppos & VFIO_PCI_OFFSET_MASK;
	u64 size = nvkm_vgpu_region_size(vgpu, index);
	ssize_t ret;

	if (!count || pos >= size || count > size - pos) {
		dev_dbg_ratelimited(vgpu->vdev.dev,
				    "%s of %zu bytes at region %u offset %#llx refused\n",
				    write ? "write" : "read", count, index, pos);
		return -EINVAL;
	}
	ret = index == VFIO_PCI_CONFIG_REGION_INDEX ? 0 : nvkm_vgpu_bars_answer(vgpu);
	if (ret == -ENODEV) {
		/* Removed: reads are all-ones, writes go nowhere. */
		ret = write ? count : nvkm_vgpu_read_ones(buf, count);
	} else if (ret) {
		/* As vfio-pci: no BAR access with memory decoding off or in D3hot. */
		dev_dbg_ratelimited(vgpu->vdev.dev, "BAR%u access with memory space disabled\n",
				    index);
		return ret;
	} else if (index == VFIO_PCI_BAR1_REGION_INDEX) {
		ret = nvkm_vgpu_bar1_rw(vgpu, buf, count, pos, write);
	} else {
		ret = nvkm_vgpu_emulated_access(vgpu, index, buf, count, pos,
						write);
	}
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t nvkm_vgpu_vdev_read(struct vfio_device *vdev, char __user *buf,
				   size_t count, loff_t *ppos)
{
	return nvkm_vgpu_vdev_access(to_vgpu(vdev), buf, count, ppos, false);
}

static ssize_t nvkm_vgpu_vdev_write(struct vfio_device *vdev,
				    const char __user *buf, size_t count,
				    loff_t *ppos)
{
	return nvkm_vgpu_vdev_access(to_vgpu(vdev), (char __user *)buf, count,
				     ppos, true);
}

static int nvkm_vgpu_vdev_mmap(struct vfio_device *vdev,
			       struct vm_area_struct *vma)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);

	if (VFIO_PCI_OFFSET_TO_INDEX((u64)vma->vm_pgoff << PAGE_SHIFT) !=
	    VFIO_PCI_BAR1_REGION_INDEX) {
		dev_dbg_ratelimited(vdev->dev, "only BAR1 can be mapped\n");
		return -EINVAL;
	}
	return nvkm_vgpu_bar1_mmap(vgpu, vma);
}

/*
 * Power-on state: no channel, memory decoding off, so BAR1 mappings go.
 * The channels' lock is held throughout, so no mailbox request slips a
 * channel in between.
 */
static void nvkm_vgpu_reset(struct nvkm_vgpu *vgpu)
{
	mutex_lock(&vgpu->chans.lock);
	nvkm_vgpu_chans_destroy_locked(vgpu);
	mutex_lock(&vgpu->lock);
	nvkm_vgpu_bar1_zap_locked(vgpu);
	nvkm_vgpu_config_reset(&vgpu->config);
	nvkm_vgpu_bar0_reset(&vgpu->bar0);
	vgpu->intx_masked = false;
	vgpu->intx_line = false;
	mutex_unlock(&vgpu->lock);
	mutex_unlock(&vgpu->chans.lock);
}

static int nvkm_vgpu_vdev_open(struct vfio_device *vdev)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);

	if (!try_module_get(vgpu->gpu->ops->owner))
		return -ENODEV;
	nvkm_vgpu_reset(vgpu);
	return 0;
}

/*
 * The last user let go (its mappings went with its files): nothing of this
 * tenant may reach the next one, so its channels go (before its interrupts
 * and its IOMMU) and the FB is scrubbed now.
 */
static void nvkm_vgpu_vdev_close(struct vfio_device *vdev)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);

	nvkm_vgpu_chans_destroy_all(vgpu);
	nvkm_vgpu_irq_fini(vgpu);
	nvkm_vgpu_scrub(vgpu);
	module_put(vgpu->gpu->ops->owner);
}

static int nvkm_vgpu_region_info(struct nvkm_vgpu *vgpu,
				 struct vfio_region_info *info)
{
	if (info->index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	info->offset = VFIO_PCI_INDEX_TO_OFFSET(info->index);
	info->size = nvkm_vgpu_region_size(vgpu, info->index);
	info->flags = 0;
	if (info->size)
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
	if (info->index == VFIO_PCI_BAR1_REGION_INDEX)
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	info->cap_offset = 0;
	return 0;
}

static long nvkm_vgpu_vdev_ioctl(struct vfio_device *vdev, unsigned int cmd,
				 unsigned long arg)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);
	void __user *uarg = (void __user *)arg;
	unsigned long minsz;
	int ret;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info info;

		minsz = offsetofend(struct vfio_device_info, num_irqs);
		if (copy_from_user(&info, uarg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		info.num_regions = VFIO_PCI_NUM_REGIONS;
		info.num_irqs = VFIO_PCI_NUM_IRQS;
		return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info info;

		minsz = offsetofend(struct vfio_region_info, offset);
		if (copy_from_user(&info, uarg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		ret = nvkm_vgpu_region_info(vgpu, &info);
		if (ret)
			return ret;
		return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
	}
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info info;

		minsz = offsetofend(struct vfio_irq_info, count);
		if (copy_from_user(&info, uarg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		ret = nvkm_vgpu_irq_info(vgpu, &info);
		if (ret)
			return ret;
		return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
	}
	case VFIO_DEVICE_SET_IRQS: {
		struct vfio_irq_set hdr;

		minsz = offsetofend(struct vfio_irq_set, count);
		if (copy_from_user(&hdr, uarg, minsz))
			return -EFAULT;
		return nvkm_vgpu_irq_set(vgpu, &hdr, uarg + minsz);
	}
	case VFIO_DEVICE_RESET:
		nvkm_vgpu_reset(vgpu);
		return 0;
	}
	return -ENOTTY;
}

static void nvkm_vgpu_vdev_request(struct vfio_device *vdev, unsigned int count)
{
	nvkm_vgpu_irq_request(to_vgpu(vdev), count);
}

const struct vfio_device_ops nvkm_vgpu_vdev_ops = {
	.name = "nvkm-vgpu",
	.init = nvkm_vgpu_init,
	.release = nvkm_vgpu_release,
	NVKM_VGPU_VFIO_IOMMUFD_OPS
	.open_device = nvkm_vgpu_vdev_open,
	.close_device = nvkm_vgpu_vdev_close,
	.read = nvkm_vgpu_vdev_read,
	.write = nvkm_vgpu_vdev_write,
	.mmap = nvkm_vgpu_vdev_mmap,
	.ioctl = nvkm_vgpu_vdev_ioctl,
	.request = nvkm_vgpu_vdev_request,
};
