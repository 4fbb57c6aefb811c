/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_VMM_H__
#define __NVKM_VGPU_NOUVEAU_VMM_H__

#include "chan_types.h"

struct nvkm_vgpu_nouveau_vmm *
nvkm_vgpu_nouveau_vmm_get(struct nvkm_vgpu_nouveau_chans *chans, u64 fb_base,
			  u64 fb_size);
void nvkm_vgpu_nouveau_vmm_put(struct nvkm_vgpu_nouveau_chans *chans,
			       struct nvkm_vgpu_nouveau_vmm *vmm);

#endif /* __NVKM_VGPU_NOUVEAU_VMM_H__ */
