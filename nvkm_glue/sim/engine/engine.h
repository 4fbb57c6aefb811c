/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_ENGINE_H__
#define __NVKM_VGPU_SIM_ENGINE_H__

#include <linux/sizes.h>

#include "chan_types.h"
#include "engine_types.h"

struct nvkm_vgpu_sim_preset;

/* Bytes a copy moves per step, through the engine's bounce buffer. */
#define NVKM_VGPU_SIM_ENGINE_BOUNCE SZ_64K

int nvkm_vgpu_sim_engines_init(struct nvkm_vgpu_sim_engines *engines,
			       struct nvkm_vgpu_sim_vram *vram,
			       const struct nvkm_vgpu_sim_preset *preset);
void nvkm_vgpu_sim_engines_fini(struct nvkm_vgpu_sim_engines *engines);
int nvkm_vgpu_sim_engines_start(struct nvkm_vgpu_sim_engines *engines);
void nvkm_vgpu_sim_engines_stop(struct nvkm_vgpu_sim_engines *engines);

struct nvkm_vgpu_sim_engine *
nvkm_vgpu_sim_engine_find(struct nvkm_vgpu_sim_engines *engines,
			  enum nvkm_vgpu_engine type, u32 index);
u32 nvkm_vgpu_sim_engine_class(enum nvkm_vgpu_engine type);

void nvkm_vgpu_sim_engine_kick(struct nvkm_vgpu_sim_chan *chan);
void nvkm_vgpu_sim_engine_hold(struct nvkm_vgpu_sim_chan *chan, bool kill);
void nvkm_vgpu_sim_engine_drop(struct nvkm_vgpu_sim_chan *chan);
void nvkm_vgpu_sim_engine_unhold(struct nvkm_vgpu_sim_chan *chan);
void nvkm_vgpu_sim_engine_stop_chan(struct nvkm_vgpu_sim_chan *chan);

void nvkm_vgpu_sim_engine_turn_start(struct nvkm_vgpu_sim_chan *chan);
bool nvkm_vgpu_sim_engine_should_switch(struct nvkm_vgpu_sim_chan *chan);
int nvkm_vgpu_sim_engine_check(struct nvkm_vgpu_sim_chan *chan);
int nvkm_vgpu_sim_engine_wait_until(struct nvkm_vgpu_sim_chan *chan,
				    u64 deadline_ns);

#endif /* __NVKM_VGPU_SIM_ENGINE_H__ */
