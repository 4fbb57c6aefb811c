/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_CHANNEL_H__
#define __NVKM_VGPU_CHANNEL_H__

#include "channel_types.h"

void nvkm_vgpu_chans_init(struct nvkm_vgpu_chans *chans);
void nvkm_vgpu_chans_fini(struct nvkm_vgpu_chans *chans);
void nvkm_vgpu_chans_work(struct nvkm_vgpu *vgpu);
void nvkm_vgpu_chans_destroy_all(struct nvkm_vgpu *vgpu);
void nvkm_vgpu_chans_destroy_locked(struct nvkm_vgpu *vgpu);

#endif /* __NVKM_VGPU_CHANNEL_H__ */
