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
 * Version 3 added channels: the mailbox, channel states, the usermode
 * doorbell, the GPU address space, the classes and methods engines run, and
 * the NONSTALL, CHANNEL and MAILBOX interrupts.
 * See Documentation/bar0.rst and Documentation/channels.rst.
 */
#ifndef _UAPI_LINUX_NVKM_VGPU_H
#define _UAPI_LINUX_NVKM_VGPU_H

#include <linux/types.h>

#define NVKM_VGPU_UAPI_VERSION		3

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
#define NVKM_VGPU_INTR_NONSTALL		(1u << 2)	/* a NON_STALL_INTERRUPT ran */
#define NVKM_VGPU_INTR_CHANNEL		(1u << 3)	/* a channel stopped on an error */
#define NVKM_VGPU_INTR_MAILBOX		(1u << 4)	/* a mailbox request finished */
#define NVKM_VGPU_INTR_ALL		(NVKM_VGPU_INTR_SOFTWARE | NVKM_VGPU_INTR_DOORBELL | \
					 NVKM_VGPU_INTR_NONSTALL | NVKM_VGPU_INTR_CHANNEL | \
					 NVKM_VGPU_INTR_MAILBOX)

/*
 * Channel doorbells: one register per channel of the vGPU. Writing one
 * records the value and, for an allocated channel, tells the GPU that its
 * GP_PUT may have moved, as NOTIFY_CHANNEL_PENDING does.
 */
#define NVKM_VGPU_REG_DOORBELL(n)	(0xf10000 + 4 * (n))	/* RW: last value rung */
#define NVKM_VGPU_DOORBELL_MAX		4096

/*
 * The usermode doorbell, where Volta and later GPUs have it (VOLTA_USERMODE_A,
 * class 0xc361, at BAR0 0x810000; nouveau's gv100_user_doorbell()): write a
 * channel number to tell the GPU its GP_PUT may have moved. Reads 0.
 */
#define NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING	0x810090	/* WO: channel number */

/*
 * Channel states, one register per channel (RO):
 * bits 1:0 the state, bits 31:16 the NVKM_VGPU_CHAN_ERR_* code that stopped
 * a channel in the ERROR state (0 otherwise).
 */
#define NVKM_VGPU_REG_CHAN_STATE(n)	(0xf20000 + 4 * (n))
#define NVKM_VGPU_CHAN_STATE_FREE	0	/* not allocated */
#define NVKM_VGPU_CHAN_STATE_ACTIVE	1	/* allocated, runs what it is given */
#define NVKM_VGPU_CHAN_STATE_ERROR	2	/* stopped until CHAN_RESET or CHAN_FREE */
#define NVKM_VGPU_CHAN_STATE_MASK	0x3
#define NVKM_VGPU_CHAN_STATE_ERR_SHIFT	16

/*
 * The mailbox: the guest's requests to the host (channel allocation and
 * release). Write the arguments, then the command: the write of MBOX_CMD
 * returns once the host has answered, with MBOX_STATUS and MBOX_RESULT set
 * and NVKM_VGPU_INTR_MAILBOX raised. Arguments keep their values.
 */
#define NVKM_VGPU_REG_MBOX_CMD		0xf30000	/* WO: NVKM_VGPU_MBOX_CMD_*; reads 0 */
#define NVKM_VGPU_REG_MBOX_STATUS	0xf30004	/* RO: NVKM_VGPU_MBOX_* answer */
#define NVKM_VGPU_REG_MBOX_RESULT	0xf30008	/* RO: channel number, or 0 */
#define NVKM_VGPU_REG_MBOX_ARG(n)	(0xf30010 + 4 * (n))	/* RW: n < 8 */
#define NVKM_VGPU_MBOX_ARGS		8

