// SPDX-License-Identifier: GPL-2.0
/*
 * Work on a vGPU's engines (work.h): guest memory and FB, the mailbox,
 * channels, push segments and the busy feeder, following
 * Documentation/channels.rst.
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

#include "tap.h"
#include "work.h"

/**
 * work_wait_mem() - wait for a u32 in memory to read a value
 * @p: where
 * @want: the value
 * @ms: deadline; polls every 500 us
 *
 * Return: whether it did.
 */
bool work_wait_mem(const void *p, u32 want, unsigned int ms)
{
	u64 end = now_us() + (u64)ms * 1000;

	while (work_rd32(p) != want) {
		if (now_us() > end)
			return work_rd32(p) == want;
		usleep(500);
	}
	return true;
}

/**
 * work_vgpu_new() - create a vGPU, open it, give it guest memory
 * @g: filled in
 * @p: its GPU
 * @type: its type ("h100-10c")
 * @name: for messages
 * @sys_size: bytes of guest memory (WORK_SYS_SIZE), a multiple of 4096
 *
 * Return: 0, or a negative errno (the vGPU, if made, is left to the
 * cleanup at exit).
 */
int work_vgpu_new(struct work_vgpu *g, const struct vgpu_parent *p,
		  const char *type, const char *name, u64 sys_size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = WORK_SYS_IOVA,
		.size = sys_size,
	};
	int ret;

	memset(g, 0, sizeof(*g));
	g->name = name;
	ret = vgpu_new(&g->d, p, type);
	if (ret)
		return ret;
	g->fb_size = (u64)bar0_rd(&g->d, NVKM_VGPU_REG_FB_SIZE_HI) << 32 |
		     bar0_rd(&g->d, NVKM_VGPU_REG_FB_SIZE_LO);
	g->nr_chan = bar0_rd(&g->d, NVKM_VGPU_REG_CHID_COUNT);
	g->sys = mmap(NULL, sys_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (g->sys == MAP_FAILED) {
		g->sys = NULL;
		return -errno;
	}
	g->sys_size = sys_size;
	g->mem = (struct work_arena){ .what = "guest memory", .cpu = g->sys,
				      .gpu = NVKM_VGPU_VA_SYSMEM + WORK_SYS_IOVA,
				      .size = sys_size };
	map.vaddr = (uintptr_t)g->sys;
	if (ioctl(g->d.container, VFIO_IOMMU_MAP_DMA, &map))
		return -errno;
	return 0;
}

/**
 * work_vgpu_map_fb() - map the start of the vGPU's FB, for channel memory
 * @g: the vGPU
 * @size: bytes of FB from offset 0 mapped through BAR1 at g->bar1
 * @from: where g->fb hands out from; below is the caller's to use by hand
 *
 * Return: 0, or a negative errno.
 */
int work_vgpu_map_fb(struct work_vgpu *g, u64 size, u64 from)
{
	void *bar1 = vdev_mmap(&g->d, VFIO_PCI_BAR1_REGION_INDEX, 0, size,
			       MAP_SHARED);

	if (bar1 == MAP_FAILED)
		return -errno;
	g->bar1 = bar1;
	g->bar1_size = size;
	g->fb = (struct work_arena){ .what = "FB", .cpu = g->bar1 + from,
				     .gpu = from, .size = size - from };
	return 0;
}

/**
 * work_vgpu_unmap_fb() - undo work_vgpu_map_fb(), if done
 * @g: the vGPU
 */
void work_vgpu_unmap_fb(struct work_vgpu *g)
{
	if (g->bar1)
		vdev_munmap(g->bar1, g->bar1_size);
	g->bar1 = NULL;
}

/**
 * work_vgpu_del() - close and remove a vGPU from work_vgpu_new()
 * @g: the vGPU
 *
 * Return: vgpu_del()'s.
 */
int work_vgpu_del(struct work_vgpu *g)
{
	int ret;

	work_vgpu_unmap_fb(g);
	ret = vgpu_del(&g->d);
	if (g->sys)
		munmap(g->sys, g->sys_size);
	g->sys = NULL;
	return ret;
}

