/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_CHAN_H__
#define __NVKM_VGPU_NOUVEAU_CHAN_H__

#include <nvkm_vgpu/backend.h>

#include "chan_types.h"

void nvkm_vgpu_nouveau_chans_init(struct nvkm_vgpu_nouveau_chans *chans,
				  struct nvkm_device *device,
				  struct nvkm_vgpu_nouveau_fb *fb,
				  struct device *dev, bool enabled);
void nvkm_vgpu_nouveau_chans_fini(struct nvkm_vgpu_nouveau_chans *chans);

void *nvkm_vgpu_nouveau_chan_create(struct nvkm_vgpu_nouveau_chans *chans,
				    const struct nvkm_vgpu_chan_desc *desc);
void nvkm_vgpu_nouveau_chan_destroy(struct nvkm_vgpu_nouveau_chans *chans,
				    void *chan);
void nvkm_vgpu_nouveau_chan_kick(void *chan);
void nvkm_vgpu_nouveau_chan_preempt(void *chan);
void nvkm_vgpu_nouveau_chan_reset(void *chan);

#endif /* __NVKM_VGPU_NOUVEAU_CHAN_H__ */