/*
 * CHAN_ALLOC: ARG0 the class the channel's engine runs (NVKM_VGPU_CLASS_COPY
 * or NVKM_VGPU_CLASS_SIM_BUSY), ARG1/ARG2 the GPFIFO's GPU address (low, high;
 * 8-byte aligned), ARG3 its number of entries (a power of two, 2 to
 * NVKM_VGPU_GPFIFO_ENTRIES_MAX), ARG4/ARG5 USERD's GPU address (512-byte
 * aligned, NVKM_VGPU_USERD_SIZE bytes), ARG6/ARG7 the error notifier's GPU
 * address (16-byte aligned, 16 bytes). RESULT: the channel number, the lowest
 * free one. CHAN_FREE and CHAN_RESET: ARG0 the channel number.
 */
#define NVKM_VGPU_MBOX_CMD_CHAN_ALLOC	1
#define NVKM_VGPU_MBOX_CMD_CHAN_FREE	2
#define NVKM_VGPU_MBOX_CMD_CHAN_RESET	3

#define NVKM_VGPU_MBOX_OK		0
#define NVKM_VGPU_MBOX_BAD_CMD		1	/* unknown command */
#define NVKM_VGPU_MBOX_BAD_CLASS	2	/* no engine of this vGPU runs the class */
#define NVKM_VGPU_MBOX_BAD_ADDRESS	3	/* misaligned, or outside the address space */
#define NVKM_VGPU_MBOX_BAD_SIZE		4	/* GPFIFO entries not a power of two in range */
#define NVKM_VGPU_MBOX_NO_CHANNEL	5	/* every channel is allocated */
#define NVKM_VGPU_MBOX_BAD_CHANNEL	6	/* not a channel number, or not allocated */
#define NVKM_VGPU_MBOX_HOST_ERROR	7	/* the host could not (out of memory) */

#define NVKM_VGPU_GPFIFO_ENTRIES_MAX	65536
#define NVKM_VGPU_USERD_SIZE		512

/*
 * The GPU address space of a vGPU: GPU addresses [0, FB_SIZE) are its
 * framebuffer; [NVKM_VGPU_VA_SYSMEM, NVKM_VGPU_VA_SYSMEM + NVKM_VGPU_VA_SYSMEM_SIZE)
 * is the guest's memory, at IOVA (address - NVKM_VGPU_VA_SYSMEM) of the VFIO
 * container or IOAS. Anything else, or an IOVA that is not mapped, is an MMU
 * fault of the channel that used it.
 */
#define NVKM_VGPU_VA_SYSMEM		0x8000000000ull	/* 512 GiB */
#define NVKM_VGPU_VA_SYSMEM_SIZE	0x8000000000ull

/* USERD, as VOLTA_CHANNEL_GPFIFO_A's (clc36f.h Nvc36fControl). */
#define NVKM_VGPU_USERD_GP_GET		0x88	/* written by the GPU: next entry it reads */
#define NVKM_VGPU_USERD_GP_PUT		0x8c	/* written by the guest: entry after its last */

/* A GPFIFO entry, 8 bytes, as clc36f.h's NVC36F_GP_ENTRY0/1. */
#define NVKM_VGPU_GP_ENTRY0_GET_MASK	0xfffffffc	/* push buffer address bits 31:2 */
#define NVKM_VGPU_GP_ENTRY1_GET_HI_MASK	0x000000ff	/* push buffer address bits 39:32 */
#define NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT 10		/* bits 30:10: length in dwords, 0: no-op */
#define NVKM_VGPU_GP_ENTRY1_LENGTH_MASK	0x1fffff

/* Push buffer method headers, as clc36f.h's NVC36F_DMA_*. */
#define NVKM_VGPU_DMA_ADDRESS_MASK	0xfff		/* bits 11:0: method >> 2 */
#define NVKM_VGPU_DMA_SUBCH_SHIFT	13		/* bits 15:13 */
#define NVKM_VGPU_DMA_COUNT_SHIFT	16		/* bits 28:16: count, or immediate data */
#define NVKM_VGPU_DMA_COUNT_MASK	0x1fff
#define NVKM_VGPU_DMA_SEC_OP_SHIFT	29		/* bits 31:29 */
#define NVKM_VGPU_DMA_SEC_OP_INC_METHOD		1
#define NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD	3
#define NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD	4
#define NVKM_VGPU_DMA_SEC_OP_ONE_INC		5

