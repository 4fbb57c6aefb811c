// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a vGPU: the mdev driver's probe and remove, and the VFIO
 * device's init and release in between.
 *
 * probe    vfio_alloc_device() -> init: GPU reference, slice reserved with
 *          the backend, scrub, BAR0 and config space at power-on; then
 *          register the VFIO device.
 * remove   unregister the VFIO device (the core asks an open user to let go
 *          and waits), then scrub the slice and give it back to the backend
 *          and the allocator, and drop the probe's reference. Giving the
 *          slice back here, not at release, is what lets
 *          nvkm_vgpu_gpu_unregister() promise that no backend op runs
 *          after it returns: release may come later (a sysfs file held
 *          open, a delayed kobject release), when the backend is gone.
 * release  (last reference) free what init allocated.
 *
 * The FB is scrubbed when the vGPU is created, when its last user closes it
 * (so a persistent mdev handed from one VM to the next never shows the
 * next one a byte of the last) and when it is removed.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/mdev.h>
#include <linux/pci_ids.h>
#include <linux/vfio.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "alloc.h"
#include "bar0.h"
#include "channel/channel.h"
#include "config.h"
#include "parent.h"
#include "registry.h"
#include "sched/sched.h"
#include "vgpu.h"

/* Guests tell vGPU types apart by subsystem ID, as NVIDIA's do. */
#define NVKM_VGPU_SUBSYSTEM_BASE 0x1000

#define NVKM_VGPU_CLASS_3D	0x030200
#define NVKM_VGPU_CLASS_VGA	0x030000

static u32 nvkm_vgpu_engine_bits(const struct nvkm_vgpu_type *type)
{
	/* enum nvkm_vgpu_engine and the uAPI's engine bits share one order. */
	BUILD_BUG_ON(NVKM_VGPU_ENGINE_BIT_OFA != 1u << NVKM_VGPU_ENGINE_OFA);
	return type->engines;
}

/**
 * nvkm_vgpu_scrub() - make the vGPU's whole FB slice read as zero
 * @vgpu: a vGPU that holds its slice, with BAR1 not mapped
 *
 * Return: 0, or the backend's errno, which is also logged.
 */
int nvkm_vgpu_scrub(struct nvkm_vgpu *vgpu)
{
	const struct nvkm_vgpu_backend_ops *ops = vgpu->gpu->ops;
	int ret;

	ret = ops->fb_scrub(vgpu->gpu->priv, vgpu->slice->fb_offset,
			    vgpu->slice->fb_size);
	if (ret)
		dev_warn(vgpu->vdev.dev, "scrubbing the framebuffer failed: %d\n",
			 ret);
	return ret;
}

/* Gives the slice back: the last thing a vGPU asks of the backend. */
static void nvkm_vgpu_slice_put(struct nvkm_vgpu *vgpu)
{
	struct nvkm_vgpu_gpu *gpu = vgpu->gpu;
	struct nvkm_vgpu_slice *slice = vgpu->slice;

	mutex_lock(&gpu->vgpus_lock);
	list_del_init(&vgpu->node);
	mutex_unlock(&gpu->vgpus_lock);

	nvkm_vgpu_scrub(vgpu);
	gpu->ops->fb_release(gpu->priv, slice->fb_offset, slice->fb_size);
	nvkm_vgpu_slice_del(&gpu->alloc, slice);
	vgpu->slice = NULL;
}

/**
 * nvkm_vgpu_gpu_surprise_removal() - every vGPU of a GPU going away goes dead
 * @gpu: the GPU being unregistered
 *
 * From here on each vGPU behaves as a surprise-removed PCI device: reads
 * return all-ones, writes are dropped, and its BAR1 mappings are zapped so
 * that a touch gets SIGBUS; its channels are destroyed, so the backend runs
 * nothing of it any more. A vGPU being created now is refused.
 */
void nvkm_vgpu_gpu_surprise_removal(struct nvkm_vgpu_gpu *gpu)
{
	struct nvkm_vgpu *vgpu;

	mutex_lock(&gpu->vgpus_lock);
	gpu->gone = true;
	list_for_each_entry(vgpu, &gpu->vgpus, node) {
		mutex_lock(&vgpu->lock);
		vgpu->removed = true;
		nvkm_vgpu_bar1_zap_locked(vgpu);
		mutex_unlock(&vgpu->lock);
		/* After @removed: no mailbox request makes a new one. */
		nvkm_vgpu_chans_destroy_all(vgpu);
	}
	mutex_unlock(&gpu->vgpus_lock);
}

