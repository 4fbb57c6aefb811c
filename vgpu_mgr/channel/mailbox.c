// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's channel requests, checked: a CHAN_ALLOC's arguments become a
 * struct nvkm_vgpu_chan_req or a mailbox status code, with no device and no
 * side effect, so every refusal is a unit test away.
 *
 * A request is refused when its class runs on no engine of the vGPU, when
 * the GPFIFO's size is not a power of two from 2 to
 * NVKM_VGPU_GPFIFO_ENTRIES_MAX, or when the GPFIFO, USERD or the notifier is
 * misaligned or does not lie whole inside one window of the vGPU's GPU
 * address space (its FB, or the guest-memory window).
 */
#include <linux/align.h>
#include <linux/bits.h>
#include <linux/log2.h>
#include <kunit/visibility.h>

#include "mailbox.h"

static bool nvkm_vgpu_range_in(u64 va, u64 len, u64 base, u64 size)
{
	return va >= base && va - base < size && len <= size - (va - base);
}

/**
 * nvkm_vgpu_va_valid() - whether GPU addresses lie in one window
 * @va: first GPU address
 * @len: bytes, at least 1
 * @fb_size: the vGPU's FB bytes
 *
 * Return: true when [@va, @va + @len) lies whole inside the FB window or
 * whole inside the guest-memory window.
 */
bool nvkm_vgpu_va_valid(u64 va, u64 len, u64 fb_size)
{
	return len && (nvkm_vgpu_range_in(va, len, 0, fb_size) ||
		       nvkm_vgpu_range_in(va, len, NVKM_VGPU_VA_SYSMEM,
					  NVKM_VGPU_VA_SYSMEM_SIZE));
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_va_valid);

static u64 nvkm_vgpu_arg64(const u32 *args, unsigned int lo)
{
	return (u64)args[lo + 1] << 32 | args[lo];
}

static bool nvkm_vgpu_class_engine(u32 class, enum nvkm_vgpu_engine *engine)
{
	switch (class) {
	case NVKM_VGPU_CLASS_COPY:
		*engine = NVKM_VGPU_ENGINE_CE;
		return true;
	case NVKM_VGPU_CLASS_SIM_BUSY:
		*engine = NVKM_VGPU_ENGINE_GR;
		return true;
	}
	return false;
}

/**
 * nvkm_vgpu_mbox_chan_alloc_decode() - check a CHAN_ALLOC request
 * @args: the mailbox's argument registers, as the uAPI lays them out
 * @fb_size: the vGPU's FB bytes
 * @engines: the vGPU's engines, NVKM_VGPU_ENGINE_BIT_* of the uAPI
 * @req: filled in when the request is good
 *
 * Return: NVKM_VGPU_MBOX_OK, or the NVKM_VGPU_MBOX_* status that refuses it.
 */
u32 nvkm_vgpu_mbox_chan_alloc_decode(const u32 args[NVKM_VGPU_MBOX_ARGS],
				     u64 fb_size, u32 engines,
				     struct nvkm_vgpu_chan_req *req)
{
	u32 entries = args[3];

	if (!nvkm_vgpu_class_engine(args[0], &req->engine) ||
	    !(engines & BIT(req->engine)))
		return NVKM_VGPU_MBOX_BAD_CLASS;
	if (entries < 2 || entries > NVKM_VGPU_GPFIFO_ENTRIES_MAX ||
	    !is_power_of_2(entries))
		return NVKM_VGPU_MBOX_BAD_SIZE;
	req->gpfifo_entries = entries;
	req->gpfifo = nvkm_vgpu_arg64(args, 1);
	req->userd = nvkm_vgpu_arg64(args, 4);
	req->notifier = nvkm_vgpu_arg64(args, 6);
	if (!IS_ALIGNED(req->gpfifo, 8) ||
	    !IS_ALIGNED(req->userd, NVKM_VGPU_USERD_SIZE) ||
	    !IS_ALIGNED(req->notifier, sizeof(struct nvkm_vgpu_notifier)))
		return NVKM_VGPU_MBOX_BAD_ADDRESS;
	if (!nvkm_vgpu_va_valid(req->gpfifo, (u64)entries * 8, fb_size) ||
	    !nvkm_vgpu_va_valid(req->userd, NVKM_VGPU_USERD_SIZE, fb_size) ||
	    !nvkm_vgpu_va_valid(req->notifier,
				sizeof(struct nvkm_vgpu_notifier), fb_size))
		return NVKM_VGPU_MBOX_BAD_ADDRESS;
	return NVKM_VGPU_MBOX_OK;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_mbox_chan_alloc_decode);