/*
 * Classes. Host methods (below 0x100) are the channel's on every
 * subchannel; methods from 0x100 go to the object SET_OBJECT bound to the
 * subchannel, which must be the class the channel was allocated for.
 */
#define NVKM_VGPU_CLASS_HOST		0xc36f	/* VOLTA_CHANNEL_GPFIFO_A */
#define NVKM_VGPU_CLASS_COPY		0xc3b5	/* VOLTA_DMA_COPY_A, on a CE engine */
#define NVKM_VGPU_CLASS_SIM_BUSY	0x5eb0	/* not NVIDIA's: the simulator's GR engine */

/* Host methods (clc36f.h). */
#define NVKM_VGPU_HOST_SET_OBJECT	0x0000	/* data: a class */
#define NVKM_VGPU_HOST_NON_STALL_INTERRUPT 0x0020
#define NVKM_VGPU_HOST_SET_REFERENCE	0x0050	/* data: stored in USERD 0x48 */
#define NVKM_VGPU_HOST_SEM_ADDR_LO	0x005c	/* bits 31:2 of the address */
#define NVKM_VGPU_HOST_SEM_ADDR_HI	0x0060	/* bits 7:0: address bits 39:32 */
#define NVKM_VGPU_HOST_SEM_PAYLOAD_LO	0x0064
#define NVKM_VGPU_HOST_SEM_PAYLOAD_HI	0x0068
#define NVKM_VGPU_HOST_SEM_EXECUTE	0x006c
#define NVKM_VGPU_HOST_WFI		0x0078

#define NVKM_VGPU_USERD_REFERENCE	0x48

#define NVKM_VGPU_SEM_OP_MASK		0x7		/* bits 2:0 */
#define NVKM_VGPU_SEM_OP_ACQUIRE	0		/* wait for == payload */
#define NVKM_VGPU_SEM_OP_RELEASE	1		/* write payload */
#define NVKM_VGPU_SEM_OP_ACQ_STRICT_GEQ	2		/* wait for >= payload, unsigned */
#define NVKM_VGPU_SEM_RELEASE_WFI	(1u << 20)
#define NVKM_VGPU_SEM_PAYLOAD_64BIT	(1u << 24)
#define NVKM_VGPU_SEM_RELEASE_TIMESTAMP	(1u << 25)	/* payload at +0, ns at +8 */

/* VOLTA_DMA_COPY_A methods (clc3b5.h), pitch layout only. */
#define NVKM_VGPU_COPY_SET_SEMAPHORE_A	0x0240	/* bits 16:0: address bits 48:32 */
#define NVKM_VGPU_COPY_SET_SEMAPHORE_B	0x0244	/* address bits 31:0 */
#define NVKM_VGPU_COPY_SET_SEMAPHORE_PAYLOAD 0x0248
#define NVKM_VGPU_COPY_LAUNCH_DMA	0x0300
#define NVKM_VGPU_COPY_OFFSET_IN_UPPER	0x0400
#define NVKM_VGPU_COPY_OFFSET_IN_LOWER	0x0404
#define NVKM_VGPU_COPY_OFFSET_OUT_UPPER	0x0408
#define NVKM_VGPU_COPY_OFFSET_OUT_LOWER	0x040c
#define NVKM_VGPU_COPY_PITCH_IN		0x0410
#define NVKM_VGPU_COPY_PITCH_OUT	0x0414
#define NVKM_VGPU_COPY_LINE_LENGTH_IN	0x0418	/* bytes, or elements with REMAP */
#define NVKM_VGPU_COPY_LINE_COUNT	0x041c
#define NVKM_VGPU_COPY_SET_REMAP_CONST_A 0x0700
#define NVKM_VGPU_COPY_SET_REMAP_CONST_B 0x0704
#define NVKM_VGPU_COPY_SET_REMAP_COMPONENTS 0x0708

