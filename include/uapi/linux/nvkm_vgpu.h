/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nvkm-vgpu guest-visible interface: the virtual GPU's BAR0 registers.
 *
 * A stable, versioned ABI. Every register is 32 bits wide and little endian.
 * Reads of 1, 2 or 4 bytes inside one register return the addressed bytes;
 * an 8-byte access is two 4-byte accesses. Writes take effect only when
 * they are 4 bytes wide and 4-byte aligned; narrower or unaligned writes are
 * dropped. Offsets no register occupies read as zero and ignore writes.
 * A guest sees only its own relative view: FB offsets 0..FB_SIZE-1 and
 * channels 0..CHID_COUNT-1, nothing of where its slice sits on the
 * physical GPU. Version 2 dropped version 1's CHID_BASE (0xf00018) and
 * PLACEMENT (0xf00024), which told exactly that; both offsets now read 0.
 * See Documentation/bar0.rst.
 */
#ifndef _UAPI_LINUX_NVKM_VGPU_H
#define _UAPI_LINUX_NVKM_VGPU_H

#include <linux/types.h>

#define NVKM_VGPU_UAPI_VERSION		2

#define NVKM_VGPU_BAR0_SIZE		0x01000000	/* 16 MiB */

/* Identity, as NVIDIA's PMC block reports it. */
#define NVKM_VGPU_REG_BOOT_0		0x000000	/* RO: chip ID */

/* The vGPU block: what this virtual GPU is. */
#define NVKM_VGPU_REG_MAGIC		0xf00000	/* RO: NVKM_VGPU_MAGIC */
#define NVKM_VGPU_REG_VERSION		0xf00004	/* RO: NVKM_VGPU_UAPI_VERSION */
#define NVKM_VGPU_REG_DEVICE		0xf00008	/* RO: PCI vendor | device << 16 */
#define NVKM_VGPU_REG_TYPE		0xf0000c	/* RO: type index in the catalogue */
#define NVKM_VGPU_REG_FB_SIZE_LO	0xf00010	/* RO: slice FB bytes, low 32 bits */
#define NVKM_VGPU_REG_FB_SIZE_HI	0xf00014	/* RO: slice FB bytes, high 32 bits */
#define NVKM_VGPU_REG_CHID_COUNT	0xf0001c	/* RO: channels, numbered 0..n-1 */
#define NVKM_VGPU_REG_ENGINES		0xf00020	/* RO: bitmap, NVKM_VGPU_ENGINE_BIT_* */
#define NVKM_VGPU_REG_SCRATCH		0xf00028	/* RW: guest scratch, 0 at reset */

#define NVKM_VGPU_MAGIC			0x5647564e	/* "NVGV" */

#define NVKM_VGPU_ENGINE_BIT_GR		(1u << 0)
#define NVKM_VGPU_ENGINE_BIT_CE		(1u << 1)
#define NVKM_VGPU_ENGINE_BIT_NVDEC	(1u << 2)
#define NVKM_VGPU_ENGINE_BIT_NVENC	(1u << 3)
#define NVKM_VGPU_ENGINE_BIT_NVJPG	(1u << 4)
#define NVKM_VGPU_ENGINE_BIT_OFA	(1u << 5)

/* Interrupts. The device interrupts while INTR_STATUS & INTR_ENABLE != 0. */
#define NVKM_VGPU_REG_INTR_STATUS	0xf00100	/* RW1C: pending sources */
#define NVKM_VGPU_REG_INTR_ENABLE	0xf00104	/* RW: enabled sources */
#define NVKM_VGPU_REG_INTR_TRIGGER	0xf00108	/* WO: set STATUS bits; reads 0 */

#define NVKM_VGPU_INTR_SOFTWARE		(1u << 0)	/* raised through INTR_TRIGGER */
#define NVKM_VGPU_INTR_DOORBELL		(1u << 1)	/* a doorbell was rung */
#define NVKM_VGPU_INTR_ALL		(NVKM_VGPU_INTR_SOFTWARE | NVKM_VGPU_INTR_DOORBELL)

/* Channel doorbells: one register per channel of the vGPU. */
#define NVKM_VGPU_REG_DOORBELL(n)	(0xf10000 + 4 * (n))	/* RW: last value rung */
#define NVKM_VGPU_DOORBELL_MAX		4096

#endif /* _UAPI_LINUX_NVKM_VGPU_H */
