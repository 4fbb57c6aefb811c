/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_PM_H__
#define __NVKM_VGPU_NOUVEAU_PM_H__

struct nvkm_vgpu_nouveau_fb;

int nvkm_vgpu_nouveau_pm_check(struct nvkm_vgpu_nouveau_fb *fb,
			       unsigned long action);

#endif /* __NVKM_VGPU_NOUVEAU_PM_H__ */
