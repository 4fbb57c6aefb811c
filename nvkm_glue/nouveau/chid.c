// SPDX-License-Identifier: GPL-2.0
/*
 * Channel IDs for vGPUs: one range, the same in every channel and channel
 * group ID allocator of the device, kept from nouveau for the GPU's life
 * with patch 0003's nvkm_vgpu_chid_reserve(). Its size is the geometry's
 * chid_count; the manager hands out parts of it to slices.
 */
#include <linux/device.h>
#include <linux/minmax.h>
#include <linux/log2.h>

#include <core/device.h>
#include <engine/fifo.h>
/* nouveau's private FIFO headers: the allocators' sizes. */
#include <engine/fifo/chid.h>
#include <engine/fifo/runl.h>

#include "chid.h"

/* The smallest channel or channel group ID allocator of @device, or 0. */
static int nvkm_vgpu_nouveau_chid_space(struct nvkm_device *device)
{
	struct nvkm_fifo *fifo = device->fifo;
	struct nvkm_runl *runl;
	int nr = INT_MAX;

	if (!fifo)
		return 0;
	nvkm_runl_foreach(runl, fifo) {
		if (runl->chid)
			nr = min(nr, runl->chid->nr);
		if (runl->cgid)
			nr = min(nr, runl->cgid->nr);
	}
	return nr == INT_MAX ? 0 : nr;
}

/**
 * nvkm_vgpu_nouveau_chid_reserve() - keep channel IDs from nouveau
 * @chid: to fill in
 * @device: the NVKM device
 * @dev: for log lines
 * @want: how many IDs, or 0 for half the smallest allocator (a power of
 *	two: nouveau keeps the lower half for its own channels)
 *
 * Return: 0, or a negative errno with one line in the log.
 */
int nvkm_vgpu_nouveau_chid_reserve(struct nvkm_vgpu_nouveau_chid *chid,
				   struct nvkm_device *device,
				   struct device *dev, int want)
{
	int space = nvkm_vgpu_nouveau_chid_space(device);
	int count, first;

	if (!space) {
		dev_warn(dev, "nvkm_vgpu_nouveau: the device has no channel ID allocator\n");
		return -ENODEV;
	}
	count = want ? want : rounddown_pow_of_two(space) / 2;
	first = nvkm_vgpu_chid_reserve(device, count);
	if (first < 0) {
		dev_warn(dev, "nvkm_vgpu_nouveau: cannot reserve %d of %d channel IDs (%d)\n",
			 count, space, first);
		return first;
	}
	chid->device = device;
	chid->first = first;
	chid->count = count;
	dev_info(dev, "nvkm_vgpu_nouveau: channel IDs %d-%d of %d for vGPUs\n",
		 first, first + count - 1, space);
	return 0;
}

/**
 * nvkm_vgpu_nouveau_chid_release() - give the IDs back to nouveau
 * @chid: from nvkm_vgpu_nouveau_chid_reserve()
 */
void nvkm_vgpu_nouveau_chid_release(struct nvkm_vgpu_nouveau_chid *chid)
{
	nvkm_vgpu_chid_release(chid->device, chid->first, chid->count);
}
