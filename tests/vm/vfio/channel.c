// SPDX-License-Identifier: GPL-2.0
/*
 * channel: a guest driver's use of channels (uAPI version 3).
 *
 * Two tiny-1c vGPUs, each with guest memory: an anonymous buffer mapped
 * with VFIO_IOMMU_MAP_DMA at IOVA SYS_IOVA of its container, which the GPU
 * reaches at NVKM_VGPU_VA_SYSMEM + SYS_IOVA, and the start of its FB mapped
 * through BAR1 (GPU address = FB offset). Channels are asked for through
 * the mailbox, fed NVIDIA-format GPFIFO entries and push buffers, and
 * kicked through NOTIFY_CHANNEL_PENDING or their DOORBELL(n); completion is
 * seen through semaphores the channels release. Documentation/channels.rst
 * is the programming model this follows.
 *
 * Checked: the mailbox and its refusals (bad command, class, addresses,
 * GPFIFO sizes, channel numbers, allocation until NO_CHANNEL, lowest free
 * number first); GP_GET, SET_REFERENCE and every method header format;
 * copies FB->FB, FB->sysmem, sysmem->FB compared byte for byte, a pitch
 * multi-line copy and a memset through remap; host semaphore releases
 * (32/64 bit, with and without timestamp) and the copy engine's one- and
 * four-word semaphores; acquires (EQ, STRICT_GEQ) chaining two channels
 * and two engines; the non-stall interrupt through MSI; each fault (MMU
 * fault at the FB window's end, at an unmapped IOVA, outside any window;
 * bad method header; bad class, unbound subchannel, bad method data) stops
 * that channel only, with CHAN_STATE, the notifier and INTR_CHANNEL telling
 * why, and CHAN_RESET makes it usable again; a long busy launch stopped
 * with code 8 when another channel waits for its engine; two vGPUs busy at
 * once, and one's channel unable to reach the other's FB; VFIO_DEVICE_RESET
 * and close free every channel. Every wait has a deadline.
 *
 * Usage: channel
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define BAR1 VFIO_PCI_BAR1_REGION_INDEX

#define SYS_IOVA	0x10000000ull	/* guest memory, in the container */
#define SYS_SIZE	(8u << 20)
#define HOLE_IOVA	0x40000000ull	/* never mapped */
#define FB_MAP_SIZE	(8u << 20)	/* the start of the FB, through BAR1 */
#define FB_IMMD_SIZE	8192		/* FB addresses an IMMD header can carry */

#define PB_SIZE		(64u << 10)	/* push buffer space per channel */
#define PUSH_MAX	1024		/* dwords in one push segment */
#define GPFIFO_ENTRIES	64
#define COPY_BYTES	(384u << 10)
#define SUBC		0		/* where each channel's object is bound */

#define WAIT_MS		10000		/* for what must happen */
#define QUIET_MS	300		/* to see that something does not */
#define BUSY_LONG_NS	5000000000ull
#define TIMEOUT_STOP_MS	1000		/* time slice + preemption timeout, with room */

#define ERR_STATE(code) \
	(NVKM_VGPU_CHAN_STATE_ERROR | (code) << NVKM_VGPU_CHAN_STATE_ERR_SHIFT)

#define LAUNCH_COPY	(2 | NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | \
			 NVKM_VGPU_COPY_LAUNCH_DST_PITCH)
#define LAUNCH_PIPELINED (1 | NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | \
			  NVKM_VGPU_COPY_LAUNCH_DST_PITCH)
#define LAUNCH_SEM1	(NVKM_VGPU_COPY_LAUNCH_SEM_ONE_WORD << \
			 NVKM_VGPU_COPY_LAUNCH_SEM_SHIFT)
#define LAUNCH_SEM4	(NVKM_VGPU_COPY_LAUNCH_SEM_FOUR_WORD << \
			 NVKM_VGPU_COPY_LAUNCH_SEM_SHIFT)
#define LAUNCH_NONSTALL	(NVKM_VGPU_COPY_LAUNCH_INTR_NON_BLOCKING << \
			 NVKM_VGPU_COPY_LAUNCH_INTR_SHIFT)

#define FENCE_EXEC	(NVKM_VGPU_SEM_OP_RELEASE | NVKM_VGPU_SEM_RELEASE_WFI)

/* Memory both the CPU (@cpu) and the GPU (@gpu, a GPU address) reach. */
struct gmem {
	u8 *cpu;
	u64 gpu;
	u64 size;
};

/* A bump allocator over one mapped window of the GPU address space. */
struct arena {
	u8 *cpu;
	u64 gpu;
	u64 size;
	u64 used;
};

struct vgpu {
	struct vdev d;
	const char *name;
	u64 fb_size;
	u32 nr_chan;
	u8 *bar1;		/* FB bytes [0, FB_MAP_SIZE) */
	u8 *sys;		/* guest memory at IOVA SYS_IOVA */
	struct arena fb;	/* from FB_IMMD_SIZE: the low FB is handed out by hand */
	struct arena mem;
};

struct chan {
	struct vgpu *g;
	const char *name;
	u32 id;
	u32 cls;
	bool usermode;		/* kick through NOTIFY_CHANNEL_PENDING */
	struct gmem gpfifo;
	u32 entries;
	u32 put;
	u32 rung;		/* the last value written to DOORBELL(id) */
	struct gmem userd;
	struct gmem notifier;
	struct gmem pb;
	u64 pb_used;
	struct gmem fence;	/* the host semaphore push_fence() releases */
	u32 seq;
};

/* One push buffer segment being written, kicked as one GPFIFO entry. */
struct push {
	struct chan *ch;
	u32 *cpu;
	u64 gpu;
	u32 len;
};

static u32 lo32(u64 v)
{
	return (u32)v;
}

static u32 hi32(u64 v)
{
	return (u32)(v >> 32);
}

static u32 rd32(const void *p)
{
	return __atomic_load_n((const u32 *)p, __ATOMIC_ACQUIRE);
}

static u64 rd64(const void *p)
{
	return (u64)rd32((const u8 *)p + 4) << 32 | rd32(p);
}

static void wr32(void *p, u32 v)
{
	__atomic_store_n((u32 *)p, v, __ATOMIC_RELEASE);
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/* Whether the u32 at @p reads @want within @ms. */
static bool wait_mem(const void *p, u32 want, unsigned int ms)
{
	u64 end = now_us() + (u64)ms * 1000;

	while (rd32(p) != want) {
		if (now_us() > end)
			return rd32(p) == want;
		usleep(500);
	}
	return true;
}

static struct gmem arena_get(struct arena *a, u64 size, u64 align)
{
	u64 off = (a->used + align - 1) & ~(align - 1);
	struct gmem m;

	if (off + size > a->size)
		tap_bail("guest memory arena of %llu bytes exhausted",
			 (unsigned long long)a->size);
	m.cpu = a->cpu + off;
	m.gpu = a->gpu + off;
	m.size = size;
	memset(m.cpu, 0, size);
	a->used = off + size;
	return m;
}

static struct gmem sys_get(struct vgpu *g, u64 size)
{
	return arena_get(&g->mem, size, 4096);
}

static struct gmem fb_get(struct vgpu *g, u64 size)
{
	return arena_get(&g->fb, size, 4096);
}

/* A 16-byte semaphore slot in guest memory, filled with 0xff sentinels. */
static struct gmem sem_new(struct vgpu *g)
{
	struct gmem m = arena_get(&g->mem, 16, 16);

	memset(m.cpu, 0xff, 16);
	return m;
}

static void fill(u8 *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 131 + seed + (i >> 9)) | 1;
}

/* Whether @len bytes at @got equal @want; names the first difference. */
static bool same(const u8 *got, const u8 *want, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (got[i] != want[i]) {
			tap_diag("  byte %zu: %#x, want %#x", i, got[i], want[i]);
			return false;
		}
	}
	return true;
}

static bool all_bytes(const u8 *p, size_t len, u8 want)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != want) {
			tap_diag("  byte %zu: %#x, want %#x", i, p[i], want);
			return false;
		}
	}
	return true;
}

/* Registers */

static u32 intr_status(struct vgpu *g)
{
	return bar0_rd(&g->d, NVKM_VGPU_REG_INTR_STATUS);
}

static void intr_clear(struct vgpu *g, u32 bits)
{
	bar0_write(&g->d, NVKM_VGPU_REG_INTR_STATUS, bits);
}

static u32 chan_state_of(struct vgpu *g, u32 id)
{
	return bar0_rd(&g->d, NVKM_VGPU_REG_CHAN_STATE(id));
}

/*
 * One mailbox request: @n arguments, then the command. Returns MBOX_STATUS;
 * MBOX_RESULT goes to @result when non-NULL.
 */
