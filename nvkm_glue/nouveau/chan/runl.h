/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_RUNL_H__
#define __NVKM_VGPU_NOUVEAU_RUNL_H__

#include "chan_types.h"

/* How often a runlist's thread reads its vGPU's USERDs during a slice. */
#define NVKM_VGPU_NOUVEAU_RUNL_POLL_NS (500 * NSEC_PER_USEC)

struct nvkm_vgpu_nouveau_runl *
nvkm_vgpu_nouveau_runl_get(struct nvkm_vgpu_nouveau_chans *chans, int id);
void nvkm_vgpu_nouveau_runl_free(struct nvkm_vgpu_nouveau_runl *runl);
void nvkm_vgpu_nouveau_runl_add(struct nvkm_vgpu_nouveau_runl *runl,
				struct nvkm_vgpu_nouveau_chan *chan);
void nvkm_vgpu_nouveau_runl_del(struct nvkm_vgpu_nouveau_runl *runl,
				struct nvkm_vgpu_nouveau_chan *chan);
void nvkm_vgpu_nouveau_runl_kick(struct nvkm_vgpu_nouveau_runl *runl,
				 struct nvkm_vgpu_nouveau_chan *chan);
void nvkm_vgpu_nouveau_runl_take_off(struct nvkm_vgpu_nouveau_runl *runl,
				     struct nvkm_vgpu_nouveau_chan *chan);
void nvkm_vgpu_nouveau_runl_errored(struct nvkm_vgpu_nouveau_runl *runl,
				    struct nvkm_vgpu_nouveau_chan *chan);
void nvkm_vgpu_nouveau_runl_reset(struct nvkm_vgpu_nouveau_runl *runl,
				  struct nvkm_vgpu_nouveau_chan *chan);
bool nvkm_vgpu_nouveau_runl_timed_out(struct nvkm_vgpu_nouveau_runl *runl,
				      struct nvkm_vgpu_nouveau_chan *chan);

bool nvkm_vgpu_nouveau_runl_is_on(struct nvkm_vgpu_nouveau_runl *runl,
				  struct nvkm_vgpu_nouveau_chan *chan);

#endif /* __NVKM_VGPU_NOUVEAU_RUNL_H__ */
