/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_CHANNEL_MAILBOX_H__
#define __NVKM_VGPU_CHANNEL_MAILBOX_H__

#include <linux/types.h>
#include <nvkm_vgpu/backend.h>
#include <uapi/linux/nvkm_vgpu.h>

/**
 * struct nvkm_vgpu_chan_req - a CHAN_ALLOC request, validated
 * @engine: the engine class that runs the requested class.
 * @gpfifo: GPU address of the GPFIFO.
 * @gpfifo_entries: its entries.
 * @userd: GPU address of USERD.
 * @notifier: GPU address of the error notifier.
 */
struct nvkm_vgpu_chan_req {
	enum nvkm_vgpu_engine engine;
	u64 gpfifo;
	u32 gpfifo_entries;
	u64 userd;
	u64 notifier;
};

bool nvkm_vgpu_va_valid(u64 va, u64 len, u64 fb_size);
u32 nvkm_vgpu_mbox_chan_alloc_decode(const u32 args[NVKM_VGPU_MBOX_ARGS],
				     u64 fb_size, u32 engines,
				     struct nvkm_vgpu_chan_req *req);

#endif /* __NVKM_VGPU_CHANNEL_MAILBOX_H__ */
