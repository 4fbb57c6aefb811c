/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_GPU_H__
#define __NVKM_VGPU_NOUVEAU_GPU_H__

#include <linux/list.h>

#include "chan/chan_types.h"
#include "chid.h"
#include "fb.h"

struct nvkm_device;
struct nvkm_vgpu_gpu;
struct pci_dev;

/**
 * struct nvkm_vgpu_nouveau_gpu - one NVKM device offered to the manager
 * @head: in main.c's list of bound devices, under its mutex
 * @device: the NVKM device, nouveau's until the hook's remove
 * @pdev: its PCI function, the GPU's mdev parent
 * @fb: the VRAM carve-out, the framebuffer the vGPUs share
 * @chid: the channel IDs reserved for vGPUs
 * @chans: the vGPUs' channels
 * @gpu: the manager's handle
 */
struct nvkm_vgpu_nouveau_gpu {
	struct list_head head;
	struct nvkm_device *device;
	struct pci_dev *pdev;
	struct nvkm_vgpu_nouveau_fb fb;
	struct nvkm_vgpu_nouveau_chid chid;
	struct nvkm_vgpu_nouveau_chans chans;
	struct nvkm_vgpu_gpu *gpu;
};

struct nvkm_vgpu_nouveau_gpu *nvkm_vgpu_nouveau_gpu_new(struct nvkm_device *device);
void nvkm_vgpu_nouveau_gpu_del(struct nvkm_vgpu_nouveau_gpu *gpu);

#endif /* __NVKM_VGPU_NOUVEAU_GPU_H__ */
