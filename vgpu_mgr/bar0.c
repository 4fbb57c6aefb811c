// SPDX-License-Identifier: GPL-2.0
/*
 * BAR0 of a vGPU: the emulated register file described register by register
 * in include/uapi/linux/nvkm_vgpu.h and Documentation/bar0.rst.
 *
 * Reads have no side effects, so a read of 1, 2 or 4 bytes is served byte
 * by byte from the registers it covers. A write takes effect only when it is
 * 4 bytes wide and 4-byte aligned; anything narrower or unaligned is dropped,
 * as a real GPU's 32-bit register file would. An 8-byte access is two 4-byte
 * accesses.
 *
 * Writes that ask the GPU for work, a doorbell or a mailbox command, only
 * record it here (pure emulation, no lock of its own); the VFIO device takes
 * the work after the write and does it (vgpu_mgr/channel/).
 */
#include <linux/align.h>
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include <nvkm_vgpu/compat.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "bar0.h"

/**
 * nvkm_vgpu_bar0_init() - set up a vGPU's register file at power-on state
 * @bar0: the register file
 * @info: the vGPU's identity and geometry; copied
 *
 * Return: 0, -EINVAL for more channels than there are doorbells, -ENOMEM.
 */
int nvkm_vgpu_bar0_init(struct nvkm_vgpu_bar0 *bar0,
			const struct nvkm_vgpu_bar0_info *info)
{
	if (!info->chid_count || info->chid_count > NVKM_VGPU_DOORBELL_MAX)
		return -EINVAL;
	bar0->info = *info;
	bar0->doorbells = kcalloc(info->chid_count, sizeof(*bar0->doorbells),
				  GFP_KERNEL);
	bar0->chan_state = kcalloc(info->chid_count, sizeof(*bar0->chan_state),
				   GFP_KERNEL);
	bar0->kicks = bitmap_zalloc(info->chid_count, GFP_KERNEL);
	if (!bar0->doorbells || !bar0->chan_state || !bar0->kicks) {
		nvkm_vgpu_bar0_fini(bar0);
		return -ENOMEM;
	}
	nvkm_vgpu_bar0_reset(bar0);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_init);

/**
 * nvkm_vgpu_bar0_fini() - free a register file
 * @bar0: the register file
 */
void nvkm_vgpu_bar0_fini(struct nvkm_vgpu_bar0 *bar0)
{
	kfree(bar0->doorbells);
	bar0->doorbells = NULL;
	kfree(bar0->chan_state);
	bar0->chan_state = NULL;
	bitmap_free(bar0->kicks);
	bar0->kicks = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_fini);

/**
 * nvkm_vgpu_bar0_reset() - put every writable register back to power-on
 * @bar0: the register file
 *
 * Scratch, interrupt status and enable, every doorbell, channel state and
 * mailbox register read 0 again, and no work is pending. The owner frees
 * the channels first.
 */
void nvkm_vgpu_bar0_reset(struct nvkm_vgpu_bar0 *bar0)
{
	u32 n = bar0->info.chid_count;

	bar0->scratch = 0;
	bar0->intr_status = 0;
	bar0->intr_enable = 0;
	memset(bar0->doorbells, 0, n * sizeof(*bar0->doorbells));
	memset(bar0->chan_state, 0, n * sizeof(*bar0->chan_state));
	bitmap_zero(bar0->kicks, n);
	memset(bar0->mbox_args, 0, sizeof(bar0->mbox_args));
	bar0->mbox_cmd = 0;
	bar0->mbox_pending = false;
	bar0->mbox_status = NVKM_VGPU_MBOX_OK;
	bar0->mbox_result = 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_reset);

/**
 * nvkm_vgpu_bar0_irq_asserted() - whether the vGPU's interrupt is asserted
 * @bar0: the register file
 *
 * Return: true while an enabled source is pending.
 */
bool nvkm_vgpu_bar0_irq_asserted(const struct nvkm_vgpu_bar0 *bar0)
{
	return bar0->intr_status & bar0->intr_enable;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_irq_asserted);

/**
 * nvkm_vgpu_bar0_raise() - make interrupt sources pending
 * @bar0: the register file
 * @sources: NVKM_VGPU_INTR_* bits
 *
 * The owner delivers the interrupt (nvkm_vgpu_irq_update_locked()).
 */
void nvkm_vgpu_bar0_raise(struct nvkm_vgpu_bar0 *bar0, u32 sources)
{
	bar0->intr_status |= sources & NVKM_VGPU_INTR_ALL;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_raise);

/**
 * nvkm_vgpu_bar0_has_work() - whether a write asked for work not yet taken
 * @bar0: the register file
 *
 * Return: true when a channel was rung or a mailbox command written.
 */
