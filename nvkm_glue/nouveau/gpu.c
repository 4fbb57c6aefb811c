// SPDX-License-Identifier: GPL-2.0
/*
 * One nouveau GPU registered with the vGPU manager: its ops table, and the
 * life of the registration from the hook's probe to its remove. The PCI
 * function nouveau drives is the mdev parent.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <core/device.h>
#include <core/pci.h>
#include <subdev/gsp.h>

#include "chan/chan.h"
#include "geometry.h"
#include "gpu.h"

static bool channels;
module_param(channels, bool, 0444);
MODULE_PARM_DESC(channels,
		 "run vGPUs' copy channels on the GPU (default off: never run on a GPU yet, see Documentation/nouveau.rst)");

static unsigned int chids;
module_param(chids, uint, 0444);
MODULE_PARM_DESC(chids,
		 "channel IDs reserved for vGPUs per GPU (default 0: half the smallest ID allocator)");

/* VRAM has no struct page: BAR1 reads and writes go through its window. */
static int nvkm_vgpu_nouveau_gpu_fb_rw(void *priv, u64 offset, void *buf,
				       size_t len, bool write)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	return nvkm_vgpu_nouveau_fb_rw(&gpu->fb, offset, buf, len, write);
}

static int nvkm_vgpu_nouveau_gpu_fb_pfn(void *priv, u64 offset,
					unsigned long *pfn)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	return nvkm_vgpu_nouveau_fb_pfn(&gpu->fb, offset, pfn);
}

static int nvkm_vgpu_nouveau_gpu_fb_scrub(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	return nvkm_vgpu_nouveau_fb_scrub(&gpu->fb, offset, size);
}

static int nvkm_vgpu_nouveau_gpu_fb_reserve(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	return nvkm_vgpu_nouveau_fb_reserve(&gpu->fb, offset, size);
}

static void nvkm_vgpu_nouveau_gpu_fb_release(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	nvkm_vgpu_nouveau_fb_release(&gpu->fb, offset);
}

static u64 nvkm_vgpu_nouveau_gpu_fb_used(void *priv, u64 offset, u64 size)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	return nvkm_vgpu_nouveau_fb_used(&gpu->fb, offset, size);
}

static void *nvkm_vgpu_nouveau_gpu_chan_create(void *priv,
					       const struct nvkm_vgpu_chan_desc *desc)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	return nvkm_vgpu_nouveau_chan_create(&gpu->chans, desc);
}

static void nvkm_vgpu_nouveau_gpu_chan_destroy(void *priv, void *chan)
{
	struct nvkm_vgpu_nouveau_gpu *gpu = priv;

	nvkm_vgpu_nouveau_chan_destroy(&gpu->chans, chan);
}

static void nvkm_vgpu_nouveau_gpu_chan_kick(void *priv, void *chan)
{
	nvkm_vgpu_nouveau_chan_kick(chan);
}

static void nvkm_vgpu_nouveau_gpu_chan_preempt(void *priv, void *chan)
{
	nvkm_vgpu_nouveau_chan_preempt(chan);
}

static void nvkm_vgpu_nouveau_gpu_chan_reset(void *priv, void *chan)
{
	nvkm_vgpu_nouveau_chan_reset(chan);
}

static const struct nvkm_vgpu_backend_ops nvkm_vgpu_nouveau_gpu_ops = {
	.version = NVKM_VGPU_BACKEND_VERSION,
	.owner = THIS_MODULE,
	.name = "nouveau",
	.fb_rw = nvkm_vgpu_nouveau_gpu_fb_rw,
	.fb_pfn = nvkm_vgpu_nouveau_gpu_fb_pfn,
	.fb_scrub = nvkm_vgpu_nouveau_gpu_fb_scrub,
	.fb_reserve = nvkm_vgpu_nouveau_gpu_fb_reserve,
	.fb_release = nvkm_vgpu_nouveau_gpu_fb_release,
	.fb_used = nvkm_vgpu_nouveau_gpu_fb_used,
	.chan_create = nvkm_vgpu_nouveau_gpu_chan_create,
	.chan_destroy = nvkm_vgpu_nouveau_gpu_chan_destroy,
	.chan_kick = nvkm_vgpu_nouveau_gpu_chan_kick,
	.chan_preempt = nvkm_vgpu_nouveau_gpu_chan_preempt,
	.chan_reset = nvkm_vgpu_nouveau_gpu_chan_reset,
};

