// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated GPU: a device on the nvkm_vgpu_sim bus with a sparse
 * framebuffer, registered with the vGPU manager as a physical GPU of its
 * preset's geometry.
 *
 * Its structure lives as long as its device: after nvkm_vgpu_sim_gpu_del()
 * the manager may still hold a device reference for a moment, so module
 * unload waits for every device's release (nvkm_vgpu_sim_gpu_wait_released()).
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/wait_bit.h>
#include <nvkm_vgpu/backend.h>

#include "bus.h"
#include "gpu.h"
#include "vram.h"

/* N of the devices "nvkm_vgpu_sim<N>"; the IDA locks itself. */
static DEFINE_IDA(nvkm_vgpu_sim_gpu_ids);
/* Devices initialized and not yet released, for module unload to wait on. */
static atomic_t nvkm_vgpu_sim_gpu_live = ATOMIC_INIT(0);

static struct nvkm_vgpu_sim_gpu *to_sim_gpu(struct device *dev)
{
	return container_of(dev, struct nvkm_vgpu_sim_gpu, dev);
}

static struct page *nvkm_vgpu_sim_gpu_fb_page(void *priv, u64 offset,
					      bool alloc)
{
	struct nvkm_vgpu_sim_gpu *sim = priv;

	return nvkm_vgpu_sim_vram_page(&sim->vram, offset, alloc);
}

static int nvkm_vgpu_sim_gpu_fb_pfn(void *priv, u64 offset,
				    unsigned long *pfn)
{
	struct nvkm_vgpu_sim_gpu *sim = priv;
	struct page *page;

	page = nvkm_vgpu_sim_vram_page(&sim->vram, offset, true);
	if (IS_ERR(page))
		return PTR_ERR(page);
	/* The framebuffer keeps its own reference until a scrub. */
	*pfn = page_to_pfn(page);
	put_page(page);
	return 0;
}

static int nvkm_vgpu_sim_gpu_fb_reserve(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_sim_gpu *sim = priv;

	return nvkm_vgpu_sim_vram_reserve(&sim->vram, offset, size);
}

static void nvkm_vgpu_sim_gpu_fb_release(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_sim_gpu *sim = priv;

	nvkm_vgpu_sim_vram_release(&sim->vram, offset);
}

static int nvkm_vgpu_sim_gpu_fb_scrub(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_sim_gpu *sim = priv;

	return nvkm_vgpu_sim_vram_scrub(&sim->vram, offset, size);
}

static const struct nvkm_vgpu_backend_ops nvkm_vgpu_sim_gpu_ops = {
	.owner = THIS_MODULE,
	.name = "sim",
	.fb_page = nvkm_vgpu_sim_gpu_fb_page,
	.fb_pfn = nvkm_vgpu_sim_gpu_fb_pfn,
	.fb_scrub = nvkm_vgpu_sim_gpu_fb_scrub,
	.fb_reserve = nvkm_vgpu_sim_gpu_fb_reserve,
	.fb_release = nvkm_vgpu_sim_gpu_fb_release,
};

static ssize_t preset_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_sim_gpu(dev)->preset->name);
}
static DEVICE_ATTR_RO(preset);

static ssize_t vram_used_kib_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct nvkm_vgpu_sim_gpu *sim = to_sim_gpu(dev);

	return sysfs_emit(buf, "%llu\n",
			  nvkm_vgpu_sim_vram_used(&sim->vram) / SZ_1K);
}
static DEVICE_ATTR_RO(vram_used_kib);

static struct attribute *nvkm_vgpu_sim_gpu_attrs[] = {
	&dev_attr_preset.attr,
	&dev_attr_vram_used_kib.attr,
	NULL,
};
ATTRIBUTE_GROUPS(nvkm_vgpu_sim_gpu);

static void nvkm_vgpu_sim_gpu_release(struct device *dev)
{
	kfree(to_sim_gpu(dev));
	if (atomic_dec_and_test(&nvkm_vgpu_sim_gpu_live))
		wake_up_var(&nvkm_vgpu_sim_gpu_live);
}