bool nvkm_vgpu_bar0_has_work(const struct nvkm_vgpu_bar0 *bar0)
{
	return bar0->mbox_pending ||
	       !bitmap_empty(bar0->kicks, bar0->info.chid_count);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_has_work);

/**
 * nvkm_vgpu_bar0_take_kick() - take one rung channel
 * @bar0: the register file
 *
 * Return: the lowest channel rung since it was last taken, or -1.
 */
int nvkm_vgpu_bar0_take_kick(struct nvkm_vgpu_bar0 *bar0)
{
	unsigned long n = find_first_bit(bar0->kicks, bar0->info.chid_count);

	if (n >= bar0->info.chid_count)
		return -1;
	clear_bit(n, bar0->kicks);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_take_kick);

/**
 * nvkm_vgpu_bar0_take_mbox() - take the mailbox command written last
 * @bar0: the register file
 * @cmd: where the command goes
 * @args: where the argument registers are copied
 *
 * Return: true when a command was pending, false (nothing copied) if not.
 */
bool nvkm_vgpu_bar0_take_mbox(struct nvkm_vgpu_bar0 *bar0, u32 *cmd,
			      u32 args[NVKM_VGPU_MBOX_ARGS])
{
	if (!bar0->mbox_pending)
		return false;
	bar0->mbox_pending = false;
	*cmd = bar0->mbox_cmd;
	memcpy(args, bar0->mbox_args, sizeof(bar0->mbox_args));
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_take_mbox);

/**
 * nvkm_vgpu_bar0_mbox_done() - answer a mailbox request
 * @bar0: the register file
 * @status: NVKM_VGPU_MBOX_*
 * @result: MBOX_RESULT
 *
 * Raises NVKM_VGPU_INTR_MAILBOX; the owner delivers it.
 */
void nvkm_vgpu_bar0_mbox_done(struct nvkm_vgpu_bar0 *bar0, u32 status,
			      u32 result)
{
	bar0->mbox_status = status;
	bar0->mbox_result = result;
	nvkm_vgpu_bar0_raise(bar0, NVKM_VGPU_INTR_MAILBOX);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_mbox_done);

/**
 * nvkm_vgpu_bar0_chan_state() - set what CHAN_STATE(@chan) reads
 * @bar0: the register file
 * @chan: a channel number below the vGPU's channel count
 * @state: NVKM_VGPU_CHAN_STATE_*
 * @error: NVKM_VGPU_CHAN_ERR_* for the ERROR state, else 0
 */
void nvkm_vgpu_bar0_chan_state(struct nvkm_vgpu_bar0 *bar0, u32 chan,
			       u32 state, u32 error)
{
	if (WARN_ON(chan >= bar0->info.chid_count))
		return;
	bar0->chan_state[chan] = (state & NVKM_VGPU_CHAN_STATE_MASK) |
				 error << NVKM_VGPU_CHAN_STATE_ERR_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_chan_state);

/* Index of the per-channel register at @reg of the array at @base. */
static bool nvkm_vgpu_bar0_chan_reg(const struct nvkm_vgpu_bar0 *bar0,
				    u32 base, u32 reg, u32 *index)
{
	if (reg < base || reg >= base + 4 * bar0->info.chid_count)
		return false;
	*index = (reg - base) / 4;
	return true;
}

static bool nvkm_vgpu_bar0_mbox_arg(u32 reg, u32 *index)
{
	if (reg < NVKM_VGPU_REG_MBOX_ARG(0) ||
	    reg >= NVKM_VGPU_REG_MBOX_ARG(NVKM_VGPU_MBOX_ARGS))
		return false;
	*index = (reg - NVKM_VGPU_REG_MBOX_ARG(0)) / 4;
	return true;
}

static bool nvkm_vgpu_bar0_doorbell(const struct nvkm_vgpu_bar0 *bar0,
				    u32 reg, u32 *index)
{
	return nvkm_vgpu_bar0_chan_reg(bar0, NVKM_VGPU_REG_DOORBELL(0), reg,
				       index);
}