static u32 mbox(struct vgpu *g, u32 cmd, const u32 *arg, unsigned int n,
		u32 *result)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		bar0_write(&g->d, NVKM_VGPU_REG_MBOX_ARG(i), arg[i]);
	bar0_write(&g->d, NVKM_VGPU_REG_MBOX_CMD, cmd);
	if (result)
		*result = bar0_rd(&g->d, NVKM_VGPU_REG_MBOX_RESULT);
	return bar0_rd(&g->d, NVKM_VGPU_REG_MBOX_STATUS);
}

static u32 mbox_chan(struct vgpu *g, u32 cmd, u32 id)
{
	return mbox(g, cmd, &id, 1, NULL);
}

/* CHAN_ALLOC's arguments, in register order. */
struct alloc_args {
	u32 cls;
	u64 gpfifo;
	u32 entries;
	u64 userd;
	u64 notifier;
};

static u32 mbox_alloc(struct vgpu *g, const struct alloc_args *a, u32 *id)
{
	u32 arg[NVKM_VGPU_MBOX_ARGS] = {
		a->cls, lo32(a->gpfifo), hi32(a->gpfifo), a->entries,
		lo32(a->userd), hi32(a->userd), lo32(a->notifier),
		hi32(a->notifier),
	};

	return mbox(g, NVKM_VGPU_MBOX_CMD_CHAN_ALLOC, arg, ARRAY_SIZE(arg), id);
}

/* vGPUs */

