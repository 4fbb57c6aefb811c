// SPDX-License-Identifier: GPL-2.0
/*
 * Channels on nouveau's GPUs: not yet. On the GPUs this backend takes
 * (Tesla to Ampere with GSP-RM off; gpu.c refuses GSP-RM), nouveau
 * schedules the runlists itself, so a guest's channel needs, from the
 * reserved IDs (chid.c): instance memory and a RAMFC in the guest's FB
 * slice, a VMM whose page tables map the slice at GPU address 0 and the
 * guest's memory at NVKM_VGPU_VA_SYSMEM through an IOMMU-mapped window, a
 * channel group on the engine's runlist (nvkm_cgrp/nvkm_chan, which
 * nouveau only builds for its own clients, so an NVKM export or a
 * channel class the manager can allocate through nvif), runlist entries
 * the manager's scheduler switches (nvkm_runl_update() with the vGPU's
 * channels in or out per slice), and the FIFO's fault and non-stall
 * interrupts routed back to the manager's host ops. None of it exists in
 * nouveau's exported API, so chan_create says -EOPNOTSUPP, once in the
 * log.
 */
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/printk.h>

#include <nvkm_vgpu/backend.h>

#include "chan.h"

void *nvkm_vgpu_nouveau_chan_create(void *priv,
				    const struct nvkm_vgpu_chan_desc *desc)
{
	pr_warn_once("nvkm_vgpu_nouveau: channels are not implemented yet on nouveau GPUs; vGPUs get FB only\n");
	return ERR_PTR(-EOPNOTSUPP);
}

/* No channel is ever created: the other ops have nothing to act on. */
void nvkm_vgpu_nouveau_chan_destroy(void *priv, void *chan)
{
	WARN_ON_ONCE(1);
}

void nvkm_vgpu_nouveau_chan_kick(void *priv, void *chan)
{
	WARN_ON_ONCE(1);
}

void nvkm_vgpu_nouveau_chan_preempt(void *priv, void *chan)
{
	WARN_ON_ONCE(1);
}

void nvkm_vgpu_nouveau_chan_reset(void *priv, void *chan)
{
	WARN_ON_ONCE(1);
}
