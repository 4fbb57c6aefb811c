/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_CHAN_H__
#define __NVKM_VGPU_SIM_CHAN_H__

#include <linux/kconfig.h>

#include "chan_types.h"
#include "engine_types.h"

struct nvkm_vgpu_sim_chan *
nvkm_vgpu_sim_chan_new(struct nvkm_vgpu_sim_engines *engines,
		       const struct nvkm_vgpu_chan_desc *desc);
void nvkm_vgpu_sim_chan_del(struct nvkm_vgpu_sim_chan *chan);
void nvkm_vgpu_sim_chan_kick(struct nvkm_vgpu_sim_chan *chan);
void nvkm_vgpu_sim_chan_preempt(struct nvkm_vgpu_sim_chan *chan);
void nvkm_vgpu_sim_chan_reset(struct nvkm_vgpu_sim_chan *chan);
enum nvkm_vgpu_sim_turn nvkm_vgpu_sim_chan_turn(struct nvkm_vgpu_sim_chan *chan);

#endif /* __NVKM_VGPU_SIM_CHAN_H__ */