static int map_guest_memory(struct vgpu *g)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = SYS_IOVA,
		.size = SYS_SIZE,
	};

	g->sys = mmap(NULL, SYS_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (g->sys == MAP_FAILED)
		return -errno;
	map.vaddr = (uintptr_t)g->sys;
	return ioctl(g->d.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static void vgpu_setup(struct vgpu *g, const struct vgpu_parent *p,
		       const char *type, const char *name)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->name = name;
	ret = vgpu_new(&g->d, p, type);
	if (ret)
		tap_bail("%s: create %s: %s", name, type, errno_name(-ret));
	g->fb_size = (u64)bar0_rd(&g->d, NVKM_VGPU_REG_FB_SIZE_HI) << 32 |
		     bar0_rd(&g->d, NVKM_VGPU_REG_FB_SIZE_LO);
	g->nr_chan = bar0_rd(&g->d, NVKM_VGPU_REG_CHID_COUNT);
	if (g->fb_size < 2 * FB_MAP_SIZE || !g->nr_chan ||
	    g->nr_chan > NVKM_VGPU_DOORBELL_MAX)
		tap_bail("%s: FB_SIZE %#llx, CHID_COUNT %u", name,
			 (unsigned long long)g->fb_size, g->nr_chan);
	g->bar1 = vdev_mmap(&g->d, BAR1, 0, FB_MAP_SIZE, MAP_SHARED);
	if (g->bar1 == MAP_FAILED)
		tap_bail("%s: mmap of BAR1: %s", name, errno_name(errno));
	ret = map_guest_memory(g);
	if (ret)
		tap_bail("%s: guest memory (VFIO_IOMMU_MAP_DMA): %s", name,
			 errno_name(-ret));
	g->fb = (struct arena){ .cpu = g->bar1 + FB_IMMD_SIZE,
				.gpu = FB_IMMD_SIZE,
				.size = FB_MAP_SIZE - FB_IMMD_SIZE };
	g->mem = (struct arena){ .cpu = g->sys,
				 .gpu = NVKM_VGPU_VA_SYSMEM + SYS_IOVA,
				 .size = SYS_SIZE };
	tap_diag("%s: %s, FB %#llx bytes, %u channels, engines %#x, fb_offset %lld",
		 name, g->d.uuid, (unsigned long long)g->fb_size, g->nr_chan,
		 bar0_rd(&g->d, NVKM_VGPU_REG_ENGINES),
		 mdev_ull(g->d.uuid, "fb_offset"));
}

static void vgpu_teardown(struct vgpu *g)
{
	if (g->bar1 && g->bar1 != MAP_FAILED)
		vdev_munmap(g->bar1, FB_MAP_SIZE);
	g->bar1 = NULL;
	tap_errno(vgpu_del(&g->d), 0, "%s: remove the vGPU", g->name);
	munmap(g->sys, SYS_SIZE);
}

/* Channels */

static u32 chan_state(struct chan *ch)
{
	return chan_state_of(ch->g, ch->id);
}

/*
 * Allocates channel memory from @a (GPFIFO, USERD, notifier, push buffers;
 * the fence always in guest memory) and asks for the channel. Returns the
 * mailbox status.
 */
static u32 chan_new(struct chan *ch, struct vgpu *g, struct arena *a, u32 cls,
		    const char *name)
{
	struct alloc_args args;
	u32 status;

	memset(ch, 0, sizeof(*ch));
	ch->g = g;
	ch->name = name;
	ch->cls = cls;
	ch->entries = GPFIFO_ENTRIES;
	ch->gpfifo = arena_get(a, 8 * GPFIFO_ENTRIES, 4096);
	ch->userd = arena_get(a, NVKM_VGPU_USERD_SIZE, NVKM_VGPU_USERD_SIZE);
	ch->notifier = arena_get(a, sizeof(struct nvkm_vgpu_notifier), 16);
	ch->pb = arena_get(a, PB_SIZE, 4096);
	ch->fence = sem_new(g);
	wr32(ch->fence.cpu, 0);
	args = (struct alloc_args){ cls, ch->gpfifo.gpu, ch->entries,
				    ch->userd.gpu, ch->notifier.gpu };
	status = mbox_alloc(g, &args, &ch->id);
	ch->usermode = ch->id % 2;
	return status;
}

static void chan_kick(struct chan *ch)
{
	__sync_synchronize();
	if (ch->usermode) {
		bar0_write(&ch->g->d, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING,
			   ch->id);
	} else {
		ch->rung = ch->put;
		bar0_write(&ch->g->d, NVKM_VGPU_REG_DOORBELL(ch->id), ch->rung);
	}
}

static u32 gp_get(struct chan *ch)
{
	return rd32(ch->userd.cpu + NVKM_VGPU_USERD_GP_GET);
}

static u32 gp_put(struct chan *ch)
{
	return rd32(ch->userd.cpu + NVKM_VGPU_USERD_GP_PUT);
}

/*
 * Appends a GPFIFO entry for @len dwords at @gpu and publishes GP_PUT,
 * once the GPU has read far enough for the ring to have room.
 */
static void chan_entry(struct chan *ch, u64 gpu, u32 len)
{
	u32 next = (ch->put + 1) & (ch->entries - 1);
	u8 *e = ch->gpfifo.cpu + 8 * ch->put;
	u64 end = now_us() + WAIT_MS * 1000ull;

	while (gp_get(ch) == next && now_us() < end)
		usleep(500);

	wr32(e, lo32(gpu) & NVKM_VGPU_GP_ENTRY0_GET_MASK);
	wr32(e + 4, (hi32(gpu) & NVKM_VGPU_GP_ENTRY1_GET_HI_MASK) |
		    len << NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT);
	ch->put = next;
	__sync_synchronize();
	wr32(ch->userd.cpu + NVKM_VGPU_USERD_GP_PUT, ch->put);
}

/* Push buffers */

static void push_begin(struct push *p, struct chan *ch)
{
	if (ch->pb_used + 4 * PUSH_MAX > ch->pb.size)
		ch->pb_used = 0;	/* what was there has run by now */
	p->ch = ch;
	p->cpu = (u32 *)(ch->pb.cpu + ch->pb_used);
	p->gpu = ch->pb.gpu + ch->pb_used;
	p->len = 0;
}

static void push_dw(struct push *p, u32 v)
{
	if (p->len == PUSH_MAX)
		tap_bail("push segment longer than %u dwords", PUSH_MAX);
	wr32(&p->cpu[p->len++], v);
}

static u32 hdr(u32 op, u32 subc, u32 mthd, u32 count)
{
	return op << NVKM_VGPU_DMA_SEC_OP_SHIFT |
	       (count & NVKM_VGPU_DMA_COUNT_MASK) << NVKM_VGPU_DMA_COUNT_SHIFT |
	       subc << NVKM_VGPU_DMA_SUBCH_SHIFT |
	       ((mthd >> 2) & NVKM_VGPU_DMA_ADDRESS_MASK);
}

static void push_op(struct push *p, u32 op, u32 subc, u32 mthd,
		    unsigned int n, const u32 *data)
{
	unsigned int i;

	push_dw(p, hdr(op, subc, mthd, n));
	for (i = 0; i < n; i++)
		push_dw(p, data[i]);
}

static void push_inc(struct push *p, u32 subc, u32 mthd, unsigned int n,
		     const u32 *data)
{
	push_op(p, NVKM_VGPU_DMA_SEC_OP_INC_METHOD, subc, mthd, n, data);
}

static void push_mthd(struct push *p, u32 subc, u32 mthd, u32 data)
{
	push_inc(p, subc, mthd, 1, &data);
}

/* IMMD: the data (13 bits) in the header's count field. */
static void push_immd(struct push *p, u32 subc, u32 mthd, u32 data)
{
	push_dw(p, hdr(NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD, subc, mthd, data));
}

static void push_sem(struct push *p, u32 subc, u64 addr, u64 payload,
		     u32 exec)
{
	u32 d[5] = { lo32(addr), hi32(addr), lo32(payload), hi32(payload),
		     exec };

	push_inc(p, subc, NVKM_VGPU_HOST_SEM_ADDR_LO, 5, d);
}

/* Ends work with a release of the channel's next fence value; returns it. */
static u32 push_fence(struct push *p)
{
	struct chan *ch = p->ch;

	push_sem(p, SUBC, ch->fence.gpu, ++ch->seq, FENCE_EXEC);
	return ch->seq;
}

static void push_bind(struct push *p)
{
	push_mthd(p, SUBC, NVKM_VGPU_HOST_SET_OBJECT, p->ch->cls);
}

/* A pitch copy, @lines lines of @len bytes (or elements with REMAP). */
static void push_copy(struct push *p, u64 src, u64 dst, u32 len, u32 lines,
		      u32 pitch_in, u32 pitch_out, u32 launch)
{
	u32 d[8] = { hi32(src), lo32(src), hi32(dst), lo32(dst), pitch_in,
		     pitch_out, len, lines };

	push_inc(p, SUBC, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 8, d);
	if (lines > 1)
		launch |= NVKM_VGPU_COPY_LAUNCH_MULTI_LINE;
	push_mthd(p, SUBC, NVKM_VGPU_COPY_LAUNCH_DMA, launch);
}

static void push_copy_sem(struct push *p, u64 addr, u32 payload)
{
	u32 d[3] = { hi32(addr), lo32(addr), payload };

	push_inc(p, SUBC, NVKM_VGPU_COPY_SET_SEMAPHORE_A, 3, d);
}

static void push_busy(struct push *p, u64 ns)
{
	u32 d[3] = { lo32(ns), hi32(ns), 0 };

	push_inc(p, SUBC, NVKM_VGPU_SIM_BUSY_NS_LO, 3, d);
}

/* Queues the segment as one GPFIFO entry and rings the channel's doorbell. */
static void push_kick(struct push *p)
{
	struct chan *ch = p->ch;

	ch->pb_used += ((u64)p->len * 4 + 63) & ~63ull;
	chan_entry(ch, p->gpu, p->len);
	chan_kick(ch);
}

static bool chan_wait(struct chan *ch, u32 seq, unsigned int ms)
{
	return wait_mem(ch->fence.cpu, seq, ms);
}

/* Runs a segment with only a fence; whether the channel got through it. */
static bool chan_works(struct chan *ch, bool bind)
{
	struct push p;
	u32 seq;

	push_begin(&p, ch);
	if (bind)
		push_bind(&p);
	seq = push_fence(&p);
	push_kick(&p);
	return chan_wait(ch, seq, WAIT_MS);
}

/* Copies with @ch and waits; whether the fence came. */
static bool copy_wait(struct chan *ch, u64 src, u64 dst, u32 len, u32 lines,
		      u32 pitch_in, u32 pitch_out, u32 launch)
{
	struct push p;
	u32 seq;

	push_begin(&p, ch);
	push_copy(&p, src, dst, len, lines, pitch_in, pitch_out, launch);
	seq = push_fence(&p);
	push_kick(&p);
	return chan_wait(ch, seq, WAIT_MS);
}

static void chan_setup(struct chan *ch, struct vgpu *g, struct arena *a,
		       u32 cls, const char *name)
{
	u32 status = chan_new(ch, g, a, cls, name);

	if (status != NVKM_VGPU_MBOX_OK)
		tap_bail("%s: CHAN_ALLOC of %s: status %u", g->name, name,
			 status);
	if (!chan_works(ch, true))
		tap_bail("%s: %s (channel %u) runs nothing: CHAN_STATE %#x, GP_GET %u",
			 g->name, name, ch->id, chan_state(ch), gp_get(ch));
}

static void chan_free(struct chan *ch)
{
	mbox_chan(ch->g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, ch->id);
}

/* Identity and mailbox */

static void check_identity(struct vgpu *g)
{
	u32 engines = bar0_rd(&g->d, NVKM_VGPU_REG_ENGINES);

	tap_check(bar0_rd(&g->d, NVKM_VGPU_REG_MAGIC) == NVKM_VGPU_MAGIC &&
		  bar0_rd(&g->d, NVKM_VGPU_REG_VERSION) == 3,
		  "MAGIC reads \"NVGV\" and VERSION 3 (%#x)",
		  bar0_rd(&g->d, NVKM_VGPU_REG_VERSION));
	tap_check((engines & NVKM_VGPU_ENGINE_BIT_GR) &&
		  (engines & NVKM_VGPU_ENGINE_BIT_CE),
		  "a tiny-1c vGPU has GR and CE engines (ENGINES %#x)", engines);
	tap_check(bar0_rd(&g->d, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING) == 0 &&
		  bar0_rd(&g->d, NVKM_VGPU_REG_MBOX_CMD) == 0,
		  "NOTIFY_CHANNEL_PENDING and MBOX_CMD read 0");
}

/* Good CHAN_ALLOC arguments in guest memory, for the refusals to spoil. */
static struct alloc_args good_args(struct vgpu *g)
{
	struct gmem gpfifo = sys_get(g, 8 * GPFIFO_ENTRIES);
	struct gmem userd = sys_get(g, 4096);

	return (struct alloc_args){ NVKM_VGPU_CLASS_COPY, gpfifo.gpu,
				    GPFIFO_ENTRIES, userd.gpu,
				    userd.gpu + 2048 };
}

static void check_refused(struct vgpu *g, const struct alloc_args *a,
			  u32 want, const char *what)
{
	u32 id = 0xdead, status = mbox_alloc(g, a, &id);

	tap_check(status == want && id == 0,
		  "mailbox: CHAN_ALLOC with %s: status %u, result %u (want %u, 0)",
		  what, status, id, want);
}

static void check_mailbox_refusals(struct vgpu *g)
{
	static const u32 bad_cmd[] = { 0, 4, 0xffffffff };
	static const u32 bad_class[] = { 0, NVKM_VGPU_CLASS_HOST, 0xc0b5, 0xc5b5 };
	static const u32 bad_entries[] = { 0, 1, 3, 48, 2 * NVKM_VGPU_GPFIFO_ENTRIES_MAX };
	struct alloc_args good = good_args(g), a;
	char what[96];
	unsigned int i;
	u32 status, result;

	for (i = 0; i < ARRAY_SIZE(bad_cmd); i++) {
		intr_clear(g, NVKM_VGPU_INTR_ALL);
		status = mbox(g, bad_cmd[i], NULL, 0, &result);
		tap_check(status == NVKM_VGPU_MBOX_BAD_CMD && result == 0 &&
			  (intr_status(g) & NVKM_VGPU_INTR_MAILBOX),
			  "mailbox: command %#x is BAD_CMD (status %u, result %u) and raises MAILBOX",
			  bad_cmd[i], status, result);
	}
	for (i = 0; i < ARRAY_SIZE(bad_class); i++) {
		a = good;
		a.cls = bad_class[i];
		snprintf(what, sizeof(what), "class %#x", bad_class[i]);
		check_refused(g, &a, NVKM_VGPU_MBOX_BAD_CLASS, what);
	}

	a = good;
	a.gpfifo += 4;
	check_refused(g, &a, NVKM_VGPU_MBOX_BAD_ADDRESS, "a GPFIFO 4-byte aligned");
	a = good;
	a.userd += 256;
	check_refused(g, &a, NVKM_VGPU_MBOX_BAD_ADDRESS, "USERD 256-byte aligned");
	a = good;
	a.notifier += 8;
	check_refused(g, &a, NVKM_VGPU_MBOX_BAD_ADDRESS, "a notifier 8-byte aligned");
	a = good;
	a.gpfifo = g->fb_size;
	check_refused(g, &a, NVKM_VGPU_MBOX_BAD_ADDRESS,
		      "a GPFIFO at FB_SIZE (between the windows)");
	a = good;
	a.gpfifo = g->fb_size - 8 * GPFIFO_ENTRIES / 2;
	check_refused(g, &a, NVKM_VGPU_MBOX_BAD_ADDRESS,
		      "a GPFIFO running past the FB window's end");
	a = good;
	a.userd = NVKM_VGPU_VA_SYSMEM + NVKM_VGPU_VA_SYSMEM_SIZE;
	check_refused(g, &a, NVKM_VGPU_MBOX_BAD_ADDRESS,
		      "USERD past the guest-memory window");
	a = good;
	a.notifier = NVKM_VGPU_VA_SYSMEM - 16;
	check_refused(g, &a, NVKM_VGPU_MBOX_BAD_ADDRESS,
		      "a notifier just below the guest-memory window");
	for (i = 0; i < ARRAY_SIZE(bad_entries); i++) {
		a = good;
		a.entries = bad_entries[i];
		snprintf(what, sizeof(what), "%u GPFIFO entries", bad_entries[i]);
		check_refused(g, &a, NVKM_VGPU_MBOX_BAD_SIZE, what);
	}

	status = mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 0);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: CHAN_FREE of unallocated channel 0 is BAD_CHANNEL (%u)",
		  status);
	status = mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, g->nr_chan);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: CHAN_FREE of channel CHID_COUNT (%u) is BAD_CHANNEL (%u)",
		  g->nr_chan, status);
	status = mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_RESET, 1);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: CHAN_RESET of unallocated channel 1 is BAD_CHANNEL (%u)",
		  status);
}

