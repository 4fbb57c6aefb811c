/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_BAR0_TYPES_H__
#define __NVKM_VGPU_BAR0_TYPES_H__

#include <linux/types.h>
#include <uapi/linux/nvkm_vgpu.h>

/**
 * struct nvkm_vgpu_bar0_info - what a vGPU's identity registers report
 *
 * Only what a guest may know: nothing of where its slice sits on the GPU.
 *
 * @boot0: NV_PMC_BOOT_0 of the physical GPU.
 * @device: PCI vendor ID | device ID << 16, as in config space.
 * @type_index: the vGPU type's index in its GPU's catalogue.
 * @fb_size: the slice's FB bytes.
 * @chid_count: channels of the slice (doorbells).
 * @engines: engine bitmap, NVKM_VGPU_ENGINE_BIT_* of the uAPI.
 */
struct nvkm_vgpu_bar0_info {
	u32 boot0;
	u32 device;
	u32 type_index;
	u64 fb_size;
	u32 chid_count;
	u32 engines;
};

/**
 * struct nvkm_vgpu_bar0 - the emulated register file of one vGPU
 * @info: identity and geometry; immutable after init.
 * @scratch: NVKM_VGPU_REG_SCRATCH.
 * @intr_status: pending interrupt sources.
 * @intr_enable: enabled interrupt sources.
 * @doorbells: last value rung on each of @info.chid_count doorbells.
 * @chan_state: NVKM_VGPU_REG_CHAN_STATE of each channel, set by the owner.
 * @kicks: channels rung (doorbell or NOTIFY_CHANNEL_PENDING) and not yet
 *	taken by nvkm_vgpu_bar0_take_kick(); @info.chid_count bits.
 * @mbox_args: the mailbox's argument registers.
 * @mbox_cmd: the value last written to MBOX_CMD.
 * @mbox_pending: @mbox_cmd was written and not yet taken by
 *	nvkm_vgpu_bar0_take_mbox().
 * @mbox_status: MBOX_STATUS, the last request's answer.
 * @mbox_result: MBOX_RESULT.
 *
 * The object takes no lock: its owner (the VFIO device) serializes every
 * call with its own mutex, which guards all fields but @info. Register
 * writes that ask for work (doorbells, the mailbox) only record it; the
 * owner takes it after the write and does it without that mutex.
 */
struct nvkm_vgpu_bar0 {
	struct nvkm_vgpu_bar0_info info;
	u32 scratch;
	u32 intr_status;
	u32 intr_enable;
	u32 *doorbells;
	u32 *chan_state;
	unsigned long *kicks;
	u32 mbox_args[NVKM_VGPU_MBOX_ARGS];
	u32 mbox_cmd;
	bool mbox_pending;
	u32 mbox_status;
	u32 mbox_result;
};

#endif /* __NVKM_VGPU_BAR0_TYPES_H__ */