/* LAUNCH_DMA fields. */
#define NVKM_VGPU_COPY_LAUNCH_TRANSFER_MASK	0x3		/* bits 1:0: 0 none, 1, 2 copy */
#define NVKM_VGPU_COPY_LAUNCH_SEM_SHIFT		3		/* bits 4:3 */
#define NVKM_VGPU_COPY_LAUNCH_SEM_NONE		0
#define NVKM_VGPU_COPY_LAUNCH_SEM_ONE_WORD	1		/* payload, 4 bytes */
#define NVKM_VGPU_COPY_LAUNCH_SEM_FOUR_WORD	2		/* payload, 0, ns: 16 bytes */
#define NVKM_VGPU_COPY_LAUNCH_INTR_SHIFT	5		/* bits 6:5: 2 non-stall intr */
#define NVKM_VGPU_COPY_LAUNCH_INTR_NON_BLOCKING	2
#define NVKM_VGPU_COPY_LAUNCH_SRC_PITCH		(1u << 7)	/* required: no block linear */
#define NVKM_VGPU_COPY_LAUNCH_DST_PITCH		(1u << 8)	/* required */
#define NVKM_VGPU_COPY_LAUNCH_MULTI_LINE	(1u << 9)
#define NVKM_VGPU_COPY_LAUNCH_REMAP		(1u << 10)
#define NVKM_VGPU_COPY_LAUNCH_SRC_PHYSICAL	(1u << 12)	/* refused: virtual only */
#define NVKM_VGPU_COPY_LAUNCH_DST_PHYSICAL	(1u << 13)	/* refused: virtual only */

/* SET_REMAP_COMPONENTS fields: DST_X 2:0, DST_Y 6:4, DST_Z 10:8, DST_W 14:12. */
#define NVKM_VGPU_REMAP_SRC_X		0
#define NVKM_VGPU_REMAP_SRC_Y		1
#define NVKM_VGPU_REMAP_SRC_Z		2
#define NVKM_VGPU_REMAP_SRC_W		3
#define NVKM_VGPU_REMAP_CONST_A		4
#define NVKM_VGPU_REMAP_CONST_B		5
#define NVKM_VGPU_REMAP_NO_WRITE	6
#define NVKM_VGPU_REMAP_COMPONENT_SIZE_SHIFT	16	/* bits 17:16: size - 1 bytes */
#define NVKM_VGPU_REMAP_NUM_SRC_SHIFT		20	/* bits 21:20: count - 1 */
#define NVKM_VGPU_REMAP_NUM_DST_SHIFT		24	/* bits 25:24: count - 1 */

/* NVKM_VGPU_CLASS_SIM_BUSY methods: keep the engine busy for N ns. */
#define NVKM_VGPU_SIM_BUSY_NS_LO	0x0200
#define NVKM_VGPU_SIM_BUSY_NS_HI	0x0204
#define NVKM_VGPU_SIM_BUSY_LAUNCH	0x0208	/* data 0: run BUSY_NS */

/*
 * Why a channel stopped: the CHAN_STATE error field and the notifier's
 * info32. The numbers are NVIDIA's Xid codes for the same events.
 */
#define NVKM_VGPU_CHAN_ERR_NONE		0
#define NVKM_VGPU_CHAN_ERR_TIMEOUT	8	/* ran past the preemption timeout */
#define NVKM_VGPU_CHAN_ERR_METHOD	13	/* bad method, class or method data */
#define NVKM_VGPU_CHAN_ERR_MMU_FAULT	31	/* an address outside the address space */
#define NVKM_VGPU_CHAN_ERR_PUSHBUFFER	32	/* bad GPFIFO entry or method header */

/*
 * The error notifier, 16 bytes as NVIDIA's NvNotification: written when
 * the channel stops, before NVKM_VGPU_INTR_CHANNEL.
 */
struct nvkm_vgpu_notifier {
	__u64 timestamp;	/* host ns, CLOCK_MONOTONIC */
	__u32 info32;		/* NVKM_VGPU_CHAN_ERR_* */
	__u16 info16;		/* 0 */
	__u16 status;		/* NVKM_VGPU_NOTIFIER_STATUS_ERROR */
};

#define NVKM_VGPU_NOTIFIER_STATUS_ERROR	0xffff

#endif /* _UAPI_LINUX_NVKM_VGPU_H */