/* Sizes at both ends of the range are taken, and freed. */
static void check_mailbox_sizes(struct vgpu *g)
{
	static const u32 sizes[] = { 2, NVKM_VGPU_GPFIFO_ENTRIES_MAX };
	struct alloc_args a = good_args(g);
	unsigned int i;
	u32 status, id, freed;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		a.entries = sizes[i];
		/* 64K entries are 512 KiB: put them in the FB, never run. */
		a.gpfifo = sizes[i] > GPFIFO_ENTRIES ? FB_MAP_SIZE : a.gpfifo;
		status = mbox_alloc(g, &a, &id);
		freed = mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, id);
		tap_check(status == NVKM_VGPU_MBOX_OK && id == 0 &&
			  freed == NVKM_VGPU_MBOX_OK,
			  "mailbox: a GPFIFO of %u entries is taken (status %u, channel %u) and freed (%u)",
			  sizes[i], status, id, freed);
	}
}

/* Every state reads @want (for channels in @mask) or FREE. */
static bool states_are(struct vgpu *g, u64 mask, u32 want)
{
	u32 i, s;

	for (i = 0; i < g->nr_chan; i++) {
		s = chan_state_of(g, i);
		if (s != (mask >> i & 1 ? want : NVKM_VGPU_CHAN_STATE_FREE)) {
			tap_diag("  CHAN_STATE(%u) %#x", i, s);
			return false;
		}
	}
	return true;
}

/* Arguments for a channel that never runs: 4 KiB of guest memory each. */
static struct alloc_args idle_args(struct gmem *m, u32 i)
{
	u64 base = m->gpu + 4096 * (u64)i;

	return (struct alloc_args){ NVKM_VGPU_CLASS_COPY, base, 16,
				    base + 1024, base + 2048 };
}

static void check_mailbox_exhaust(struct vgpu *g)
{
	struct gmem m;
	struct alloc_args a;
	u32 i, id, status, arg;
	u64 all = g->nr_chan >= 64 ? ~0ull : (1ull << g->nr_chan) - 1;
	bool ordered = true, freed = true;

	if (g->nr_chan > 64) {
		tap_skip("more than 64 channels", "mailbox: allocation until NO_CHANNEL");
		return;
	}
	m = sys_get(g, 4096 * (u64)(g->nr_chan + 1));
	for (i = 0; i < g->nr_chan; i++) {
		a = idle_args(&m, i);
		status = mbox_alloc(g, &a, &id);
		if (status != NVKM_VGPU_MBOX_OK || id != i) {
			tap_diag("  allocation %u: status %u, channel %u", i,
				 status, id);
			ordered = false;
		}
	}
	tap_check(ordered, "mailbox: %u allocations give channels 0..%u in order",
		  g->nr_chan, g->nr_chan - 1);
	tap_check(states_are(g, all, NVKM_VGPU_CHAN_STATE_ACTIVE),
		  "mailbox: every allocated channel's CHAN_STATE is ACTIVE");
	a = idle_args(&m, g->nr_chan);
	status = mbox_alloc(g, &a, &id);
	tap_check(status == NVKM_VGPU_MBOX_NO_CHANNEL && id == 0,
		  "mailbox: allocation %u is NO_CHANNEL (%u), result 0 (%u)",
		  g->nr_chan + 1, status, id);
	tap_check(bar0_rd(&g->d, NVKM_VGPU_REG_CHAN_STATE(g->nr_chan)) == 0,
		  "CHAN_STATE(CHID_COUNT) reads 0");

	if (g->nr_chan >= 6) {
		mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 5);
		mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 2);
		tap_check(states_are(g, all & ~(1ull << 5 | 1ull << 2),
				     NVKM_VGPU_CHAN_STATE_ACTIVE),
			  "mailbox: channels 5 and 2 freed read FREE, the others ACTIVE");
		a = idle_args(&m, 2);
		status = mbox_alloc(g, &a, &id);
		tap_check(status == NVKM_VGPU_MBOX_OK && id == 2,
			  "mailbox: the next allocation is the lowest free channel, 2 (%u)",
			  id);
		a = idle_args(&m, 5);
		status = mbox_alloc(g, &a, &id);
		tap_check(status == NVKM_VGPU_MBOX_OK && id == 5,
			  "mailbox: and the next one 5 (%u)", id);
	}
	status = mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 3);
	arg = bar0_rd(&g->d, NVKM_VGPU_REG_MBOX_ARG(0));
	tap_check(status == NVKM_VGPU_MBOX_OK && arg == 3 &&
		  bar0_rd(&g->d, NVKM_VGPU_REG_MBOX_ARG(7)) == hi32(a.notifier),
		  "mailbox: arguments keep their values after a request (ARG0 %u)", arg);
	status = mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 3);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: freeing channel 3 twice is BAD_CHANNEL (%u)", status);
	for (i = 0; i < g->nr_chan; i++) {
		status = mbox_chan(g, NVKM_VGPU_MBOX_CMD_CHAN_FREE, i);
		if (i != 3 && status != NVKM_VGPU_MBOX_OK)
			freed = false;
	}
	tap_check(freed && states_are(g, 0, 0),
		  "mailbox: every channel freed, every CHAN_STATE reads FREE");
}

/* GPFIFO, USERD and method headers */

static void check_gpfifo(struct chan *ch)
{
	struct vgpu *g = ch->g;
	struct push p;
	bool usermode = ch->usermode, ok;
	u32 seq, ref;

	/* A no-op entry (length 0), a segment of NOP headers, a reference. */
	push_begin(&p, ch);
	chan_entry(ch, p.gpu, 0);
	push_dw(&p, 0);
	push_dw(&p, 0);
	push_mthd(&p, SUBC, NVKM_VGPU_HOST_SET_REFERENCE, 0x5eed0001);
	push_dw(&p, 0);
	push_kick(&p);
	push_begin(&p, ch);
	push_mthd(&p, SUBC, NVKM_VGPU_HOST_WFI, 0);
	seq = push_fence(&p);
	push_kick(&p);
	ok = chan_wait(ch, seq, WAIT_MS) &&
	     wait_mem(ch->userd.cpu + NVKM_VGPU_USERD_GP_GET, ch->put, WAIT_MS);
	tap_check(ok, "%s: GP_GET reaches GP_PUT (%u, %u) past a no-op entry and NOP headers",
		  ch->name, gp_get(ch), gp_put(ch));
	ref = rd32(ch->userd.cpu + NVKM_VGPU_USERD_REFERENCE);
	tap_check(ref == 0x5eed0001, "%s: SET_REFERENCE shows in USERD 0x48 (%#x)",
		  ch->name, ref);

	/* Round the ring more than once, kicking both ways. */
	for (ref = 0; ref < ch->entries + 3; ref++) {
		ch->usermode = ref % 2;
		push_begin(&p, ch);
		push_mthd(&p, SUBC, NVKM_VGPU_HOST_SET_REFERENCE, ref);
		push_kick(&p);
	}
	ch->usermode = usermode;
	ok = wait_mem(ch->userd.cpu + NVKM_VGPU_USERD_GP_GET, ch->put, WAIT_MS) &&
	     wait_mem(ch->userd.cpu + NVKM_VGPU_USERD_REFERENCE, ref - 1, WAIT_MS);
	tap_check(ok,
		  "%s: %u entries round the %u-entry ring, kicked by NOTIFY_CHANNEL_PENDING and DOORBELL(%u) (GP_GET %u, reference %u)",
		  ch->name, ref, ch->entries, ch->id, gp_get(ch),
		  rd32(ch->userd.cpu + NVKM_VGPU_USERD_REFERENCE));
	tap_check(bar0_rd(&g->d, NVKM_VGPU_REG_DOORBELL(ch->id)) == ch->rung,
		  "%s: DOORBELL(%u) reads the last value rung (%u)", ch->name,
		  ch->id, ch->rung);
}

/*
 * Each header format: IMMD (13-bit data, so an FB address below 8 KiB),
 * NON_INC (every data word to one method), ONE_INC (the first word to the
 * method, the rest to the next), NOP header 0, and host methods on a
 * subchannel no object is bound to.
 */
