/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_CHID_H__
#define __NVKM_VGPU_NOUVEAU_CHID_H__

#include <linux/types.h>

struct device;
struct nvkm_device;

/**
 * struct nvkm_vgpu_nouveau_chid - channel IDs kept from nouveau for vGPUs
 * @device: the NVKM device
 * @first: the first reserved ID
 * @count: how many, the geometry's chid_count
 */
struct nvkm_vgpu_nouveau_chid {
	struct nvkm_device *device;
	int first;
	int count;
};

int nvkm_vgpu_nouveau_chid_reserve(struct nvkm_vgpu_nouveau_chid *chid,
				   struct nvkm_device *device,
				   struct device *dev, int want);
void nvkm_vgpu_nouveau_chid_release(struct nvkm_vgpu_nouveau_chid *chid);

#endif /* __NVKM_VGPU_NOUVEAU_CHID_H__ */