static u32 nvkm_vgpu_bar0_reg_read(const struct nvkm_vgpu_bar0 *bar0, u32 reg)
{
	const struct nvkm_vgpu_bar0_info *info = &bar0->info;
	u32 index;

	switch (reg) {
	case NVKM_VGPU_REG_BOOT_0:
		return info->boot0;
	case NVKM_VGPU_REG_MAGIC:
		return NVKM_VGPU_MAGIC;
	case NVKM_VGPU_REG_VERSION:
		return NVKM_VGPU_UAPI_VERSION;
	case NVKM_VGPU_REG_DEVICE:
		return info->device;
	case NVKM_VGPU_REG_TYPE:
		return info->type_index;
	case NVKM_VGPU_REG_FB_SIZE_LO:
		return lower_32_bits(info->fb_size);
	case NVKM_VGPU_REG_FB_SIZE_HI:
		return upper_32_bits(info->fb_size);
	case NVKM_VGPU_REG_CHID_COUNT:
		return info->chid_count;
	case NVKM_VGPU_REG_ENGINES:
		return info->engines;
	case NVKM_VGPU_REG_SCRATCH:
		return bar0->scratch;
	case NVKM_VGPU_REG_INTR_STATUS:
		return bar0->intr_status;
	case NVKM_VGPU_REG_INTR_ENABLE:
		return bar0->intr_enable;
	case NVKM_VGPU_REG_MBOX_STATUS:
		return bar0->mbox_status;
	case NVKM_VGPU_REG_MBOX_RESULT:
		return bar0->mbox_result;
	}
	if (nvkm_vgpu_bar0_doorbell(bar0, reg, &index))
		return bar0->doorbells[index];
	if (nvkm_vgpu_bar0_chan_reg(bar0, NVKM_VGPU_REG_CHAN_STATE(0), reg,
				    &index))
		return bar0->chan_state[index];
	if (nvkm_vgpu_bar0_mbox_arg(reg, &index))
		return bar0->mbox_args[index];
	return 0;
}

static void nvkm_vgpu_bar0_reg_write(struct nvkm_vgpu_bar0 *bar0, u32 reg,
				     u32 val)
{
	u32 index;

	switch (reg) {
	case NVKM_VGPU_REG_SCRATCH:
		bar0->scratch = val;
		return;
	case NVKM_VGPU_REG_INTR_STATUS:
		bar0->intr_status &= ~val;
		return;
	case NVKM_VGPU_REG_INTR_ENABLE:
		bar0->intr_enable = val & NVKM_VGPU_INTR_ALL;
		return;
	case NVKM_VGPU_REG_INTR_TRIGGER:
		nvkm_vgpu_bar0_raise(bar0, val);
		return;
	case NVKM_VGPU_REG_MBOX_CMD:
		/* Any value, even 0 or unknown, is a request to answer. */
		bar0->mbox_cmd = val;
		bar0->mbox_pending = true;
		return;
	case NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING:
		if (val < bar0->info.chid_count)
			set_bit(val, bar0->kicks);
		return;
	}
	if (nvkm_vgpu_bar0_doorbell(bar0, reg, &index)) {
		bar0->doorbells[index] = val;
		bar0->intr_status |= NVKM_VGPU_INTR_DOORBELL;
		set_bit(index, bar0->kicks);
	} else if (nvkm_vgpu_bar0_mbox_arg(reg, &index)) {
		bar0->mbox_args[index] = val;
	}
}

static bool nvkm_vgpu_bar0_access_valid(u32 pos, u32 count)
{
	return (count == 1 || count == 2 || count == 4 || count == 8) &&
	       pos < NVKM_VGPU_BAR0_SIZE && count <= NVKM_VGPU_BAR0_SIZE - pos;
}

/**
 * nvkm_vgpu_bar0_read() - a guest read of BAR0
 * @bar0: the register file
 * @pos: offset in BAR0
 * @buf: where the bytes go, little endian
 * @count: 1, 2, 4 or 8
 *
 * Return: @count, or -EINVAL for another size or an access past the BAR.
 */
int nvkm_vgpu_bar0_read(struct nvkm_vgpu_bar0 *bar0, u32 pos, void *buf,
			u32 count)
{
	u8 *bytes = buf;
	u32 i;

	if (!nvkm_vgpu_bar0_access_valid(pos, count))
		return -EINVAL;
	for (i = 0; i < count; i++) {
		u32 at = pos + i;
		u32 reg = nvkm_vgpu_bar0_reg_read(bar0, ALIGN_DOWN(at, 4));

		bytes[i] = reg >> (8 * (at & 3));
	}
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_read);

/**
 * nvkm_vgpu_bar0_write() - a guest write to BAR0
 * @bar0: the register file
 * @pos: offset in BAR0
 * @buf: the bytes, little endian
 * @count: 1, 2, 4 or 8
 *
 * Only 4-byte aligned 4- and 8-byte writes reach registers; narrower or
 * unaligned writes are dropped and still succeed.
 *
 * Return: @count, or -EINVAL for another size or an access past the BAR.
 */
int nvkm_vgpu_bar0_write(struct nvkm_vgpu_bar0 *bar0, u32 pos,
			 const void *buf, u32 count)
{
	u32 i;

	if (!nvkm_vgpu_bar0_access_valid(pos, count))
		return -EINVAL;
	if (count < 4 || !IS_ALIGNED(pos, 4))
		return count;
	for (i = 0; i < count; i += 4)
		nvkm_vgpu_bar0_reg_write(bar0, pos + i,
					 get_unaligned_le32(buf + i));
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_write);