static void check_headers(struct chan *ch)
{
	struct vgpu *g = ch->g;
	u8 *fb_sem = g->bar1 + 0x100;
	struct gmem s64 = sem_new(g), s7 = sem_new(g);
	u32 nonincr[2] = { 5, 7 }, oneincr[3] = { 0x2222, 0xdead, 0x4444 };
	struct push p;
	u32 seq;

	memset(fb_sem, 0xff, 16);
	push_begin(&p, ch);
	push_dw(&p, 0);
	push_immd(&p, SUBC, NVKM_VGPU_HOST_SEM_ADDR_LO, 0x100);
	push_immd(&p, SUBC, NVKM_VGPU_HOST_SEM_ADDR_HI, 0);
	push_op(&p, NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD, SUBC,
		NVKM_VGPU_HOST_SEM_PAYLOAD_LO, 2, nonincr);
	push_immd(&p, SUBC, NVKM_VGPU_HOST_SEM_PAYLOAD_HI, 0);
	push_immd(&p, SUBC, NVKM_VGPU_HOST_SEM_EXECUTE, NVKM_VGPU_SEM_OP_RELEASE);
	push_dw(&p, 0);
	push_mthd(&p, SUBC, NVKM_VGPU_HOST_SEM_ADDR_LO, lo32(s64.gpu));
	push_mthd(&p, SUBC, NVKM_VGPU_HOST_SEM_ADDR_HI, hi32(s64.gpu));
	push_op(&p, NVKM_VGPU_DMA_SEC_OP_ONE_INC, SUBC,
		NVKM_VGPU_HOST_SEM_PAYLOAD_LO, 3, oneincr);
	push_mthd(&p, SUBC, NVKM_VGPU_HOST_SEM_EXECUTE,
		  NVKM_VGPU_SEM_OP_RELEASE | NVKM_VGPU_SEM_PAYLOAD_64BIT);
	push_sem(&p, 7, s7.gpu, 0x77, NVKM_VGPU_SEM_OP_RELEASE);
	seq = push_fence(&p);
	push_kick(&p);
	chan_wait(ch, seq, WAIT_MS);
	tap_check(rd32(fb_sem) == 7 && rd32(fb_sem + 4) == 0xffffffff,
		  "%s: IMMD, NON_INC and NOP headers: an FB semaphore reads the last NON_INC word (%#x, next word %#x)",
		  ch->name, rd32(fb_sem), rd32(fb_sem + 4));
	tap_check(rd64(s64.cpu) == 0x0000444400002222ull,
		  "%s: ONE_INC: first word to PAYLOAD_LO, the rest to PAYLOAD_HI (64-bit release %#llx)",
		  ch->name, (unsigned long long)rd64(s64.cpu));
	tap_check(rd32(s7.cpu) == 0x77,
		  "%s: host methods run on subchannel 7, which has no object (%#x)",
		  ch->name, rd32(s7.cpu));
}

/* Copies */

static void check_copies(struct chan *ce)
{
	struct vgpu *g = ce->g;
	struct gmem src = sys_get(g, COPY_BYTES), dst = sys_get(g, COPY_BYTES);
	struct gmem fb_a = fb_get(g, COPY_BYTES), fb_b = fb_get(g, COPY_BYTES);
	bool ran;

	fill(src.cpu, COPY_BYTES, 17);
	ran = copy_wait(ce, src.gpu, fb_a.gpu, COPY_BYTES, 1, 0, 0, LAUNCH_COPY);
	tap_check(ran && same(fb_a.cpu, src.cpu, COPY_BYTES),
		  "%s: copy of %u KiB guest memory -> FB, byte for byte",
		  ce->name, COPY_BYTES >> 10);
	ran = copy_wait(ce, fb_a.gpu, fb_b.gpu, COPY_BYTES, 1, 0, 0,
			LAUNCH_PIPELINED);
	tap_check(ran && same(fb_b.cpu, src.cpu, COPY_BYTES),
		  "%s: copy of %u KiB FB -> FB (pipelined), byte for byte",
		  ce->name, COPY_BYTES >> 10);
	ran = copy_wait(ce, fb_b.gpu, dst.gpu, COPY_BYTES, 1, 0, 0, LAUNCH_COPY);
	tap_check(ran && same(dst.cpu, src.cpu, COPY_BYTES),
		  "%s: copy of %u KiB FB -> guest memory, byte for byte",
		  ce->name, COPY_BYTES >> 10);
}

static void check_pitch(struct chan *ce)
{
	enum { LINES = 16, LEN = 700, PITCH_IN = 1024, PITCH_OUT = 768 };
	struct vgpu *g = ce->g;
	struct gmem src = sys_get(g, LINES * PITCH_IN);
	struct gmem dst = fb_get(g, LINES * PITCH_OUT);
	bool ran, ok = true;
	unsigned int i;

	fill(src.cpu, LINES * PITCH_IN, 99);
	memset(dst.cpu, 0xee, LINES * PITCH_OUT);
	ran = copy_wait(ce, src.gpu, dst.gpu, LEN, LINES, PITCH_IN, PITCH_OUT,
			LAUNCH_COPY);
	for (i = 0; ran && ok && i < LINES; i++) {
		ok = same(dst.cpu + i * PITCH_OUT, src.cpu + i * PITCH_IN, LEN) &&
		     all_bytes(dst.cpu + i * PITCH_OUT + LEN, PITCH_OUT - LEN, 0xee);
		if (!ok)
			tap_diag("  line %u", i);
	}
	tap_check(ran && ok,
		  "%s: multi-line pitch copy, %u lines of %u bytes, pitch %u -> %u; the gaps untouched",
		  ce->name, LINES, LEN, PITCH_IN, PITCH_OUT);
}

static void check_memset(struct chan *ce)
{
	enum { WORDS = 4096 };
	struct vgpu *g = ce->g;
	struct gmem dst = fb_get(g, 4 * WORDS + 4096);
	u32 remap = NVKM_VGPU_REMAP_CONST_A |
		    3 << NVKM_VGPU_REMAP_COMPONENT_SIZE_SHIFT;
	struct push p;
	bool ran, ok = true;
	unsigned int i;
	u32 seq;

	memset(dst.cpu, 0xee, dst.size);
	push_begin(&p, ce);
	push_mthd(&p, SUBC, NVKM_VGPU_COPY_SET_REMAP_CONST_A, 0xcafef00d);
	push_mthd(&p, SUBC, NVKM_VGPU_COPY_SET_REMAP_COMPONENTS, remap);
	/* The source is never read; a valid address all the same. */
	push_copy(&p, dst.gpu, dst.gpu, WORDS, 1, 0, 0,
		  LAUNCH_COPY | NVKM_VGPU_COPY_LAUNCH_REMAP);
	seq = push_fence(&p);
	push_kick(&p);
	ran = chan_wait(ce, seq, WAIT_MS);
	for (i = 0; ran && ok && i < WORDS; i++)
		ok = rd32(dst.cpu + 4 * i) == 0xcafef00d;
	tap_check(ran && ok && all_bytes(dst.cpu + 4 * WORDS, 4096, 0xee),
		  "%s: memset of %u words through remap CONST_A, nothing past them",
		  ce->name, WORDS);
}

/* Semaphores */

static void check_host_release(struct chan *ch, u32 exec, const char *what)
{
	struct gmem s = sem_new(ch->g);
	bool wide = exec & NVKM_VGPU_SEM_PAYLOAD_64BIT;
	bool stamp = exec & NVKM_VGPU_SEM_RELEASE_TIMESTAMP;
	u64 payload = wide ? 0x1234567800abcdefull : 0x00abcdefull;
	u64 before = now_us() * 1000, after, ts;
	struct push p;
	bool ran, ok;

	push_begin(&p, ch);
	push_sem(&p, SUBC, s.gpu, payload, exec);
	push_fence(&p);
	push_kick(&p);
	ran = chan_wait(ch, ch->seq, WAIT_MS);
	after = now_us() * 1000 + 1000;
	ok = ran && (wide ? rd64(s.cpu) : rd32(s.cpu)) == payload;
	if (!wide && !stamp)
		ok &= all_bytes(s.cpu + 4, 12, 0xff);
	if (wide && !stamp)
		ok &= all_bytes(s.cpu + 8, 8, 0xff);
	ts = rd64(s.cpu + 8);
	if (stamp)
		ok &= ts >= before && ts <= after;
	tap_check(ok, "%s: host release %s: %#llx at +0, %s", ch->name, what,
		  (unsigned long long)(wide ? rd64(s.cpu) : rd32(s.cpu)),
		  stamp ? "a CLOCK_MONOTONIC timestamp at +8" : "nothing else written");
	if (stamp && !(ts >= before && ts <= after))
		tap_diag("  timestamp %llu, released between %llu and %llu",
			 (unsigned long long)ts, (unsigned long long)before,
			 (unsigned long long)after);
}

