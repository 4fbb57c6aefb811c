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
 */
#include <linux/align.h>
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
	if (!bar0->doorbells)
		return -ENOMEM;
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
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_bar0_fini);

/**
 * nvkm_vgpu_bar0_reset() - put every writable register back to power-on
 * @bar0: the register file
 *
 * Scratch, interrupt status and enable, and every doorbell read 0 again.
 */
void nvkm_vgpu_bar0_reset(struct nvkm_vgpu_bar0 *bar0)
{
	bar0->scratch = 0;
	bar0->intr_status = 0;
	bar0->intr_enable = 0;
	memset(bar0->doorbells, 0,
	       bar0->info.chid_count * sizeof(*bar0->doorbells));
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

static bool nvkm_vgpu_bar0_doorbell(const struct nvkm_vgpu_bar0 *bar0,
				    u32 reg, u32 *index)
{
	if (reg < NVKM_VGPU_REG_DOORBELL(0) ||
	    reg >= NVKM_VGPU_REG_DOORBELL(bar0->info.chid_count))
		return false;
	*index = (reg - NVKM_VGPU_REG_DOORBELL(0)) / 4;
	return true;
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
	}
	if (nvkm_vgpu_bar0_doorbell(bar0, reg, &index))
		return bar0->doorbells[index];
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
		bar0->intr_status |= val & NVKM_VGPU_INTR_ALL;
		return;
	}
	if (nvkm_vgpu_bar0_doorbell(bar0, reg, &index)) {
		bar0->doorbells[index] = val;
		bar0->intr_status |= NVKM_VGPU_INTR_DOORBELL;
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
