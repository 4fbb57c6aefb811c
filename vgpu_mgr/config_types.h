/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_CONFIG_TYPES_H__
#define __NVKM_VGPU_CONFIG_TYPES_H__

#include <linux/pci_regs.h>
#include <linux/types.h>

/** define NVKM_VGPU_CONFIG_SIZE - bytes of a vGPU's PCI configuration space */
#define NVKM_VGPU_CONFIG_SIZE PCI_CFG_SPACE_EXP_SIZE

/** define NVKM_VGPU_CONFIG_CLASS_COMPUTE - class code of compute types (3D controller) */
#define NVKM_VGPU_CONFIG_CLASS_COMPUTE 0x030200
/** define NVKM_VGPU_CONFIG_CLASS_DISPLAY - class code of display types (VGA compatible) */
#define NVKM_VGPU_CONFIG_CLASS_DISPLAY 0x030000

/**
 * struct nvkm_vgpu_config_id - what a vGPU's configuration space reports
 * @vendor_id: PCI vendor ID (0x10de).
 * @device_id: PCI device ID.
 * @subsystem_vendor_id: PCI subsystem vendor ID.
 * @subsystem_id: PCI subsystem ID.
 * @class_code: base class << 16 | sub-class << 8 | programming interface:
 *	%NVKM_VGPU_CONFIG_CLASS_COMPUTE or %NVKM_VGPU_CONFIG_CLASS_DISPLAY.
 *	Bits above 23 are ignored.
 * @revision: revision ID.
 * @bar0_size: bytes of BAR0, the register BAR (32-bit, non-prefetchable,
 *	16 MiB on NVIDIA GPUs).
 * @bar1_size: bytes of BAR1, the framebuffer aperture (64-bit, prefetchable).
 * @bar3_size: bytes of BAR3 (64-bit, prefetchable, 32 MiB on an H100);
 *	0 when the vGPU has none.
 *
 * A BAR decodes a naturally aligned power-of-two range, so
 * nvkm_vgpu_config_init() rounds each non-zero size up to a power of two of
 * at least 16 bytes (at most 2 GiB for the 32-bit BAR0); a size of 0 leaves
 * the BAR absent.
 */
struct nvkm_vgpu_config_id {
	u16 vendor_id;
	u16 device_id;
	u16 subsystem_vendor_id;
	u16 subsystem_id;
	u32 class_code;
	u8 revision;
	u64 bar0_size;
	u64 bar1_size;
	u64 bar3_size;
};

/**
 * struct nvkm_vgpu_config - the emulated PCI configuration space of one vGPU
 * @id: identity and BAR sizes as passed to nvkm_vgpu_config_init();
 *	nvkm_vgpu_config_reset() rebuilds the power-on state from it.
 * @bar_size: decoded bytes of each BAR, indexed like the VFIO regions
 *	(index N is BARN): non-zero only for 0, 1 and 3 (when present); the
 *	slots of BAR2 and BAR4 hold the upper halves of BAR1 and BAR3.
 * @bar_flags: the read-only low bits of each BAR (PCI_BASE_ADDRESS_*
 *	memory type and prefetch bits); 0 where @bar_size is 0.
 * @space: the bytes a guest reads, little-endian as on the bus.
 * @wmask: per byte of @space, the bits a guest write stores.
 * @w1cmask: per byte of @space, the bits a guest clears by writing 1
 *	(write-1-to-clear status bits); disjoint from @wmask.
 *
 * Locking: the object takes no lock. The caller serializes every call on one
 * object; the VFIO device holds its own mutex around each of them, and that
 * mutex guards @space. @id, @bar_size, @bar_flags, @wmask and @w1cmask are
 * written only by nvkm_vgpu_config_init() and are read-only afterwards.
 *
 * The object is about 12 KiB: embed it in a heap-allocated object, never
 * on the stack.
 */
struct nvkm_vgpu_config {
	struct nvkm_vgpu_config_id id;
	u64 bar_size[PCI_STD_NUM_BARS];
	u32 bar_flags[PCI_STD_NUM_BARS];
	u8 space[NVKM_VGPU_CONFIG_SIZE];
	u8 wmask[NVKM_VGPU_CONFIG_SIZE];
	u8 w1cmask[NVKM_VGPU_CONFIG_SIZE];
};

#endif /* __NVKM_VGPU_CONFIG_TYPES_H__ */