/**
 * work_arena_get() - zeroed memory from an arena, for good
 * @a: the arena
 * @size: bytes
 * @align: a power of two
 *
 * Bails out when the arena is exhausted.
 *
 * Return: the memory.
 */
struct work_mem work_arena_get(struct work_arena *a, u64 size, u64 align)
{
	u64 off = (a->used + align - 1) & ~(align - 1);
	struct work_mem m;

	if (off + size > a->size)
		tap_bail("%s of %llu bytes exhausted", a->what,
			 (unsigned long long)a->size);
	m.cpu = a->cpu + off;
	m.gpu = a->gpu + off;
	m.size = size;
	memset(m.cpu, 0, size);
	a->used = off + size;
	return m;
}

/**
 * work_sys_get() - zeroed guest memory, for good
 * @g: the vGPU
 * @size: bytes
 * @align: a power of two
 *
 * Return: the memory, from g->mem.
 */
struct work_mem work_sys_get(struct work_vgpu *g, u64 size, u64 align)
{
	return work_arena_get(&g->mem, size, align);
}

/**
 * work_mbox() - one mailbox request
 * @d: the vGPU
 * @cmd: NVKM_VGPU_MBOX_CMD_*, written after the arguments
 * @arg: MBOX_ARG(0..@n-1)
 * @n: how many
 * @result: MBOX_RESULT, when non-NULL
 *
 * Return: MBOX_STATUS.
 */
u32 work_mbox(struct vdev *d, u32 cmd, const u32 *arg, unsigned int n,
	      u32 *result)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		bar0_write(d, NVKM_VGPU_REG_MBOX_ARG(i), arg[i]);
	bar0_write(d, NVKM_VGPU_REG_MBOX_CMD, cmd);
	if (result)
		*result = bar0_rd(d, NVKM_VGPU_REG_MBOX_RESULT);
	return bar0_rd(d, NVKM_VGPU_REG_MBOX_STATUS);
}

/**
 * work_mbox_chan() - a mailbox request about one channel
 * @d: the vGPU
 * @cmd: NVKM_VGPU_MBOX_CMD_CHAN_FREE or _CHAN_RESET
 * @id: the channel, MBOX_ARG(0)
 *
 * Return: MBOX_STATUS.
 */
u32 work_mbox_chan(struct vdev *d, u32 cmd, u32 id)
{
	return work_mbox(d, cmd, &id, 1, NULL);
}

/**
 * work_mbox_alloc() - CHAN_ALLOC
 * @d: the vGPU
 * @a: its arguments
 * @id: MBOX_RESULT, the channel
 *
 * Return: MBOX_STATUS.
 */
u32 work_mbox_alloc(struct vdev *d, const struct work_alloc_args *a, u32 *id)
{
	u32 arg[NVKM_VGPU_MBOX_ARGS] = {
		a->cls, lower_32_bits(a->gpfifo), upper_32_bits(a->gpfifo),
		a->entries, lower_32_bits(a->userd), upper_32_bits(a->userd),
		lower_32_bits(a->notifier), upper_32_bits(a->notifier),
	};

	return work_mbox(d, NVKM_VGPU_MBOX_CMD_CHAN_ALLOC, arg, ARRAY_SIZE(arg),
			 id);
}

/**
 * work_chan_alloc() - allocate a channel, nothing bound
 * @ch: filled in; kicked through NOTIFY_CHANNEL_PENDING until the caller
 *	sets ch->doorbell
 * @g: the vGPU
 * @a: where its GPFIFO, USERD, notifier and push buffer go (g->mem, g->fb);
 *	its fence and feeder segment are in guest memory
 * @cls: NVKM_VGPU_CLASS_SIM_BUSY or NVKM_VGPU_CLASS_COPY
 * @entries: GPFIFO entries, a power of two
 *
 * Return: the mailbox status of CHAN_ALLOC.
 */
