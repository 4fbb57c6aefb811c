// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a vGPU: the mdev driver's probe and remove, and the VFIO
 * device's init and release in between.
 *
 * probe    vfio_alloc_device() -> init: GPU reference, slice, scrub, BAR0 and
 *          config space at power-on; then register the VFIO device.
 * remove   unregister the VFIO device (the core asks an open user to let go
 *          and waits), then drop the probe's reference.
 * release  (last reference) scrub the FB again, give the slice back, drop
 *          the GPU: the reverse of init.
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
#include "config.h"
#include "parent.h"
#include "registry.h"
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

static int nvkm_vgpu_scrub(struct nvkm_vgpu *vgpu)
{
	const struct nvkm_vgpu_backend_ops *ops = vgpu->gpu->ops;

	return ops->fb_scrub(vgpu->gpu->priv, vgpu->slice->fb_offset,
			     vgpu->slice->fb_size);
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
		.placement = slice->placement,
		.fb_size = slice->fb_size,
		.chid_base = slice->chid_base,
		.chid_count = slice->chid_count,
		.engines = nvkm_vgpu_engine_bits(vgpu->type),
	};
}

/**
 * nvkm_vgpu_init() - vfio_device_ops.init: give a new vGPU its resources
 * @vdev: the VFIO device being allocated for an mdev
 *
 * Takes a slice of the mdev type's GPU, scrubs its FB and sets the emulated
 * device to power-on state.
 *
 * Return: 0, or the allocator's errno (-ENOSPC when the GPU is full,
 * -ENODEV when it is going away), the scrub's, or -ENOMEM.
 */
int nvkm_vgpu_init(struct vfio_device *vdev)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct nvkm_vgpu_bar0_info info;
	struct nvkm_vgpu_config_id id;
	struct nvkm_vgpu_gpu *gpu;
	int ret;

	vgpu->mdev = mdev;
	vgpu->type = nvkm_vgpu_parent_type(mdev->type, &gpu);
	kref_get(&gpu->kref);
	vgpu->gpu = gpu;
	mutex_init(&vgpu->lock);

	vgpu->slice = nvkm_vgpu_slice_new(&gpu->alloc, vgpu->type,
					  NVKM_VGPU_PLACEMENT_ANY);
	if (IS_ERR(vgpu->slice)) {
		ret = PTR_ERR(vgpu->slice);
		goto err_put_gpu;
	}
	ret = nvkm_vgpu_scrub(vgpu);
	if (ret) {
		dev_warn(vdev->dev, "scrubbing the framebuffer failed: %d\n", ret);
		goto err_del_slice;
	}

	vgpu->bar1_size = roundup_pow_of_two(vgpu->slice->fb_size);
	nvkm_vgpu_emulation_init(vgpu, &info, &id);
	ret = nvkm_vgpu_bar0_init(&vgpu->bar0, &info);
	if (ret)
		goto err_del_slice;
	nvkm_vgpu_config_init(&vgpu->config, &id);

	dev_info(vdev->dev, "%s vGPU on %s: placement %u, FB %#llx+%lluMiB, channels %u-%u\n",
		 vgpu->type->name, gpu->name, vgpu->slice->placement,
		 vgpu->slice->fb_offset, vgpu->slice->fb_size >> 20,
		 vgpu->slice->chid_base,
		 vgpu->slice->chid_base + vgpu->slice->chid_count - 1);
	return 0;

err_del_slice:
	nvkm_vgpu_slice_del(&gpu->alloc, vgpu->slice);
err_put_gpu:
	mutex_destroy(&vgpu->lock);
	nvkm_vgpu_gpu_put(gpu);
	return ret;
}

/**
 * nvkm_vgpu_release() - vfio_device_ops.release: the last reference is gone
 * @vdev: the VFIO device
 *
 * Scrubs the slice's FB, so no byte outlives its tenant, and gives the slice
 * and the GPU reference back.
 */
void nvkm_vgpu_release(struct vfio_device *vdev)
{
	struct nvkm_vgpu *vgpu = to_vgpu(vdev);
	int ret;

	nvkm_vgpu_bar0_fini(&vgpu->bar0);
	ret = nvkm_vgpu_scrub(vgpu);
	if (ret)
		dev_warn(vdev->dev, "scrubbing the framebuffer failed: %d\n", ret);
	nvkm_vgpu_slice_del(&vgpu->gpu->alloc, vgpu->slice);
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
	vfio_put_device(&vgpu->vdev);
	return ret;
}

static void nvkm_vgpu_mdev_remove(struct mdev_device *mdev)
{
	struct nvkm_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&vgpu->vdev);
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