static void check_copy_sems(struct chan *ce)
{
	struct gmem s1 = sem_new(ce->g), s4 = sem_new(ce->g);
	u64 before = now_us() * 1000, after, ts;
	struct push p;
	bool ran;
	u32 seq;

	push_begin(&p, ce);
	push_copy_sem(&p, s1.gpu, 0x1111);
	push_mthd(&p, SUBC, NVKM_VGPU_COPY_LAUNCH_DMA, LAUNCH_SEM1 |
		  NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH);
	push_copy_sem(&p, s4.gpu, 0x4444);
	push_mthd(&p, SUBC, NVKM_VGPU_COPY_LAUNCH_DMA, LAUNCH_SEM4 |
		  NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH);
	seq = push_fence(&p);
	push_kick(&p);
	ran = chan_wait(ce, seq, WAIT_MS);
	after = now_us() * 1000 + 1000;
	tap_check(ran && rd32(s1.cpu) == 0x1111 && all_bytes(s1.cpu + 4, 12, 0xff),
		  "%s: copy engine one-word semaphore (no transfer): payload only (%#x)",
		  ce->name, rd32(s1.cpu));
	ts = rd64(s4.cpu + 8);
	tap_check(ran && rd32(s4.cpu) == 0x4444 && rd32(s4.cpu + 4) == 0 &&
		  ts >= before && ts <= after,
		  "%s: copy engine four-word semaphore: payload %#x, 0 (%#x), timestamp %llu",
		  ce->name, rd32(s4.cpu), rd32(s4.cpu + 4), (unsigned long long)ts);
}

static void check_semaphores(struct chan *ch, struct chan *ce)
{
	check_host_release(ch, NVKM_VGPU_SEM_OP_RELEASE, "32-bit");
	check_host_release(ch, NVKM_VGPU_SEM_OP_RELEASE |
			   NVKM_VGPU_SEM_PAYLOAD_64BIT, "64-bit");
	check_host_release(ch, NVKM_VGPU_SEM_OP_RELEASE |
			   NVKM_VGPU_SEM_RELEASE_TIMESTAMP, "32-bit with timestamp");
	check_host_release(ch, NVKM_VGPU_SEM_OP_RELEASE |
			   NVKM_VGPU_SEM_PAYLOAD_64BIT |
			   NVKM_VGPU_SEM_RELEASE_TIMESTAMP, "64-bit with timestamp");
	check_copy_sems(ce);
}

/*
 * @b acquires (@op, @want) at a semaphore @a releases later: first @early,
 * which must not satisfy it, then @late, which must. @b's fence must come
 * only after @late.
 */
static void check_acquire(struct chan *a, struct chan *b, u32 op, u32 want,
			  u32 early, u32 late, const char *what)
{
	struct gmem s = sem_new(a->g);
	struct push p;
	u32 seq_b, seq_a;
	bool waited, went;

	wr32(s.cpu, 0);
	push_begin(&p, b);
	push_sem(&p, SUBC, s.gpu, want, op);
	seq_b = push_fence(&p);
	push_kick(&p);
	sleep_ms(QUIET_MS);

	push_begin(&p, a);
	push_sem(&p, SUBC, s.gpu, early, NVKM_VGPU_SEM_OP_RELEASE);
	seq_a = push_fence(&p);
	push_kick(&p);
	chan_wait(a, seq_a, WAIT_MS);
	sleep_ms(QUIET_MS);
	waited = rd32(b->fence.cpu) != seq_b &&
		 chan_state(b) == NVKM_VGPU_CHAN_STATE_ACTIVE;

	push_begin(&p, a);
	push_sem(&p, SUBC, s.gpu, late, NVKM_VGPU_SEM_OP_RELEASE);
	push_kick(&p);
	went = chan_wait(b, seq_b, WAIT_MS);
	tap_check(waited && went,
		  "acquire %s: %s waits while %s released %u, proceeds once it releases %u (CHAN_STATE %#x)",
		  what, b->name, a->name, early, late, chan_state(b));
}

/* A GR channel's busy work, then a copy that acquires what it releases. */
static void check_cross_engine(struct chan *gr, struct chan *ce)
{
	struct vgpu *g = ce->g;
	struct gmem s = sem_new(g), src = sys_get(g, 4096), dst = sys_get(g, 4096);
	struct gmem gr_done = sem_new(g), ce_done = sem_new(g);
	struct push p;
	bool ok;
	u64 t_gr, t_ce;

	wr32(s.cpu, 0);
	fill(src.cpu, 4096, 5);
	push_begin(&p, ce);
	push_sem(&p, SUBC, s.gpu, 1, NVKM_VGPU_SEM_OP_ACQUIRE);
	push_copy_sem(&p, ce_done.gpu, 2);
	push_copy(&p, src.gpu, dst.gpu, 4096, 1, 0, 0, LAUNCH_COPY | LAUNCH_SEM4);
	push_kick(&p);

	push_begin(&p, gr);
	push_busy(&p, 200000000);
	push_sem(&p, SUBC, gr_done.gpu, 1, NVKM_VGPU_SEM_OP_RELEASE |
		 NVKM_VGPU_SEM_RELEASE_TIMESTAMP | NVKM_VGPU_SEM_RELEASE_WFI);
	push_sem(&p, SUBC, s.gpu, 1, NVKM_VGPU_SEM_OP_RELEASE);
	push_kick(&p);

	ok = wait_mem(ce_done.cpu, 2, WAIT_MS);
	t_gr = rd64(gr_done.cpu + 8);
	t_ce = rd64(ce_done.cpu + 8);
	tap_check(ok && rd32(gr_done.cpu) == 1 && t_ce >= t_gr &&
		  same(dst.cpu, src.cpu, 4096),
		  "across engines: a copy acquiring what a 200 ms GR launch releases runs after it (GR %llu ns, CE %llu ns)",
		  (unsigned long long)t_gr, (unsigned long long)t_ce);
}