u32 work_chan_alloc(struct work_chan *ch, struct work_vgpu *g,
		    struct work_arena *a, u32 cls, u32 entries)
{
	struct work_alloc_args args;

	memset(ch, 0, sizeof(*ch));
	ch->g = g;
	ch->cls = cls;
	ch->entries = entries;
	ch->gpfifo = work_arena_get(a, 8ull * entries, 4096);
	ch->userd = work_arena_get(a, NVKM_VGPU_USERD_SIZE, NVKM_VGPU_USERD_SIZE);
	ch->notifier = work_arena_get(a, sizeof(struct nvkm_vgpu_notifier), 16);
	ch->pb = work_arena_get(a, WORK_PB_SIZE, 4096);
	ch->fence = work_sys_get(g, 16, 16);
	ch->busy = work_sys_get(g, 64, 64);
	args = (struct work_alloc_args){ cls, ch->gpfifo.gpu, entries,
					 ch->userd.gpu, ch->notifier.gpu };
	return work_mbox_alloc(&g->d, &args, &ch->id);
}

/**
 * work_chan_works() - run a segment with only a fence (and a bind)
 * @ch: the channel
 * @bind: first bind the channel's class to WORK_SUBC
 *
 * Return: whether the fence came within WORK_WAIT_MS.
 */
bool work_chan_works(struct work_chan *ch, bool bind)
{
	struct work_push p;
	u32 seq;

	work_push_begin(&p, ch);
	if (bind)
		work_push_bind(&p);
	seq = work_push_fence(&p);
	return work_push_kick(&p) && work_chan_wait(ch, seq, WORK_WAIT_MS);
}

/**
 * work_chan_new() - allocate a channel in guest memory, its class bound
 * @ch: filled in
 * @g: the vGPU
 * @cls: NVKM_VGPU_CLASS_SIM_BUSY or NVKM_VGPU_CLASS_COPY
 * @entries: GPFIFO entries, a power of two
 *
 * work_chan_alloc() from g->mem, then binds @cls to WORK_SUBC.
 *
 * Return: the mailbox status; WORK_BIND_FAILED when the channel was
 * allocated but did not run the bind.
 */
u32 work_chan_new(struct work_chan *ch, struct work_vgpu *g, u32 cls,
		  u32 entries)
{
	u32 status = work_chan_alloc(ch, g, &g->mem, cls, entries);

	if (status != NVKM_VGPU_MBOX_OK)
		return status;
	return work_chan_works(ch, true) ? NVKM_VGPU_MBOX_OK : WORK_BIND_FAILED;
}

/**
 * work_chan_free() - CHAN_FREE
 * @ch: the channel
 *
 * Return: the mailbox status.
 */
u32 work_chan_free(struct work_chan *ch)
{
	return work_mbox_chan(&ch->g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, ch->id);
}

/**
 * work_chan_reset_unbound() - CHAN_RESET alone
 * @ch: the channel; its GPFIFO and push buffer start over, its notifier
 *	is cleared, and no object is bound until the caller binds one
 *
 * Return: the mailbox status.
 */
u32 work_chan_reset_unbound(struct work_chan *ch)
{
	u32 status = work_mbox_chan(&ch->g->d, NVKM_VGPU_MBOX_CMD_CHAN_RESET,
				    ch->id);

	if (status != NVKM_VGPU_MBOX_OK)
		return status;
	ch->put = 0;
	ch->pb_used = 0;
	ch->feeding = false;
	memset(ch->notifier.cpu, 0, ch->notifier.size);
	return status;
}

/**
 * work_chan_reset() - CHAN_RESET, then bind the class again
 * @ch: the channel
 *
 * Return: the mailbox status; WORK_BIND_FAILED when the channel does not
 * run the bind afterwards.
 */
u32 work_chan_reset(struct work_chan *ch)
{
	u32 status = work_chan_reset_unbound(ch);

	if (status != NVKM_VGPU_MBOX_OK)
		return status;
	return work_chan_works(ch, true) ? NVKM_VGPU_MBOX_OK : WORK_BIND_FAILED;
}

