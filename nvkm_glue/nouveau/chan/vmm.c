// SPDX-License-Identifier: GPL-2.0
/*
 * A vGPU's GPU address space on nouveau: one NVKM VMM per vGPU with
 * channels (patch 0005), its FB slice of the carve-out mapped at GPU
 * address 0, the uAPI's FB window. Channels of one vGPU share it; it goes
 * with the last of them. The guest-memory window (NVKM_VGPU_VA_SYSMEM) is
 * not mapped: chan.c refuses channels whose GPFIFO, USERD or notifier
 * lie there, and a copy that reaches it faults.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <core/device.h>

#include "vmm.h"

/**
 * nvkm_vgpu_nouveau_vmm_get() - the address space of the vGPU whose slice
 * starts at @fb_base, made at its first channel
 * @chans: the GPU's channels; the caller holds their mutex
 * @fb_base: the slice's offset in the carve-out
 * @fb_size: its bytes
 *
 * Return: the address space with one more reference, or an ERR_PTR:
 * -EINVAL for a slice that overlaps another vGPU's differently, or
 * nouveau's error making or mapping it (logged in one line).
 */
struct nvkm_vgpu_nouveau_vmm *
nvkm_vgpu_nouveau_vmm_get(struct nvkm_vgpu_nouveau_chans *chans, u64 fb_base,
			  u64 fb_size)
{
	struct nvkm_vgpu_nouveau_vmm *vmm;
	int ret;

	lockdep_assert_held(&chans->mutex);
	list_for_each_entry(vmm, &chans->vmms, head) {
		if (vmm->fb_base == fb_base && vmm->fb_size == fb_size) {
			vmm->refs++;
			return vmm;
		}
		if (fb_base < vmm->fb_base + vmm->fb_size &&
		    vmm->fb_base < fb_base + fb_size)
			return ERR_PTR(-EINVAL);
	}

	vmm = kzalloc(sizeof(*vmm), GFP_KERNEL);
	if (!vmm)
		return ERR_PTR(-ENOMEM);
	vmm->fb_base = fb_base;
	vmm->fb_size = fb_size;
	ret = nvkm_vgpu_vmm_new(chans->device, ALIGN(fb_size, SZ_2M), &vmm->vmm);
	if (ret) {
		dev_err(chans->dev, "nvkm_vgpu_nouveau: no GPU address space for a vGPU: %d\n",
			ret);
		goto err_free;
	}
	ret = nvkm_vgpu_vmm_map(vmm->vmm, 0, fb_base, fb_size);
	if (ret) {
		dev_err(chans->dev, "nvkm_vgpu_nouveau: cannot map a vGPU's %llu MiB of FB at offset 0x%llx: %d\n",
			fb_size / SZ_1M, fb_base, ret);
		goto err_del;
	}
	vmm->refs = 1;
	list_add_tail(&vmm->head, &chans->vmms);
	return vmm;

err_del:
	nvkm_vgpu_vmm_del(&vmm->vmm);
err_free:
	kfree(vmm);
	return ERR_PTR(ret);
}

/**
 * nvkm_vgpu_nouveau_vmm_put() - a channel no longer uses @vmm
 * @chans: the GPU's channels; the caller holds their mutex
 * @vmm: from nvkm_vgpu_nouveau_vmm_get(); unmapped and freed with its
 *	last channel
 */
void nvkm_vgpu_nouveau_vmm_put(struct nvkm_vgpu_nouveau_chans *chans,
			       struct nvkm_vgpu_nouveau_vmm *vmm)
{
	lockdep_assert_held(&chans->mutex);
	if (--vmm->refs)
		return;
	list_del(&vmm->head);
	nvkm_vgpu_vmm_unmap(vmm->vmm, 0, vmm->fb_size);
	nvkm_vgpu_vmm_del(&vmm->vmm);
	kfree(vmm);
}