/* The non-stall interrupt, through MSI as irq.c enables it. */
static void check_nonstall(struct chan *ch, struct chan *ce)
{
	struct vgpu *g = ch->g;
	int cap = cfg_find_cap(&g->d, PCI_CAP_ID_MSI);
	struct push p;
	u32 flags, st;
	int efd, ret;
	u64 count = 0;

	efd = efd_new();
	ret = vdev_irq_eventfd(&g->d, VFIO_PCI_MSI_IRQ_INDEX, efd);
	if (!tap_errno(ret, 0, "nonstall: MSI eventfd set") || cap < 0) {
		close(efd);
		return;
	}
	cfg_write(&g->d, cap + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	cfg_write(&g->d, cap + PCI_MSI_ADDRESS_HI, 4, 0);
	cfg_write(&g->d, cap + PCI_MSI_DATA_64, 2, 0x0041);
	flags = cfg_rd(&g->d, cap + PCI_MSI_FLAGS, 2);
	cfg_write(&g->d, cap + PCI_MSI_FLAGS, 2, flags | PCI_MSI_FLAGS_ENABLE);
	intr_clear(g, NVKM_VGPU_INTR_ALL);
	bar0_write(&g->d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_NONSTALL);

	push_begin(&p, ch);
	push_mthd(&p, SUBC, NVKM_VGPU_HOST_NON_STALL_INTERRUPT, 0);
	push_kick(&p);
	ret = efd_wait(efd, WAIT_MS, &count);
	st = intr_status(g);
	tap_check(ret == 1 && (st & NVKM_VGPU_INTR_NONSTALL),
		  "nonstall: NON_STALL_INTERRUPT on %s fires MSI, INTR_STATUS %#x", ch->name,
		  st);
	intr_clear(g, NVKM_VGPU_INTR_NONSTALL);
	st = intr_status(g);
	tap_check(!(st & NVKM_VGPU_INTR_NONSTALL),
		  "nonstall: writing 1 clears the NONSTALL bit (%#x)", st);

	push_begin(&p, ce);
	push_mthd(&p, SUBC, NVKM_VGPU_COPY_LAUNCH_DMA, LAUNCH_NONSTALL |
		  NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH);
	push_kick(&p);
	ret = efd_wait(efd, WAIT_MS, &count);
	st = intr_status(g);
	tap_check(ret == 1 && (st & NVKM_VGPU_INTR_NONSTALL),
		  "nonstall: a copy LAUNCH_DMA with a non-blocking interrupt fires MSI (%#x)",
		  st);
	intr_clear(g, NVKM_VGPU_INTR_ALL);

	bar0_write(&g->d, NVKM_VGPU_REG_INTR_ENABLE, 0);
	cfg_write(&g->d, cap + PCI_MSI_FLAGS, 2, flags);
	vdev_irq_eventfd(&g->d, VFIO_PCI_MSI_IRQ_INDEX, -1);
	close(efd);
}

/* Faults */

struct fault_env {
	struct chan *victim;
	struct chan *witness;
	struct gmem scratch;	/* guest memory the bad work may name */
};

struct fault_case {
	const char *what;
	u32 code;
	void (*build)(struct push *p, const struct fault_env *e);
};

static void bad_fb_end(struct push *p, const struct fault_env *e)
{
	push_copy(p, e->scratch.gpu, e->victim->g->fb_size - 4096, 8192, 1, 0,
		  0, LAUNCH_COPY);
}

static void bad_iova(struct push *p, const struct fault_env *e)
{
	push_copy(p, NVKM_VGPU_VA_SYSMEM + HOLE_IOVA, e->scratch.gpu, 4096, 1,
		  0, 0, LAUNCH_COPY);
}

static void bad_hole(struct push *p, const struct fault_env *e)
{
	push_copy(p, e->scratch.gpu, e->victim->g->fb_size + (1u << 20), 4096,
		  1, 0, 0, LAUNCH_COPY);
}

static void bad_above(struct push *p, const struct fault_env *e)
{
	push_copy(p, e->scratch.gpu, NVKM_VGPU_VA_SYSMEM + NVKM_VGPU_VA_SYSMEM_SIZE,
		  4096, 1, 0, 0, LAUNCH_COPY);
}

static void bad_sem_hole(struct push *p, const struct fault_env *e)
{
	(void)e;
	push_sem(p, SUBC, NVKM_VGPU_VA_SYSMEM - 4096, 1,
		 NVKM_VGPU_SEM_OP_RELEASE);
}

static void bad_header(struct push *p, const struct fault_env *e)
{
	(void)e;
	push_dw(p, hdr(6, SUBC, NVKM_VGPU_HOST_SET_REFERENCE, 1));
	push_dw(p, 1);
}

static void bad_object(struct push *p, const struct fault_env *e)
{
	(void)e;
	push_mthd(p, 1, NVKM_VGPU_HOST_SET_OBJECT, NVKM_VGPU_CLASS_SIM_BUSY);
}

static void bad_subch(struct push *p, const struct fault_env *e)
{
	(void)e;
	push_mthd(p, 5, NVKM_VGPU_COPY_LAUNCH_DMA, LAUNCH_SEM1 |
		  NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH);
}

static void bad_physical(struct push *p, const struct fault_env *e)
{
	push_copy(p, e->scratch.gpu, e->scratch.gpu + 4096, 4096, 1, 0, 0,
		  LAUNCH_COPY | NVKM_VGPU_COPY_LAUNCH_SRC_PHYSICAL);
}

static const struct fault_case fault_cases[] = {
	{ "a copy running past the FB window's end", NVKM_VGPU_CHAN_ERR_MMU_FAULT,
	  bad_fb_end },
	{ "a copy from an unmapped IOVA", NVKM_VGPU_CHAN_ERR_MMU_FAULT, bad_iova },
	{ "a copy to FB_SIZE + 1 MiB, between the windows",
	  NVKM_VGPU_CHAN_ERR_MMU_FAULT, bad_hole },
	{ "a copy to 1 TiB, past the guest-memory window",
	  NVKM_VGPU_CHAN_ERR_MMU_FAULT, bad_above },
	{ "a semaphore release between the windows", NVKM_VGPU_CHAN_ERR_MMU_FAULT,
	  bad_sem_hole },
	{ "a method header with SEC_OP 6", NVKM_VGPU_CHAN_ERR_PUSHBUFFER, bad_header },
	{ "SET_OBJECT of a class the channel does not run", NVKM_VGPU_CHAN_ERR_METHOD,
	  bad_object },
	{ "LAUNCH_DMA on a subchannel with no object", NVKM_VGPU_CHAN_ERR_METHOD,
	  bad_subch },
	{ "LAUNCH_DMA with a physical source", NVKM_VGPU_CHAN_ERR_METHOD,
	  bad_physical },
};

/* Waits for the notifier's status to be written, then reads it. */
static bool read_notifier(struct chan *ch, struct nvkm_vgpu_notifier *n)
{
	u64 end = now_us() + WAIT_MS * 1000ull;
	bool written = false;

	while (!written) {
		written = rd32(ch->notifier.cpu + 12) >> 16 ==
			  NVKM_VGPU_NOTIFIER_STATUS_ERROR;
		if (now_us() > end)
			break;
		if (!written)
			usleep(500);
	}
	n->timestamp = rd64(ch->notifier.cpu);
	n->info32 = rd32(ch->notifier.cpu + 8);
	n->info16 = rd32(ch->notifier.cpu + 12) & 0xffff;
	n->status = rd32(ch->notifier.cpu + 12) >> 16;
	return written;
}

/*
 * @ch was just given bad work: it must stop in ERROR with @code, write its
 * notifier and raise INTR_CHANNEL. @since: CLOCK_MONOTONIC ns before the
 * bad work was kicked.
 */
static bool check_stopped(struct chan *ch, u32 code, u64 since, const char *what)
{
	struct vgpu *g = ch->g;
	struct nvkm_vgpu_notifier n;
	u64 end = now_us() + WAIT_MS * 1000ull;
	bool stopped, noted, ok;
	u32 st;

	while (chan_state(ch) != ERR_STATE(code) && now_us() < end)
		usleep(500);
	st = chan_state(ch);
	stopped = st == ERR_STATE(code);
	noted = read_notifier(ch, &n);
	ok = tap_check(stopped, "%s: %s stops in ERROR with code %u (CHAN_STATE %#x)",
		       what, ch->name, code, st);
	ok &= tap_check(noted && n.info32 == code && n.info16 == 0 &&
			n.status == NVKM_VGPU_NOTIFIER_STATUS_ERROR &&
			n.timestamp >= since && n.timestamp <= now_us() * 1000 + 1000,
			"%s: notifier info32 %u, info16 %u, status %#x, timestamp %s",
			what, n.info32, n.info16, n.status,
			n.timestamp >= since ? "after the kick" : "before the kick");
	st = intr_status(g);
	ok &= tap_check(st & NVKM_VGPU_INTR_CHANNEL,
			"%s: INTR_STATUS shows CHANNEL (%#x)", what, st);
	intr_clear(g, NVKM_VGPU_INTR_CHANNEL);
	return ok;
}

/* CHAN_RESET: ACTIVE again, GP_GET and GP_PUT 0, and it runs new work. */
static void check_reset(struct chan *ch, const char *what)
{
	u32 status = mbox_chan(ch->g, NVKM_VGPU_MBOX_CMD_CHAN_RESET, ch->id);
	u32 st = chan_state(ch), get = gp_get(ch), put = gp_put(ch);

	ch->put = 0;
	ch->pb_used = 0;
	memset(ch->notifier.cpu, 0, ch->notifier.size);
	tap_check(status == NVKM_VGPU_MBOX_OK && st == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  get == 0 && put == 0 && chan_works(ch, true),
		  "%s: CHAN_RESET (status %u): ACTIVE (%#x), GP_GET %u, GP_PUT %u, runs again",
		  what, status, st, get, put);
}

static void check_faults(struct chan *victim, struct chan *witness)
{
	struct fault_env e = { victim, witness, sys_get(victim->g, 8192) };
	const struct fault_case *c;
	struct push p;
	unsigned int i;
	u64 since;

	for (i = 0; i < ARRAY_SIZE(fault_cases); i++) {
		c = &fault_cases[i];
		intr_clear(victim->g, NVKM_VGPU_INTR_ALL);
		since = now_us() * 1000;
		push_begin(&p, victim);
		c->build(&p, &e);
		push_fence(&p);
		push_kick(&p);
		if (!check_stopped(victim, c->code, since, c->what))
			tap_diag("  %s: GP_GET %u, GP_PUT %u", victim->name,
				 gp_get(victim), gp_put(victim));
		tap_check(rd32(victim->fence.cpu) != victim->seq &&
			  chan_works(witness, false) &&
			  chan_state(witness) == NVKM_VGPU_CHAN_STATE_ACTIVE,
			  "%s: nothing after it ran; %s on the same vGPU still works",
			  c->what, witness->name);
		check_reset(victim, c->what);
	}
}

/* Scheduling */

static void check_busy_alone(struct chan *gr)
{
	u64 t0 = now_us();
	bool done = false;
	struct push p;
	u32 seq;

	push_begin(&p, gr);
	push_busy(&p, 300000000);
	seq = push_fence(&p);
	push_kick(&p);
	done = chan_wait(gr, seq, WAIT_MS);
	tap_check(done && chan_state(gr) == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  now_us() - t0 >= 300000,
		  "busy: alone on its engine, a 300 ms launch runs to the end (%llu ms)",
		  (unsigned long long)(now_us() - t0) / 1000);
}

/*
 * A 5 s launch, then a short one on another channel of the same engine:
 * the long one is asked to switch after its time slice, cannot (one
 * method), and is stopped with code 8; the other completes.
 */
static void check_busy_timeout(struct vgpu *g, struct chan *gr)
{
	struct gmem started = sem_new(g);
	struct chan other;
	struct push p;
	u64 t0, since, stop_ms = 0;
	u32 seq_long, seq_other;
	bool ok;

	if (chan_new(&other, g, &g->mem, NVKM_VGPU_CLASS_SIM_BUSY, "GR channel 2") ||
	    !chan_works(&other, true)) {
		tap_check(false, "busy: a second GR channel");
		return;
	}
	push_begin(&p, gr);
	push_sem(&p, SUBC, started.gpu, 1, NVKM_VGPU_SEM_OP_RELEASE);
	push_busy(&p, BUSY_LONG_NS);
	seq_long = push_fence(&p);
	since = now_us() * 1000;
	push_kick(&p);
	if (!tap_check(wait_mem(started.cpu, 1, WAIT_MS), "busy: the 5 s launch starts")) {
		chan_free(&other);
		return;
	}

	push_begin(&p, &other);
	push_busy(&p, 10000000);
	seq_other = push_fence(&p);
	t0 = now_us();
	push_kick(&p);
	while (chan_state(gr) != ERR_STATE(NVKM_VGPU_CHAN_ERR_TIMEOUT) &&
	       now_us() - t0 < WAIT_MS * 1000ull)
		usleep(500);
	stop_ms = (now_us() - t0) / 1000;
	tap_check(stop_ms < TIMEOUT_STOP_MS,
		  "busy: with %s waiting, the 5 s launch is stopped %llu ms later (want < %u)",
		  other.name, (unsigned long long)stop_ms, TIMEOUT_STOP_MS);
	ok = check_stopped(gr, NVKM_VGPU_CHAN_ERR_TIMEOUT, since, "busy: 5 s launch");
	tap_check(chan_wait(&other, seq_other, WAIT_MS) &&
		  chan_state(&other) == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  rd32(gr->fence.cpu) != seq_long,
		  "busy: %s completes, the stopped channel's fence never comes", other.name);
	if (ok)
		check_reset(gr, "busy: 5 s launch");
	chan_free(&other);
}

/* Two vGPUs' GR channels, each with 10 launches of 20 ms, at once. */
static void check_two_vgpus(struct chan *a, struct chan *b)
{
	enum { N = 10 };
	struct gmem ca = sem_new(a->g), cb = sem_new(b->g);
	struct push pa, pb;
	bool overlap = false;
	u64 end;
	u32 i, va, vb;

	wr32(ca.cpu, 0);
	wr32(cb.cpu, 0);
	push_begin(&pa, a);
	push_begin(&pb, b);
	for (i = 1; i <= N; i++) {
		push_busy(&pa, 20000000);
		push_sem(&pa, SUBC, ca.gpu, i, NVKM_VGPU_SEM_OP_RELEASE);
		push_busy(&pb, 20000000);
		push_sem(&pb, SUBC, cb.gpu, i, NVKM_VGPU_SEM_OP_RELEASE);
	}
	push_kick(&pa);
	push_kick(&pb);
	end = now_us() + 4 * WAIT_MS * 1000ull;
	do {
		va = rd32(ca.cpu);
		vb = rd32(cb.cpu);
		if (va > 0 && va < N && vb > 0 && vb < N)
			overlap = true;
		usleep(1000);
	} while ((va != N || vb != N) && now_us() < end);
	tap_check(va == N && vb == N &&
		  chan_state(a) == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  chan_state(b) == NVKM_VGPU_CHAN_STATE_ACTIVE,
		  "two vGPUs: both GR channels finish 10 launches of 20 ms (%u, %u), no error",
		  va, vb);
	tap_check(overlap, "two vGPUs: both made progress while the other was busy");
}

/*
 * vGPU @g's addresses past its FB_SIZE fault, even where the physical FB
 * goes on with @other's slice: nothing is read from or written to it.
 */
static void check_isolation(struct chan *ce, struct vgpu *other)
{
	struct vgpu *g = ce->g;
	struct gmem dst = sys_get(g, 8192);
	u8 secret[4096];
	struct push p;
	u64 since;

	fill(secret, sizeof(secret), 77);
	memcpy(other->bar1, secret, sizeof(secret));
	memset(other->bar1 + 4096, 0, 4096);
	__sync_synchronize();

	intr_clear(g, NVKM_VGPU_INTR_ALL);
	since = now_us() * 1000;
	push_begin(&p, ce);
	push_copy(&p, g->fb_size, dst.gpu, 4096, 1, 0, 0, LAUNCH_COPY);
	push_fence(&p);
	push_kick(&p);
	check_stopped(ce, NVKM_VGPU_CHAN_ERR_MMU_FAULT, since,
		      "isolation: a read at FB_SIZE");
	tap_check(all_bytes(dst.cpu, 4096, 0),
		  "isolation: nothing of the next slice's secret was copied");
	check_reset(ce, "isolation: a read at FB_SIZE");

	fill(dst.cpu + 4096, 4096, 3);
	since = now_us() * 1000;
	push_begin(&p, ce);
	push_copy(&p, dst.gpu + 4096, g->fb_size + 4096, 4096, 1, 0, 0, LAUNCH_COPY);
	push_fence(&p);
	push_kick(&p);
	check_stopped(ce, NVKM_VGPU_CHAN_ERR_MMU_FAULT, since,
		      "isolation: a write at FB_SIZE + 4 KiB");
	tap_check(same(other->bar1, secret, 4096) && all_bytes(other->bar1 + 4096, 4096, 0),
		  "isolation: %s's FB is as it wrote it", other->name);
	check_reset(ce, "isolation: a write at FB_SIZE + 4 KiB");
}

/* Reset and close */

static void check_device_reset(struct vgpu *g)
{
	u32 status, id;
	int ret;

	ret = vdev_reset(&g->d);
	cfg_enable(&g->d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	tap_check(!ret && states_are(g, 0, 0),
		  "%s: VFIO_DEVICE_RESET frees every channel (CHAN_STATE FREE)", g->name);
	status = mbox_alloc(g, &(struct alloc_args){ NVKM_VGPU_CLASS_COPY,
			    g->mem.gpu, 2, g->mem.gpu + 4096, g->mem.gpu + 8192 },
			    &id);
	tap_check(status == NVKM_VGPU_MBOX_OK && id == 0,
		  "%s: after the reset the first allocation is channel 0 (%u, %u)",
		  g->name, status, id);
}

static void check_close(struct vgpu *g)
{
	char uuid[UUID_LEN + 1];
	int ret;

	vdev_munmap(g->bar1, FB_MAP_SIZE);
	g->bar1 = NULL;
	snprintf(uuid, sizeof(uuid), "%s", g->d.uuid);
	vdev_close(&g->d);
	ret = vdev_open(&g->d, uuid);
	if (!ret)
		ret = cfg_enable(&g->d, PCI_COMMAND_MEMORY);
	tap_check(!ret && states_are(g, 0, 0),
		  "%s: closed and opened again, every CHAN_STATE reads FREE", g->name);
}

int main(void)
{
	struct chan ce, ce_fb, gr, gr1;
	struct vgpu g0, g1;
	struct vgpu_parent p;
	char type[48];

	tap_init("channel", 280);
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(type, sizeof(type), "%s-1c", p.board);
	/* Created first, vGPU 0 has the lower slice: vGPU 1's follows it. */
	vgpu_setup(&g0, &p, type, "vGPU 0");
	vgpu_setup(&g1, &p, type, "vGPU 1");

	check_identity(&g0);
	check_mailbox_refusals(&g0);
	check_mailbox_sizes(&g0);
	check_mailbox_exhaust(&g0);

	chan_setup(&ce_fb, &g0, &g0.fb, NVKM_VGPU_CLASS_COPY, "CE channel (FB)");
	chan_setup(&ce, &g0, &g0.mem, NVKM_VGPU_CLASS_COPY, "CE channel");
	chan_setup(&gr, &g0, &g0.mem, NVKM_VGPU_CLASS_SIM_BUSY, "GR channel");
	chan_setup(&gr1, &g1, &g1.mem, NVKM_VGPU_CLASS_SIM_BUSY, "vGPU 1 GR channel");
	tap_check(ce_fb.id == 0 && ce.id == 1 && gr.id == 2,
		  "channels on CE (in FB, in guest memory) and on GR: 0, 1, 2 (%u, %u, %u)",
		  ce_fb.id, ce.id, gr.id);

	check_gpfifo(&ce_fb);
	check_gpfifo(&gr);
	check_headers(&ce_fb);
	check_copies(&ce_fb);
	check_pitch(&ce);
	check_memset(&ce);
	check_semaphores(&gr, &ce_fb);
	check_acquire(&ce, &ce_fb, NVKM_VGPU_SEM_OP_ACQUIRE, 2, 1, 2, "EQ");
	check_acquire(&ce_fb, &ce, NVKM_VGPU_SEM_OP_ACQ_STRICT_GEQ, 5, 3, 7,
		      "STRICT_GEQ");
	check_cross_engine(&gr, &ce);
	check_nonstall(&gr, &ce);
	check_faults(&ce_fb, &ce);
	check_busy_alone(&gr);
	check_busy_timeout(&g0, &gr);
	check_two_vgpus(&gr, &gr1);
	check_isolation(&ce, &g1);

	check_device_reset(&g0);
	check_close(&g1);
	vgpu_teardown(&g0);
	vgpu_teardown(&g1);
	return tap_done();
}
