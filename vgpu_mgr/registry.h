/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_REGISTRY_H__
#define __NVKM_VGPU_REGISTRY_H__

#include <linux/cleanup.h>

#include "gpu_types.h"

struct nvkm_vgpu_gpu *nvkm_vgpu_gpu_get(u32 id);
struct nvkm_vgpu_gpu *nvkm_vgpu_gpu_find(const struct device *dev);
void nvkm_vgpu_gpu_put(struct nvkm_vgpu_gpu *gpu);
u32 nvkm_vgpu_registry_count(void);

DEFINE_FREE(nvkm_vgpu_gpu_put, struct nvkm_vgpu_gpu *, nvkm_vgpu_gpu_put(_T))
void nvkm_vgpu_registry_fini(void);

#endif /* __NVKM_VGPU_REGISTRY_H__ */
