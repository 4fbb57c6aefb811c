/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_VRAM_H__
#define __NVKM_VGPU_SIM_VRAM_H__

#include <linux/kconfig.h>

#include "vram_types.h"

struct page;

void nvkm_vgpu_sim_vram_init(struct nvkm_vgpu_sim_vram *vram,
			     struct device *dev, u64 size);
void nvkm_vgpu_sim_vram_fini(struct nvkm_vgpu_sim_vram *vram);
struct page *nvkm_vgpu_sim_vram_page(struct nvkm_vgpu_sim_vram *vram,
				     u64 offset, bool alloc);
int nvkm_vgpu_sim_vram_scrub(struct nvkm_vgpu_sim_vram *vram, u64 offset,
			     u64 size);
u64 nvkm_vgpu_sim_vram_used(const struct nvkm_vgpu_sim_vram *vram);
u64 nvkm_vgpu_sim_vram_range_used(struct nvkm_vgpu_sim_vram *vram, u64 offset);
int nvkm_vgpu_sim_vram_reserve(struct nvkm_vgpu_sim_vram *vram, u64 offset,
			       u64 size);
void nvkm_vgpu_sim_vram_release(struct nvkm_vgpu_sim_vram *vram, u64 offset);

#if IS_ENABLED(CONFIG_KUNIT)
/* The module parameters, for the KUnit suite to set. */
extern unsigned int nvkm_vgpu_sim_vram_cap_mib;
extern unsigned int nvkm_vgpu_sim_vram_vgpu_cap_mib;
#endif

#endif /* __NVKM_VGPU_SIM_VRAM_H__ */