/**
 * work_chan_state() - the channel's CHAN_STATE register
 * @ch: the channel
 *
 * Return: its value.
 */
u32 work_chan_state(struct work_chan *ch)
{
	return bar0_rd(&ch->g->d, NVKM_VGPU_REG_CHAN_STATE(ch->id));
}

/**
 * work_gp_get() - the next GPFIFO entry the GPU reads
 * @ch: the channel
 *
 * Return: USERD's GP_GET.
 */
u32 work_gp_get(struct work_chan *ch)
{
	return work_rd32(ch->userd.cpu + NVKM_VGPU_USERD_GP_GET);
}

/**
 * work_gp_put() - the last GPFIFO entry published to the GPU
 * @ch: the channel
 *
 * Return: USERD's GP_PUT.
 */
u32 work_gp_put(struct work_chan *ch)
{
	return work_rd32(ch->userd.cpu + NVKM_VGPU_USERD_GP_PUT);
}

/**
 * work_chan_idle() - wait for the GPU to have read every entry
 * @ch: the channel
 * @ms: deadline
 *
 * Return: whether GP_GET reached GP_PUT.
 */
bool work_chan_idle(struct work_chan *ch, unsigned int ms)
{
	return work_wait_mem(ch->userd.cpu + NVKM_VGPU_USERD_GP_GET, ch->put,
			     ms);
}

/* Free GPFIFO entries: one stays empty, so that GP_PUT == GP_GET is empty. */
static u32 work_room(struct work_chan *ch)
{
	return ch->entries - 1 - ((ch->put - work_gp_get(ch)) & (ch->entries - 1));
}

static void work_entry(struct work_chan *ch, u64 gpu, u32 len)
{
	u8 *e = ch->gpfifo.cpu + 8 * ch->put;

	work_wr32(e, lower_32_bits(gpu) & NVKM_VGPU_GP_ENTRY0_GET_MASK);
	work_wr32(e + 4, (upper_32_bits(gpu) & NVKM_VGPU_GP_ENTRY1_GET_HI_MASK) |
			 len << NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT);
	ch->put = (ch->put + 1) & (ch->entries - 1);
}

/**
 * work_chan_entry() - write a GPFIFO entry, not yet published
 * @ch: the channel
 * @gpu: the push segment's GPU address
 * @len: its dwords; 0 for an entry that runs nothing
 *
 * Waits (polling) for room in the GPFIFO first; the next work_push_kick()
 * publishes the entry with its own.
 *
 * Return: false when the GPFIFO had no room within WORK_WAIT_MS.
 */
bool work_chan_entry(struct work_chan *ch, u64 gpu, u32 len)
{
	u64 end = now_us() + WORK_WAIT_MS * 1000ull;

	while (!work_room(ch)) {
		if (now_us() > end)
			return false;
		usleep(500);
	}
	work_entry(ch, gpu, len);
	return true;
}

/*
 * Publishes GP_PUT and tells the GPU: through DOORBELL(id) with the new
 * GP_PUT, or NOTIFY_CHANNEL_PENDING with the channel's number.
 */
static void work_kick(struct work_chan *ch)
{
	__sync_synchronize();
	work_wr32(ch->userd.cpu + NVKM_VGPU_USERD_GP_PUT, ch->put);
	__sync_synchronize();
	if (ch->doorbell) {
		ch->rung = ch->put;
		bar0_write(&ch->g->d, NVKM_VGPU_REG_DOORBELL(ch->id), ch->rung);
	} else {
		bar0_write(&ch->g->d, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING, ch->id);
	}
}

/**
 * work_hdr() - a method header
 * @op: NVKM_VGPU_DMA_SEC_OP_*
 * @subc: the subchannel
 * @mthd: the (first) method
 * @count: data words; IMMD's data
 *
 * Return: the header.
 */
