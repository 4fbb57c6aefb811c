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
void nvkm_vgpu_bar0_raise(struct nvkm_vgpu_bar0 *bar0, u32 sources);
bool nvkm_vgpu_bar0_has_work(const struct nvkm_vgpu_bar0 *bar0);
int nvkm_vgpu_bar0_take_kick(struct nvkm_vgpu_bar0 *bar0);
bool nvkm_vgpu_bar0_take_mbox(struct nvkm_vgpu_bar0 *bar0, u32 *cmd,
			      u32 args[NVKM_VGPU_MBOX_ARGS]);
void nvkm_vgpu_bar0_mbox_done(struct nvkm_vgpu_bar0 *bar0, u32 status,
			      u32 result);
void nvkm_vgpu_bar0_chan_state(struct nvkm_vgpu_bar0 *bar0, u32 chan,
			       u32 state, u32 error);

#endif /* __NVKM_VGPU_BAR0_H__ */
