/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_BAR0_H__
#define __NVKM_VGPU_BAR0_H__

#include "bar0_types.h"

int nvkm_vgpu_bar0_init(struct nvkm_vgpu_bar0 *bar0,
			const struct nvkm_vgpu_bar0_info *info);
void nvkm_vgpu_bar0_fini(struct nvkm_vgpu_bar0 *bar0);
void nvkm_vgpu_bar0_reset(struct nvkm_vgpu_bar0 *bar0);
int nvkm_vgpu_bar0_read(struct nvkm_vgpu_bar0 *bar0, u32 pos, void *buf,
			u32 count);
int nvkm_vgpu_bar0_write(struct nvkm_vgpu_bar0 *bar0, u32 pos,
			 const void *buf, u32 count);
bool nvkm_vgpu_bar0_irq_asserted(const struct nvkm_vgpu_bar0 *bar0);

#endif /* __NVKM_VGPU_BAR0_H__ */
