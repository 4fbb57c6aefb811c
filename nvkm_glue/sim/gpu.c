// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated GPU: a sparse framebuffer of a preset board's size,
 * registered with the vGPU manager as a physical GPU of the preset's
 * geometry, on a device someone else provides: a device of its own on the
 * nvkm_vgpu_sim bus (bus.c) or a PCI function handed to the nvkm_vgpu_sim
 * PCI driver (pci.c). That device is the GPU's mdev parent. Its engines
 * (engine/) run the channels the manager makes on its vGPUs' slices.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>
#include <nvkm_vgpu/backend.h>

#include "engine/chan.h"
#include "engine/engine.h"
#include "gpu.h"
#include "vram.h"

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

static u64 nvkm_vgpu_sim_gpu_fb_used(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_sim_gpu *sim = priv;

	return nvkm_vgpu_sim_vram_range_used(&sim->vram, offset);
}

static void *nvkm_vgpu_sim_gpu_chan_create(void *priv,
					   const struct nvkm_vgpu_chan_desc *desc)
{
	struct nvkm_vgpu_sim_gpu *sim = priv;

	return nvkm_vgpu_sim_chan_new(&sim->engines, desc);
}

static void nvkm_vgpu_sim_gpu_chan_destroy(void *priv, void *chan)
{
	nvkm_vgpu_sim_chan_del(chan);
}

static void nvkm_vgpu_sim_gpu_chan_kick(void *priv, void *chan)
{
	nvkm_vgpu_sim_chan_kick(chan);
}

static void nvkm_vgpu_sim_gpu_chan_preempt(void *priv, void *chan)
{
	nvkm_vgpu_sim_chan_preempt(chan);
}

static void nvkm_vgpu_sim_gpu_chan_reset(void *priv, void *chan)
{
	nvkm_vgpu_sim_chan_reset(chan);
}

static const struct nvkm_vgpu_backend_ops nvkm_vgpu_sim_gpu_ops = {
	.version = NVKM_VGPU_BACKEND_VERSION,
	.owner = THIS_MODULE,
	.name = "sim",
	.fb_page = nvkm_vgpu_sim_gpu_fb_page,
	.fb_pfn = nvkm_vgpu_sim_gpu_fb_pfn,
	.fb_scrub = nvkm_vgpu_sim_gpu_fb_scrub,
	.fb_reserve = nvkm_vgpu_sim_gpu_fb_reserve,
	.fb_release = nvkm_vgpu_sim_gpu_fb_release,
	.fb_used = nvkm_vgpu_sim_gpu_fb_used,
	.chan_create = nvkm_vgpu_sim_gpu_chan_create,
	.chan_destroy = nvkm_vgpu_sim_gpu_chan_destroy,
	.chan_kick = nvkm_vgpu_sim_gpu_chan_kick,
	.chan_preempt = nvkm_vgpu_sim_gpu_chan_preempt,
	.chan_reset = nvkm_vgpu_sim_gpu_chan_reset,
};

/* The GPU's own files, beside the manager's nvkm_vgpu/ directory. */
static ssize_t preset_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct nvkm_vgpu_sim_gpu *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", sim->preset->name);
}
static DEVICE_ATTR_RO(preset);

static ssize_t vram_used_kib_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct nvkm_vgpu_sim_gpu *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%llu\n",
			  nvkm_vgpu_sim_vram_used(&sim->vram) / SZ_1K);
}
static DEVICE_ATTR_RO(vram_used_kib);

static struct attribute *nvkm_vgpu_sim_gpu_attrs[] = {
	&dev_attr_preset.attr,
	&dev_attr_vram_used_kib.attr,
	NULL,
};

static const struct attribute_group nvkm_vgpu_sim_gpu_group = {
	.attrs = nvkm_vgpu_sim_gpu_attrs,
};

/*
 * The files of a device whose driver data is a simulated GPU, for the bus's
 * device type and the PCI driver.
 */
const struct attribute_group *nvkm_vgpu_sim_gpu_groups[] = {
	&nvkm_vgpu_sim_gpu_group,
	NULL,
};

/**
 * nvkm_vgpu_sim_gpu_init() - make a simulated GPU on a device
 * @sim: zeroed, kept alive by the caller until nvkm_vgpu_sim_gpu_fini()
 * @dev: the device to register with the manager; its driver data must
 *	point to @sim before its files can be read
 * @preset: the board to imitate
 *
 * Gives @sim an empty framebuffer of the preset's size and its engines,
 * their threads running, and registers it with the vGPU manager, which
 * makes @dev an mdev parent.
 *
 * Return: 0, or the errno of making the engines or of
 * nvkm_vgpu_gpu_register(); nothing is left behind then.
 */
int nvkm_vgpu_sim_gpu_init(struct nvkm_vgpu_sim_gpu *sim, struct device *dev,
			   const struct nvkm_vgpu_sim_preset *preset)
{
	int ret;

	sim->dev = dev;
	sim->preset = preset;
	nvkm_vgpu_sim_vram_init(&sim->vram, dev, preset->geo->fb_size);
	ret = nvkm_vgpu_sim_engines_init(&sim->engines, &sim->vram, preset);
	if (ret)
		goto err_fini_vram;
	ret = nvkm_vgpu_sim_engines_start(&sim->engines);
	if (ret)
		goto err_fini_engines;
	sim->gpu = nvkm_vgpu_gpu_register(dev, &nvkm_vgpu_sim_gpu_ops,
					  preset->geo, sim);
	if (IS_ERR(sim->gpu)) {
		ret = PTR_ERR(sim->gpu);
		goto err_stop_engines;
	}
	dev_info(dev, "nvkm_vgpu_sim: simulated %s GPU, %llu MiB FB\n",
		 preset->name, preset->geo->fb_size / SZ_1M);
	return 0;

err_stop_engines:
	nvkm_vgpu_sim_engines_stop(&sim->engines);
err_fini_engines:
	nvkm_vgpu_sim_engines_fini(&sim->engines);
err_fini_vram:
	nvkm_vgpu_sim_vram_fini(&sim->vram);
	return ret;
}

/**
 * nvkm_vgpu_sim_gpu_fini() - take a simulated GPU from the manager
 * @sim: GPU from nvkm_vgpu_sim_gpu_init()
 *
 * Unregisters the GPU, which may block until the users of its vGPUs let
 * go; after it the manager makes no call for @sim and has destroyed every
 * channel, so the engines stop, and the framebuffer pages go back to the
 * host.
 */
void nvkm_vgpu_sim_gpu_fini(struct nvkm_vgpu_sim_gpu *sim)
{
	nvkm_vgpu_gpu_unregister(sim->gpu);
	dev_info(sim->dev, "nvkm_vgpu_sim: removing simulated %s GPU\n",
		 sim->preset->name);
	nvkm_vgpu_sim_engines_stop(&sim->engines);
	nvkm_vgpu_sim_engines_fini(&sim->engines);
	nvkm_vgpu_sim_vram_fini(&sim->vram);
}