static void nvkm_vgpu_emulation_init(struct nvkm_vgpu *vgpu,
				     struct nvkm_vgpu_bar0_info *info,
				     struct nvkm_vgpu_config_id *id)
{
	const struct nvkm_vgpu_geometry *geo = &vgpu->gpu->geo;
	const struct nvkm_vgpu_slice *slice = vgpu->slice;

	*id = (struct nvkm_vgpu_config_id) {
		.vendor_id = geo->vendor_id,
		.device_id = geo->device_id,
		.subsystem_vendor_id = PCI_VENDOR_ID_NVIDIA,
		.subsystem_id = NVKM_VGPU_SUBSYSTEM_BASE + vgpu->type->index,
		.class_code = vgpu->type->series == NVKM_VGPU_SERIES_C ?
			      NVKM_VGPU_CLASS_3D : NVKM_VGPU_CLASS_VGA,
		.revision = geo->boot0 & 0xff,
		.bar0_size = NVKM_VGPU_BAR0_SIZE,
		.bar1_size = vgpu->bar1_size,
	};
	*info = (struct nvkm_vgpu_bar0_info) {
		.boot0 = geo->boot0,
		.device = geo->vendor_id | (u32)geo->device_id << 16,
		.type_index = vgpu->type->index,
		.fb_size = slice->fb_size,
		.chid_count = slice->chid_count,
		.engines = nvkm_vgpu_engine_bits(vgpu->type),
	};
}

/**
 * nvkm_vgpu_init() - vfio_device_ops.init: give a new vGPU its resources
 * @vdev: the VFIO device being allocated for an mdev
 *
 * Takes a slice of the mdev type's GPU, reserves its FB with the backend,
 * scrubs it and sets the emulated device to power-on state.
 *
 * Return: 0, or the allocator's errno (-ENOSPC when the GPU is full,
 * -ENODEV when it is going away), -ENOSPC when the backend cannot back the
 * slice, the scrub's errno, or -ENOMEM. Nothing is left behind on error.
 */
int nvkm_vgpu_init(struct vfio_device *vdev)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct nvkm_vgpu_bar0_info info;
	struct nvkm_vgpu_config_id id;
	struct nvkm_vgpu_gpu *gpu;
	struct nvkm_vgpu_slice *slice;
	int ret;

	vgpu->mdev = mdev;
	vgpu->type = nvkm_vgpu_parent_type(mdev->type, &gpu);
	kref_get(&gpu->kref);
	vgpu->gpu = gpu;
	mutex_init(&vgpu->lock);
	INIT_LIST_HEAD(&vgpu->node);
	nvkm_vgpu_chans_init(&vgpu->chans);

	slice = nvkm_vgpu_slice_new(&gpu->alloc, vgpu->type,
				    NVKM_VGPU_PLACEMENT_ANY);
	if (IS_ERR(slice)) {
		ret = PTR_ERR(slice);
		goto err_put_gpu;
	}
	vgpu->slice = slice;
	vgpu->sched = nvkm_vgpu_sched_vgpu_new(gpu->sched, dev_name(vdev->dev),
					       vgpu->type->weight,
					       vgpu->type->timeslice_us);
	if (!vgpu->sched) {
		ret = -ENOMEM;
		goto err_del_slice;
	}
	/* A backend that refuses says why, in one line of its own. */
	ret = gpu->ops->fb_reserve(gpu->priv, slice->fb_offset, slice->fb_size);
	if (ret)
		goto err_del_slice;
	ret = nvkm_vgpu_scrub(vgpu);
	if (ret)
		goto err_release_fb;

	vgpu->bar1_size = roundup_pow_of_two(slice->fb_size);
	nvkm_vgpu_emulation_init(vgpu, &info, &id);
	ret = nvkm_vgpu_bar0_init(&vgpu->bar0, &info);
	if (ret)
		goto err_release_fb;
	nvkm_vgpu_config_init(&vgpu->config, &id);

	mutex_lock(&gpu->vgpus_lock);
	if (gpu->gone) {
		mutex_unlock(&gpu->vgpus_lock);
		dev_warn(vdev->dev, "%s is going away: no new vGPU\n", gpu->name);
		ret = -ENODEV;
		goto err_bar0_fini;
	}
	list_add_tail(&vgpu->node, &gpu->vgpus);
	mutex_unlock(&gpu->vgpus_lock);

	dev_info(vdev->dev, "%s vGPU on %s: placement %u, FB %#llx+%lluMiB, channels %u-%u\n",
		 vgpu->type->name, gpu->name, slice->placement,
		 slice->fb_offset, slice->fb_size >> 20, slice->chid_base,
		 slice->chid_base + slice->chid_count - 1);
	return 0;