static const struct device_type nvkm_vgpu_sim_gpu_type = {
	.name = "nvkm_vgpu_sim_gpu",
	.groups = nvkm_vgpu_sim_gpu_groups,
	.release = nvkm_vgpu_sim_gpu_release,
};

/**
 * nvkm_vgpu_sim_gpu_new() - create a simulated GPU and hand it to the manager
 * @preset: the board to imitate
 *
 * Adds device "nvkm_vgpu_sim<N>" (N the lowest free number) to the bus with
 * an empty framebuffer of the preset's size, then registers it with the
 * vGPU manager. The caller lists it on the bus.
 *
 * Return: the GPU, or ERR_PTR() of the errno of whichever step failed
 * (-ENOMEM, or what device_add() or nvkm_vgpu_gpu_register() returned);
 * nothing is left behind then.
 */
struct nvkm_vgpu_sim_gpu *
nvkm_vgpu_sim_gpu_new(const struct nvkm_vgpu_sim_preset *preset)
{
	struct nvkm_vgpu_sim_gpu *sim;
	int ret;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return ERR_PTR(-ENOMEM);
	ret = ida_alloc(&nvkm_vgpu_sim_gpu_ids, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	sim->preset = preset;
	nvkm_vgpu_sim_vram_init(&sim->vram, &sim->dev, preset->geo->fb_size);

	/* From here on the device's release frees @sim. */
	atomic_inc(&nvkm_vgpu_sim_gpu_live);
	device_initialize(&sim->dev);
	sim->dev.id = ret;
	sim->dev.bus = &nvkm_vgpu_sim_bus;
	sim->dev.type = &nvkm_vgpu_sim_gpu_type;
	ret = device_add(&sim->dev);
	if (ret)
		goto err_put_dev;

	sim->gpu = nvkm_vgpu_gpu_register(&sim->dev, &nvkm_vgpu_sim_gpu_ops,
					  preset->geo, sim);
	if (IS_ERR(sim->gpu)) {
		ret = PTR_ERR(sim->gpu);
		goto err_del_dev;
	}

	dev_info(&sim->dev, "nvkm_vgpu_sim: simulated %s GPU, %llu MiB FB\n",
		 preset->name, preset->geo->fb_size / SZ_1M);
	return sim;

err_del_dev:
	device_del(&sim->dev);
err_put_dev:
	nvkm_vgpu_sim_vram_fini(&sim->vram);
	ida_free(&nvkm_vgpu_sim_gpu_ids, sim->dev.id);
	put_device(&sim->dev);
	return ERR_PTR(ret);
err_free:
	kfree(sim);
	return ERR_PTR(ret);
}

/**
 * nvkm_vgpu_sim_gpu_del() - take a simulated GPU from the manager and remove it
 * @sim: GPU from nvkm_vgpu_sim_gpu_new(), already off the bus's list
 *
 * Unregisters the GPU from the manager first, which may block until the
 * users of its vGPUs let go; then removes the device and gives the
 * framebuffer's pages back to the host. @sim is freed when the last
 * reference to its device goes.
 */
void nvkm_vgpu_sim_gpu_del(struct nvkm_vgpu_sim_gpu *sim)
{
	nvkm_vgpu_gpu_unregister(sim->gpu);
	dev_info(&sim->dev, "nvkm_vgpu_sim: removing simulated %s GPU\n",
		 sim->preset->name);
	device_del(&sim->dev);
	nvkm_vgpu_sim_vram_fini(&sim->vram);
	ida_free(&nvkm_vgpu_sim_gpu_ids, sim->dev.id);
	put_device(&sim->dev);
}

/**
 * nvkm_vgpu_sim_gpu_wait_released() - wait until every GPU's memory is freed
 *
 * For module unload, after every GPU was deleted: a reference someone else
 * still held on a device is put by now or soon, and its release runs this
 * module's code.
 */
void nvkm_vgpu_sim_gpu_wait_released(void)
{
	wait_var_event(&nvkm_vgpu_sim_gpu_live,
		       !atomic_read(&nvkm_vgpu_sim_gpu_live));
}
