/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_CHAN_H__
#define __NVKM_VGPU_NOUVEAU_CHAN_H__

struct nvkm_vgpu_chan_desc;

void *nvkm_vgpu_nouveau_chan_create(void *priv,
				    const struct nvkm_vgpu_chan_desc *desc);
void nvkm_vgpu_nouveau_chan_destroy(void *priv, void *chan);
void nvkm_vgpu_nouveau_chan_kick(void *priv, void *chan);
void nvkm_vgpu_nouveau_chan_preempt(void *priv, void *chan);
void nvkm_vgpu_nouveau_chan_reset(void *priv, void *chan);

#endif /* __NVKM_VGPU_NOUVEAU_CHAN_H__ */
