/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_FB_H__
#define __NVKM_VGPU_NOUVEAU_FB_H__

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct device;
struct nvkm_device;

/**
 * struct nvkm_vgpu_nouveau_fb - the VRAM carve-out as the vGPUs' framebuffer
 * @device: the NVKM device whose carve-out (nvkm_vgpu_vram()) this is
 * @dev: for log lines
 * @size: the carve-out's bytes: the framebuffer is [0, @size), an offset
 *	in it is an offset in the carve-out
 * @lock: protects @ranges; a spinlock because fb_used never sleeps
 * @ranges: &struct nvkm_vgpu_nouveau_fb_range, one per fb_reserve, each
 *	mapped through BAR1 for its whole life
 */
struct nvkm_vgpu_nouveau_fb {
	struct nvkm_device *device;
	struct device *dev;
	u64 size;
	spinlock_t lock; /* protects @ranges */
	struct list_head ranges;
};

int nvkm_vgpu_nouveau_fb_init(struct nvkm_vgpu_nouveau_fb *fb,
			      struct nvkm_device *device, struct device *dev);
void nvkm_vgpu_nouveau_fb_fini(struct nvkm_vgpu_nouveau_fb *fb);
int nvkm_vgpu_nouveau_fb_reserve(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
				 u64 size);
void nvkm_vgpu_nouveau_fb_release(struct nvkm_vgpu_nouveau_fb *fb, u64 offset);
int nvkm_vgpu_nouveau_fb_pfn(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			     unsigned long *pfn);
int nvkm_vgpu_nouveau_fb_rw(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			    void *buf, size_t len, bool write);
int nvkm_vgpu_nouveau_fb_scrub(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			       u64 size);
u64 nvkm_vgpu_nouveau_fb_used(struct nvkm_vgpu_nouveau_fb *fb, u64 offset,
			      u64 size);

#endif /* __NVKM_VGPU_NOUVEAU_FB_H__ */