u32 work_hdr(u32 op, u32 subc, u32 mthd, u32 count)
{
	return op << NVKM_VGPU_DMA_SEC_OP_SHIFT |
	       (count & NVKM_VGPU_DMA_COUNT_MASK) << NVKM_VGPU_DMA_COUNT_SHIFT |
	       subc << NVKM_VGPU_DMA_SUBCH_SHIFT |
	       ((mthd >> 2) & NVKM_VGPU_DMA_ADDRESS_MASK);
}

/**
 * work_push_begin() - start a push segment in the channel's push buffer
 * @p: the segment
 * @ch: the channel; its push buffer wraps, so what is older than the
 *	buffer's size must have run
 */
void work_push_begin(struct work_push *p, struct work_chan *ch)
{
	if (ch->pb_used + 4 * WORK_PUSH_MAX > ch->pb.size)
		ch->pb_used = 0;
	p->ch = ch;
	p->cpu = (u32 *)(ch->pb.cpu + ch->pb_used);
	p->gpu = ch->pb.gpu + ch->pb_used;
	p->len = 0;
}

/**
 * work_push_dw() - one dword of a segment, as it is
 * @p: the segment; bails out past WORK_PUSH_MAX dwords
 * @v: the dword
 */
void work_push_dw(struct work_push *p, u32 v)
{
	if (p->len == WORK_PUSH_MAX)
		tap_bail("push segment longer than %u dwords", WORK_PUSH_MAX);
	work_wr32(&p->cpu[p->len++], v);
}

/**
 * work_push_op() - a method header of any format and its data
 * @p: the segment
 * @op: NVKM_VGPU_DMA_SEC_OP_*
 * @subc: the subchannel
 * @mthd: the (first) method
 * @n: data words
 * @data: them
 */
void work_push_op(struct work_push *p, u32 op, u32 subc, u32 mthd,
		  unsigned int n, const u32 *data)
{
	unsigned int i;

	work_push_dw(p, work_hdr(op, subc, mthd, n));
	for (i = 0; i < n; i++)
		work_push_dw(p, data[i]);
}

/**
 * work_push_inc() - an incrementing method header and its data
 * @p: the segment
 * @mthd: the first method, on WORK_SUBC
 * @n: data words
 * @data: them
 */
void work_push_inc(struct work_push *p, u32 mthd, unsigned int n,
		   const u32 *data)
{
	work_push_op(p, NVKM_VGPU_DMA_SEC_OP_INC_METHOD, WORK_SUBC, mthd, n,
		     data);
}

/**
 * work_push_mthd() - one method and its data word
 * @p: the segment
 * @mthd: the method, on WORK_SUBC
 * @data: its data
 */
void work_push_mthd(struct work_push *p, u32 mthd, u32 data)
{
	work_push_inc(p, mthd, 1, &data);
}

/**
 * work_push_immd() - an IMMD header: the data in its count field
 * @p: the segment
 * @mthd: the method, on WORK_SUBC
 * @data: its data, 13 bits
 */
void work_push_immd(struct work_push *p, u32 mthd, u32 data)
{
	work_push_dw(p, work_hdr(NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD,
				 WORK_SUBC, mthd, data));
}

/**
 * work_push_bind() - SET_OBJECT of the channel's class on WORK_SUBC
 * @p: the segment
 */
void work_push_bind(struct work_push *p)
{
	work_push_mthd(p, NVKM_VGPU_HOST_SET_OBJECT, p->ch->cls);
}

/**
 * work_push_busy() - a SIM_BUSY launch
 * @p: the segment, of a GR channel
 * @ns: how long the engine is busy
 */
void work_push_busy(struct work_push *p, u64 ns)
{
	u32 d[3] = { lower_32_bits(ns), upper_32_bits(ns), 0 };

	work_push_inc(p, NVKM_VGPU_SIM_BUSY_NS_LO, 3, d);
}

