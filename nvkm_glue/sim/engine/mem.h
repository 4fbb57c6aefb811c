/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_MEM_H__
#define __NVKM_VGPU_SIM_MEM_H__

#include "chan_types.h"

int nvkm_vgpu_sim_mem_rw(struct nvkm_vgpu_sim_chan *chan, u64 addr, void *buf,
			 size_t len, bool write);
int nvkm_vgpu_sim_mem_copy(struct nvkm_vgpu_sim_chan *chan, u64 dst, u64 src,
			   size_t len, void *bounce);
int nvkm_vgpu_sim_mem_rd32(struct nvkm_vgpu_sim_chan *chan, u64 addr,
			   u32 *val);
int nvkm_vgpu_sim_mem_wr32(struct nvkm_vgpu_sim_chan *chan, u64 addr, u32 val);
int nvkm_vgpu_sim_mem_rd64(struct nvkm_vgpu_sim_chan *chan, u64 addr,
			   u64 *val);
int nvkm_vgpu_sim_mem_wr64(struct nvkm_vgpu_sim_chan *chan, u64 addr, u64 val);

#endif /* __NVKM_VGPU_SIM_MEM_H__ */