/* Whether this backend can take @device; one line in the log if not. */
static int nvkm_vgpu_nouveau_gpu_check(struct nvkm_device *device)
{
	if (device->type != NVKM_DEVICE_PCI) {
		dev_warn(device->dev, "nvkm_vgpu_nouveau: not a PCI GPU, not offered to the vGPU manager\n");
		return -ENODEV;
	}
	if (nvkm_gsp_rm(device->gsp)) {
		dev_warn(device->dev, "nvkm_vgpu_nouveau: GSP-RM schedules this GPU's channels, which this backend cannot drive; not offered to the vGPU manager (Turing/Ampere: load nouveau with config=NvGspRm=0)\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * nvkm_vgpu_nouveau_gpu_new() - register an NVKM device with the manager
 * @device: from the hook's probe
 *
 * Refuses GSP-RM devices and devices without a VRAM carve-out, reserves
 * channel IDs, keeps the GPU out of runtime suspend and registers it,
 * with its PCI function as the mdev parent.
 *
 * Return: the GPU, or an ERR_PTR; nothing is left behind then.
 */
struct nvkm_vgpu_nouveau_gpu *nvkm_vgpu_nouveau_gpu_new(struct nvkm_device *device)
{
	struct nvkm_vgpu_nouveau_geometry *g;
	struct nvkm_vgpu_nouveau_gpu *gpu;
	int ret;

	ret = nvkm_vgpu_nouveau_gpu_check(device);
	if (ret)
		return ERR_PTR(ret);
	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!gpu || !g) {
		ret = -ENOMEM;
		goto err_free;
	}
	gpu->device = device;
	gpu->pdev = container_of(device, struct nvkm_device_pci, device)->pdev;

	ret = nvkm_vgpu_nouveau_fb_init(&gpu->fb, device, &gpu->pdev->dev);
	if (ret)
		goto err_free;
	nvkm_vgpu_nouveau_chans_init(&gpu->chans, device, &gpu->fb,
				     &gpu->pdev->dev, channels);
	ret = nvkm_vgpu_nouveau_chid_reserve(&gpu->chid, device,
					     &gpu->pdev->dev, chids);
	if (ret)
		goto err_fini_fb;
	/* A vGPU's FB and channels do not survive the GPU powering off. */
	ret = pm_runtime_resume_and_get(&gpu->pdev->dev);
	if (ret)
		goto err_release_chid;

	nvkm_vgpu_nouveau_geometry_read(g, device, gpu->pdev, gpu->fb.size,
					gpu->chid.count);
	gpu->gpu = nvkm_vgpu_gpu_register(&gpu->pdev->dev,
					  &nvkm_vgpu_nouveau_gpu_ops, &g->geo, gpu);
	if (IS_ERR(gpu->gpu)) {
		ret = PTR_ERR(gpu->gpu);
		goto err_put_pm;
	}
	dev_info(&gpu->pdev->dev, "nvkm_vgpu_nouveau: %s (%s, %s) registered, %llu MiB FB, %u channel IDs\n",
		 g->board, nvkm_vgpu_nouveau_family(device), device->name,
		 gpu->fb.size / SZ_1M, gpu->chid.count);
	kfree(g);
	return gpu;

err_put_pm:
	pm_runtime_put(&gpu->pdev->dev);
err_release_chid:
	nvkm_vgpu_nouveau_chid_release(&gpu->chid);
err_fini_fb:
	nvkm_vgpu_nouveau_chans_fini(&gpu->chans);
	nvkm_vgpu_nouveau_fb_fini(&gpu->fb);
err_free:
	kfree(g);
	kfree(gpu);
	return ERR_PTR(ret);
}

/**
 * nvkm_vgpu_nouveau_gpu_del() - take a GPU from the manager
 * @gpu: from nvkm_vgpu_nouveau_gpu_new()
 *
 * Unregistering removes the GPU's live vGPUs and may wait for their users;
 * then the channel IDs go back to nouveau and runtime PM may suspend it.
 */
void nvkm_vgpu_nouveau_gpu_del(struct nvkm_vgpu_nouveau_gpu *gpu)
{
	nvkm_vgpu_gpu_unregister(gpu->gpu);
	dev_info(&gpu->pdev->dev, "nvkm_vgpu_nouveau: unregistered\n");
	pm_runtime_put(&gpu->pdev->dev);
	nvkm_vgpu_nouveau_chans_fini(&gpu->chans);
	nvkm_vgpu_nouveau_chid_release(&gpu->chid);
	nvkm_vgpu_nouveau_fb_fini(&gpu->fb);
	kfree(gpu);
}