/**
 * work_push_sem() - a host semaphore operation
 * @p: the segment
 * @addr: the semaphore's GPU address
 * @payload: PAYLOAD_LO and PAYLOAD_HI
 * @exec: SEM_EXECUTE: WORK_SEM_RELEASE for a release after the work
 *	before it, with NVKM_VGPU_SEM_RELEASE_TIMESTAMP for the engine's ns
 *	at @addr + 8 (16 bytes then); an acquire's operation
 */
void work_push_sem(struct work_push *p, u64 addr, u64 payload, u32 exec)
{
	u32 d[5] = { lower_32_bits(addr), upper_32_bits(addr),
		     lower_32_bits(payload), upper_32_bits(payload), exec };

	work_push_inc(p, NVKM_VGPU_HOST_SEM_ADDR_LO, 5, d);
}

/**
 * work_push_fence() - release the channel's next fence value
 * @p: the segment
 *
 * Return: the value, for work_chan_wait().
 */
u32 work_push_fence(struct work_push *p)
{
	work_push_sem(p, p->ch->fence.gpu, ++p->ch->seq, WORK_SEM_RELEASE);
	return p->ch->seq;
}

/**
 * work_push_kick() - queue the segment as one GPFIFO entry and kick
 * @p: the segment
 *
 * Waits (polling) for room in the GPFIFO first.
 *
 * Return: false when the GPFIFO had no room within WORK_WAIT_MS.
 */
bool work_push_kick(struct work_push *p)
{
	struct work_chan *ch = p->ch;

	if (!work_chan_entry(ch, p->gpu, p->len))
		return false;
	ch->pb_used += ((u64)p->len * 4 + 63) & ~63ull;
	work_kick(ch);
	return true;
}

/**
 * work_chan_wait() - wait for the channel's fence to reach a value
 * @ch: the channel
 * @seq: from work_push_fence()
 * @ms: deadline
 *
 * Return: whether it did.
 */
bool work_chan_wait(struct work_chan *ch, u32 seq, unsigned int ms)
{
	return work_wait_mem(ch->fence.cpu, seq, ms);
}

/**
 * work_push_launches() - queue SIM_BUSY launches, one GPFIFO entry each
 * @ch: a GR channel
 * @n: how many, at least 1
 * @ns: the length of each
 * @seq: the fence the last one releases, for work_chan_wait()
 *
 * Return: false when the GPFIFO had no room within WORK_WAIT_MS.
 */
bool work_push_launches(struct work_chan *ch, unsigned int n, u64 ns,
			u32 *seq)
{
	struct work_push p;
	unsigned int i;

	for (i = 0; i < n; i++) {
		work_push_begin(&p, ch);
		work_push_busy(&p, ns);
		if (i == n - 1)
			*seq = work_push_fence(&p);
		if (!work_push_kick(&p))
			return false;
	}
	return true;
}

/**
 * work_feed_start() - make a GR channel a busy feeder
 * @ch: the channel, idle (GP_GET at GP_PUT)
 * @busy_ns: the length of each launch
 *
 * Writes the one push segment every entry work_feed() queues runs: a
 * SIM_BUSY launch of @busy_ns.
 */
void work_feed_start(struct work_chan *ch, u64 busy_ns)
{
	struct work_push p = { .ch = ch, .cpu = (u32 *)ch->busy.cpu,
			       .gpu = ch->busy.gpu };

	work_push_busy(&p, busy_ns);
	ch->busy_len = p.len;
	ch->busy_ns = busy_ns;
	ch->fed_get = work_gp_get(ch);
	ch->feeding = true;
}

/**
 * work_feed() - fill the feeder's GPFIFO up
 * @ch: a channel after work_feed_start()
 *
 * Counts the launches GP_GET passed since the last call in ch->done, and
 * queues one launch per free entry, with one kick.
 *
 * Return: the launches queued.
 */