err_bar0_fini:
	nvkm_vgpu_bar0_fini(&vgpu->bar0);
err_release_fb:
	gpu->ops->fb_release(gpu->priv, slice->fb_offset, slice->fb_size);
err_del_slice:
	nvkm_vgpu_sched_vgpu_del(vgpu->sched);
	vgpu->sched = NULL;
	nvkm_vgpu_slice_del(&gpu->alloc, slice);
	vgpu->slice = NULL;
err_put_gpu:
	nvkm_vgpu_chans_fini(&vgpu->chans);
	mutex_destroy(&vgpu->lock);
	nvkm_vgpu_gpu_put(gpu);
	return ret;
}

/**
 * nvkm_vgpu_release() - vfio_device_ops.release: the last reference is gone
 * @vdev: the VFIO device
 *
 * Frees what init allocated. The slice went back at remove, or when the
 * probe failed after init.
 */
void nvkm_vgpu_release(struct vfio_device *vdev)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);

	if (vgpu->slice)
		nvkm_vgpu_slice_put(vgpu);
	nvkm_vgpu_bar0_fini(&vgpu->bar0);
	nvkm_vgpu_chans_fini(&vgpu->chans);
	nvkm_vgpu_sched_vgpu_del(vgpu->sched);
	mutex_destroy(&vgpu->lock);
	nvkm_vgpu_gpu_put(vgpu->gpu);
}

static int nvkm_vgpu_mdev_probe(struct mdev_device *mdev)
{
	struct nvkm_vgpu *vgpu;
	int ret;

	vgpu = vfio_alloc_device(nvkm_vgpu, vdev, &mdev->dev,
				 &nvkm_vgpu_vdev_ops);
	if (IS_ERR(vgpu))
		return PTR_ERR(vgpu);

	dev_set_drvdata(&mdev->dev, vgpu);
	ret = vfio_register_emulated_iommu_dev(&vgpu->vdev);
	if (ret)
		goto err_put_vdev;
	return 0;

err_put_vdev:
	/* Not when the release comes, which may be seconds later: now. */
	nvkm_vgpu_slice_put(vgpu);
	vfio_put_device(&vgpu->vdev);
	return ret;
}

static void nvkm_vgpu_mdev_remove(struct mdev_device *mdev)
{
	struct nvkm_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	/* Waits for every user to let go: BAR1 is mapped nowhere after. */
	vfio_unregister_group_dev(&vgpu->vdev);
	nvkm_vgpu_slice_put(vgpu);
	vfio_put_device(&vgpu->vdev);
}

static unsigned int nvkm_vgpu_mdev_get_available(struct mdev_type *mtype)
{
	struct nvkm_vgpu_gpu *gpu;
	const struct nvkm_vgpu_type *type = nvkm_vgpu_parent_type(mtype, &gpu);

	return nvkm_vgpu_alloc_available(&gpu->alloc, type);
}

static ssize_t nvkm_vgpu_mdev_show_description(struct mdev_type *mtype,
					       char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  nvkm_vgpu_parent_type(mtype, NULL)->description);
}

struct mdev_driver nvkm_vgpu_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = "nvkm_vgpu",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = nvkm_vgpu_sysfs_groups,
	},
	.probe = nvkm_vgpu_mdev_probe,
	.remove = nvkm_vgpu_mdev_remove,
	.get_available = nvkm_vgpu_mdev_get_available,
	.show_description = nvkm_vgpu_mdev_show_description,
};