u32 work_feed(struct work_chan *ch)
{
	u32 get = work_gp_get(ch), n = 0;

	ch->done += (get - ch->fed_get) & (ch->entries - 1);
	ch->fed_get = get;
	if (!ch->feeding)
		return 0;
	while (work_room(ch)) {
		work_entry(ch, ch->busy.gpu, ch->busy_len);
		n++;
	}
	if (n)
		work_kick(ch);
	return n;
}

/**
 * work_feed_stop() - stop feeding and let the GPFIFO drain
 * @ch: a feeder
 * @ms: how long to wait for the drain; 0 not to wait
 *
 * Return: whether GP_GET reached GP_PUT (true when not waiting).
 */
bool work_feed_stop(struct work_chan *ch, unsigned int ms)
{
	bool idle;

	ch->feeding = false;
	if (!ms)
		return true;
	idle = work_chan_idle(ch, ms);
	work_feed(ch);
	return idle;
}

/**
 * work_feed_for() - keep feeders full for a while
 * @ch: channels
 * @open: which of them are allocated: only those are fed
 * @n: how many channels
 * @ms: for how long
 * @period_ms: between two rounds of work_feed()
 */
void work_feed_for(struct work_chan *ch, const bool *open, unsigned int n,
		   unsigned int ms, unsigned int period_ms)
{
	u64 end = now_us() + ms * 1000ull;
	unsigned int i;

	do {
		for (i = 0; i < n; i++)
			if (open[i])
				work_feed(&ch[i]);
		usleep(period_ms * 1000);
	} while (now_us() < end);
}

/**
 * work_stats_read() - a vGPU's scheduler accounting on one runlist
 * @uuid: the vGPU
 * @engine: the runlist ("gr0")
 * @st: filled from its lines of sched_stats and wait_hist
 *
 * Return: 0, a negative errno, or -ENOENT when the runlist has no line.
 */
int work_stats_read(const char *uuid, const char *engine,
		    struct work_stats *st)
{
	char buf[4096], *line, *save = NULL, name[16];
	unsigned int k;
	int ret, n, off;
	bool found = false;

	memset(st, 0, sizeof(*st));
	ret = mdev_attr(uuid, "sched_stats", buf, sizeof(buf));
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v[8];

		if (sscanf(line, "%15s %llu %llu %llu %llu %llu %llu %llu %llu",
			   name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) != 9 || strcmp(name, engine))
			continue;
		st->busy_ns = v[0];
		st->slices = v[1];
		st->preemptions = v[2];
		st->timeouts = v[3];
		st->resets = v[4];
		st->wait_p50_us = v[5];
		st->wait_p99_us = v[6];
		st->share_ppm = v[7];
		found = true;
	}
	if (!found)
		return -ENOENT;
	ret = mdev_attr(uuid, "wait_hist", buf, sizeof(buf));
	if (ret)
		return ret;
	save = NULL;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%15s%n", name, &off) != 1 ||
		    strcmp(name, engine))
			continue;
		line += off;
		for (k = 0; k < WORK_HIST_BUCKETS; k++) {
			unsigned long long c;

			if (sscanf(line, " %llu%n", &c, &n) != 1)
				return -EINVAL;
			st->hist[k] = c;
			line += n;
		}
		return 0;
	}
	return -ENOENT;
}

/**
 * work_hist_pct_us() - a percentile of a wait_hist (or of a difference)
 * @hist: WORK_HIST_BUCKETS counts, bucket k for [2^k, 2^(k+1)) us
 * @pct: 1 to 100
 *
 * Return: the upper bound of the bucket the percentile falls in, in us,
 * as sched_stats computes it; 0 when the histogram is empty.
 */
u64 work_hist_pct_us(const u64 *hist, unsigned int pct)
{
	u64 total = 0, seen = 0, want;
	unsigned int k;

	for (k = 0; k < WORK_HIST_BUCKETS; k++)
		total += hist[k];
	if (!total)
		return 0;
	want = (total * pct + 99) / 100;
	for (k = 0; k < WORK_HIST_BUCKETS - 1; k++) {
		seen += hist[k];
		if (seen >= want)
			break;
	}
	return 2ull << k;
}
