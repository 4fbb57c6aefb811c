// SPDX-License-Identifier: GPL-2.0
/*
 * channel: a guest driver's use of channels (uAPI version 3).
 *
 * Two tiny-1c vGPUs, each with guest memory: an anonymous buffer mapped
 * with VFIO_IOMMU_MAP_DMA at IOVA WORK_SYS_IOVA of its container, which
 * the GPU reaches at NVKM_VGPU_VA_SYSMEM + WORK_SYS_IOVA, and the start of
 * its FB mapped through BAR1 (GPU address = FB offset). Channels are asked
 * for through the mailbox, fed NVIDIA-format GPFIFO entries and push
 * buffers, and kicked through NOTIFY_CHANNEL_PENDING or their DOORBELL(n);
 * completion is seen through semaphores the channels release (lib/work.c
 * does each of those as a guest driver would). Documentation/channels.rst
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
#include "work.h"

#define SYS_SIZE	(8u << 20)	/* guest memory, at WORK_SYS_IOVA */
#define HOLE_IOVA	0x40000000ull	/* never mapped */
#define FB_MAP_SIZE	(8u << 20)	/* the start of the FB, through BAR1 */
#define FB_IMMD_SIZE	8192		/* FB addresses an IMMD header can carry */

#define GPFIFO_ENTRIES	64
#define COPY_BYTES	(384u << 10)

#define WAIT_MS		WORK_WAIT_MS	/* for what must happen */
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

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

static struct work_mem sys_get(struct work_vgpu *g, u64 size)
{
	return work_arena_get(&g->mem, size, 4096);
}

static struct work_mem fb_get(struct work_vgpu *g, u64 size)
{
	return work_arena_get(&g->fb, size, 4096);
}

/* A 16-byte semaphore slot in guest memory, filled with 0xff sentinels. */
static struct work_mem sem_new(struct work_vgpu *g)
{
	struct work_mem m = work_arena_get(&g->mem, 16, 16);

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

static u32 intr_status(struct work_vgpu *g)
{
	return bar0_rd(&g->d, NVKM_VGPU_REG_INTR_STATUS);
}

static void intr_clear(struct work_vgpu *g, u32 bits)
{
	bar0_write(&g->d, NVKM_VGPU_REG_INTR_STATUS, bits);
}

static u32 chan_state_of(struct work_vgpu *g, u32 id)
{
	return bar0_rd(&g->d, NVKM_VGPU_REG_CHAN_STATE(id));
}

/* vGPUs */

static void vgpu_setup(struct work_vgpu *g, const struct vgpu_parent *p,
		       const char *type, const char *name)
{
	int ret;

	ret = work_vgpu_new(g, p, type, name, SYS_SIZE);
	if (ret)
		tap_bail("%s: create %s with guest memory (VFIO_IOMMU_MAP_DMA): %s",
			 name, type, errno_name(-ret));
	if (g->fb_size < 2 * FB_MAP_SIZE || !g->nr_chan ||
	    g->nr_chan > NVKM_VGPU_DOORBELL_MAX)
		tap_bail("%s: FB_SIZE %#llx, CHID_COUNT %u", name,
			 (unsigned long long)g->fb_size, g->nr_chan);
	/* From FB_IMMD_SIZE: the low FB is handed out by hand. */
	ret = work_vgpu_map_fb(g, FB_MAP_SIZE, FB_IMMD_SIZE);
	if (ret)
		tap_bail("%s: mmap of BAR1: %s", name, errno_name(-ret));
	tap_diag("%s: %s, FB %#llx bytes, %u channels, engines %#x, fb_offset %lld",
		 name, g->d.uuid, (unsigned long long)g->fb_size, g->nr_chan,
		 bar0_rd(&g->d, NVKM_VGPU_REG_ENGINES),
		 mdev_ull(g->d.uuid, "fb_offset"));
}

static void vgpu_teardown(struct work_vgpu *g)
{
	tap_errno(work_vgpu_del(g), 0, "%s: remove the vGPU", g->name);
}

/* Channels */

/* A copy of @lines lines of @len bytes (or elements with REMAP). */
static void push_copy(struct work_push *p, u64 src, u64 dst, u32 len,
		      u32 lines, u32 pitch_in, u32 pitch_out, u32 launch)
{
	u32 d[8] = { upper_32_bits(src), lower_32_bits(src), upper_32_bits(dst),
		     lower_32_bits(dst), pitch_in, pitch_out, len, lines };

	work_push_inc(p, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 8, d);
	if (lines > 1)
		launch |= NVKM_VGPU_COPY_LAUNCH_MULTI_LINE;
	work_push_mthd(p, NVKM_VGPU_COPY_LAUNCH_DMA, launch);
}

static void push_copy_sem(struct work_push *p, u64 addr, u32 payload)
{
	u32 d[3] = { upper_32_bits(addr), lower_32_bits(addr), payload };

	work_push_inc(p, NVKM_VGPU_COPY_SET_SEMAPHORE_A, 3, d);
}

/* Copies with @ch and waits; whether the fence came. */
static bool copy_wait(struct work_chan *ch, u64 src, u64 dst, u32 len,
		      u32 lines, u32 pitch_in, u32 pitch_out, u32 launch)
{
	struct work_push p;
	u32 seq;

	work_push_begin(&p, ch);
	push_copy(&p, src, dst, len, lines, pitch_in, pitch_out, launch);
	seq = work_push_fence(&p);
	work_push_kick(&p);
	return work_chan_wait(ch, seq, WAIT_MS);
}

/*
 * Allocates channel memory from @a (GPFIFO, USERD, notifier, push buffer;
 * the fence always in guest memory) and asks for the channel: odd ones are
 * kicked through NOTIFY_CHANNEL_PENDING, even ones through their
 * DOORBELL(n). Returns the mailbox status.
 */
static u32 chan_new(struct work_chan *ch, struct work_vgpu *g,
		    struct work_arena *a, u32 cls, const char *name)
{
	u32 status = work_chan_alloc(ch, g, a, cls, GPFIFO_ENTRIES);

	ch->name = name;
	ch->doorbell = !(ch->id % 2);
	return status;
}

static void chan_setup(struct work_chan *ch, struct work_vgpu *g,
		       struct work_arena *a, u32 cls, const char *name)
{
	u32 status = chan_new(ch, g, a, cls, name);

	if (status != NVKM_VGPU_MBOX_OK)
		tap_bail("%s: CHAN_ALLOC of %s: status %u", g->name, name,
			 status);
	if (!work_chan_works(ch, true))
		tap_bail("%s: %s (channel %u) runs nothing: CHAN_STATE %#x, GP_GET %u",
			 g->name, name, ch->id, work_chan_state(ch),
			 work_gp_get(ch));
}

/* Identity and mailbox */

static void check_identity(struct work_vgpu *g)
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
static struct work_alloc_args good_args(struct work_vgpu *g)
{
	struct work_mem gpfifo = sys_get(g, 8 * GPFIFO_ENTRIES);
	struct work_mem userd = sys_get(g, 4096);

	return (struct work_alloc_args){ NVKM_VGPU_CLASS_COPY, gpfifo.gpu,
					 GPFIFO_ENTRIES, userd.gpu,
					 userd.gpu + 2048 };
}

static void check_refused(struct work_vgpu *g, const struct work_alloc_args *a,
			  u32 want, const char *what)
{
	u32 id = 0xdead, status = work_mbox_alloc(&g->d, a, &id);

	tap_check(status == want && id == 0,
		  "mailbox: CHAN_ALLOC with %s: status %u, result %u (want %u, 0)",
		  what, status, id, want);
}

static void check_mailbox_refusals(struct work_vgpu *g)
{
	static const u32 bad_cmd[] = { 0, 4, 0xffffffff };
	static const u32 bad_class[] = { 0, NVKM_VGPU_CLASS_HOST, 0xc0b5, 0xc5b5 };
	static const u32 bad_entries[] = { 0, 1, 3, 48, 2 * NVKM_VGPU_GPFIFO_ENTRIES_MAX };
	struct work_alloc_args good = good_args(g), a;
	char what[96];
	unsigned int i;
	u32 status, result;

	for (i = 0; i < ARRAY_SIZE(bad_cmd); i++) {
		intr_clear(g, NVKM_VGPU_INTR_ALL);
		status = work_mbox(&g->d, bad_cmd[i], NULL, 0, &result);
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

	status = work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 0);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: CHAN_FREE of unallocated channel 0 is BAD_CHANNEL (%u)",
		  status);
	status = work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, g->nr_chan);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: CHAN_FREE of channel CHID_COUNT (%u) is BAD_CHANNEL (%u)",
		  g->nr_chan, status);
	status = work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_RESET, 1);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: CHAN_RESET of unallocated channel 1 is BAD_CHANNEL (%u)",
		  status);
}

/* Sizes at both ends of the range are taken, and freed. */
static void check_mailbox_sizes(struct work_vgpu *g)
{
	static const u32 sizes[] = { 2, NVKM_VGPU_GPFIFO_ENTRIES_MAX };
	struct work_alloc_args a = good_args(g);
	unsigned int i;
	u32 status, id, freed;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		a.entries = sizes[i];
		/* 64K entries are 512 KiB: put them in the FB, never run. */
		a.gpfifo = sizes[i] > GPFIFO_ENTRIES ? FB_MAP_SIZE : a.gpfifo;
		status = work_mbox_alloc(&g->d, &a, &id);
		freed = work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, id);
		tap_check(status == NVKM_VGPU_MBOX_OK && id == 0 &&
			  freed == NVKM_VGPU_MBOX_OK,
			  "mailbox: a GPFIFO of %u entries is taken (status %u, channel %u) and freed (%u)",
			  sizes[i], status, id, freed);
	}
}

/* Every state reads @want (for channels in @mask) or FREE. */
static bool states_are(struct work_vgpu *g, u64 mask, u32 want)
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
static struct work_alloc_args idle_args(struct work_mem *m, u32 i)
{
	u64 base = m->gpu + 4096 * (u64)i;

	return (struct work_alloc_args){ NVKM_VGPU_CLASS_COPY, base, 16,
					 base + 1024, base + 2048 };
}

static void check_mailbox_exhaust(struct work_vgpu *g)
{
	struct work_mem m;
	struct work_alloc_args a;
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
		status = work_mbox_alloc(&g->d, &a, &id);
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
	status = work_mbox_alloc(&g->d, &a, &id);
	tap_check(status == NVKM_VGPU_MBOX_NO_CHANNEL && id == 0,
		  "mailbox: allocation %u is NO_CHANNEL (%u), result 0 (%u)",
		  g->nr_chan + 1, status, id);
	tap_check(bar0_rd(&g->d, NVKM_VGPU_REG_CHAN_STATE(g->nr_chan)) == 0,
		  "CHAN_STATE(CHID_COUNT) reads 0");

	if (g->nr_chan >= 6) {
		work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 5);
		work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 2);
		tap_check(states_are(g, all & ~(1ull << 5 | 1ull << 2),
				     NVKM_VGPU_CHAN_STATE_ACTIVE),
			  "mailbox: channels 5 and 2 freed read FREE, the others ACTIVE");
		a = idle_args(&m, 2);
		status = work_mbox_alloc(&g->d, &a, &id);
		tap_check(status == NVKM_VGPU_MBOX_OK && id == 2,
			  "mailbox: the next allocation is the lowest free channel, 2 (%u)",
			  id);
		a = idle_args(&m, 5);
		status = work_mbox_alloc(&g->d, &a, &id);
		tap_check(status == NVKM_VGPU_MBOX_OK && id == 5,
			  "mailbox: and the next one 5 (%u)", id);
	}
	status = work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 3);
	arg = bar0_rd(&g->d, NVKM_VGPU_REG_MBOX_ARG(0));
	tap_check(status == NVKM_VGPU_MBOX_OK && arg == 3 &&
		  bar0_rd(&g->d, NVKM_VGPU_REG_MBOX_ARG(7)) == upper_32_bits(a.notifier),
		  "mailbox: arguments keep their values after a request (ARG0 %u)", arg);
	status = work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, 3);
	tap_check(status == NVKM_VGPU_MBOX_BAD_CHANNEL,
		  "mailbox: freeing channel 3 twice is BAD_CHANNEL (%u)", status);
	for (i = 0; i < g->nr_chan; i++) {
		status = work_mbox_chan(&g->d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, i);
		if (i != 3 && status != NVKM_VGPU_MBOX_OK)
			freed = false;
	}
	tap_check(freed && states_are(g, 0, 0),
		  "mailbox: every channel freed, every CHAN_STATE reads FREE");
}

/* GPFIFO, USERD and method headers */

static void check_gpfifo(struct work_chan *ch)
{
	struct work_vgpu *g = ch->g;
	struct work_push p;
	bool doorbell = ch->doorbell, ok;
	u32 seq, ref;

	/* A no-op entry (length 0), a segment of NOP headers, a reference. */
	work_push_begin(&p, ch);
	work_chan_entry(ch, p.gpu, 0);
	work_push_dw(&p, 0);
	work_push_dw(&p, 0);
	work_push_mthd(&p, NVKM_VGPU_HOST_SET_REFERENCE, 0x5eed0001);
	work_push_dw(&p, 0);
	work_push_kick(&p);
	work_push_begin(&p, ch);
	work_push_mthd(&p, NVKM_VGPU_HOST_WFI, 0);
	seq = work_push_fence(&p);
	work_push_kick(&p);
	ok = work_chan_wait(ch, seq, WAIT_MS) &&
	     work_wait_mem(ch->userd.cpu + NVKM_VGPU_USERD_GP_GET, ch->put, WAIT_MS);
	tap_check(ok, "%s: GP_GET reaches GP_PUT (%u, %u) past a no-op entry and NOP headers",
		  ch->name, work_gp_get(ch), work_gp_put(ch));
	ref = work_rd32(ch->userd.cpu + NVKM_VGPU_USERD_REFERENCE);
	tap_check(ref == 0x5eed0001, "%s: SET_REFERENCE shows in USERD 0x48 (%#x)",
		  ch->name, ref);

	/* Round the ring more than once, kicking both ways. */
	for (ref = 0; ref < ch->entries + 3; ref++) {
		ch->doorbell = !(ref % 2);
		work_push_begin(&p, ch);
		work_push_mthd(&p, NVKM_VGPU_HOST_SET_REFERENCE, ref);
		work_push_kick(&p);
	}
	ch->doorbell = doorbell;
	ok = work_wait_mem(ch->userd.cpu + NVKM_VGPU_USERD_GP_GET, ch->put, WAIT_MS) &&
	     work_wait_mem(ch->userd.cpu + NVKM_VGPU_USERD_REFERENCE, ref - 1, WAIT_MS);
	tap_check(ok,
		  "%s: %u entries round the %u-entry ring, kicked by NOTIFY_CHANNEL_PENDING and DOORBELL(%u) (GP_GET %u, reference %u)",
		  ch->name, ref, ch->entries, ch->id, work_gp_get(ch),
		  work_rd32(ch->userd.cpu + NVKM_VGPU_USERD_REFERENCE));
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
static void check_headers(struct work_chan *ch)
{
	struct work_vgpu *g = ch->g;
	u8 *fb_sem = g->bar1 + 0x100;
	struct work_mem s64 = sem_new(g), s7 = sem_new(g);
	u32 nonincr[2] = { 5, 7 }, oneincr[3] = { 0x2222, 0xdead, 0x4444 };
	u32 s7_sem[5] = { lower_32_bits(s7.gpu), upper_32_bits(s7.gpu), 0x77, 0,
			  NVKM_VGPU_SEM_OP_RELEASE };
	struct work_push p;
	u32 seq;

	memset(fb_sem, 0xff, 16);
	work_push_begin(&p, ch);
	work_push_dw(&p, 0);
	work_push_immd(&p, NVKM_VGPU_HOST_SEM_ADDR_LO, 0x100);
	work_push_immd(&p, NVKM_VGPU_HOST_SEM_ADDR_HI, 0);
	work_push_op(&p, NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD, WORK_SUBC,
		     NVKM_VGPU_HOST_SEM_PAYLOAD_LO, 2, nonincr);
	work_push_immd(&p, NVKM_VGPU_HOST_SEM_PAYLOAD_HI, 0);
	work_push_immd(&p, NVKM_VGPU_HOST_SEM_EXECUTE, NVKM_VGPU_SEM_OP_RELEASE);
	work_push_dw(&p, 0);
	work_push_mthd(&p, NVKM_VGPU_HOST_SEM_ADDR_LO, lower_32_bits(s64.gpu));
	work_push_mthd(&p, NVKM_VGPU_HOST_SEM_ADDR_HI, upper_32_bits(s64.gpu));
	work_push_op(&p, NVKM_VGPU_DMA_SEC_OP_ONE_INC, WORK_SUBC,
		     NVKM_VGPU_HOST_SEM_PAYLOAD_LO, 3, oneincr);
	work_push_mthd(&p, NVKM_VGPU_HOST_SEM_EXECUTE,
		       NVKM_VGPU_SEM_OP_RELEASE | NVKM_VGPU_SEM_PAYLOAD_64BIT);
	work_push_op(&p, NVKM_VGPU_DMA_SEC_OP_INC_METHOD, 7,
		     NVKM_VGPU_HOST_SEM_ADDR_LO, 5, s7_sem);
	seq = work_push_fence(&p);
	work_push_kick(&p);
	work_chan_wait(ch, seq, WAIT_MS);
	tap_check(work_rd32(fb_sem) == 7 && work_rd32(fb_sem + 4) == 0xffffffff,
		  "%s: IMMD, NON_INC and NOP headers: an FB semaphore reads the last NON_INC word (%#x, next word %#x)",
		  ch->name, work_rd32(fb_sem), work_rd32(fb_sem + 4));
	tap_check(work_rd64(s64.cpu) == 0x0000444400002222ull,
		  "%s: ONE_INC: first word to PAYLOAD_LO, the rest to PAYLOAD_HI (64-bit release %#llx)",
		  ch->name, (unsigned long long)work_rd64(s64.cpu));
	tap_check(work_rd32(s7.cpu) == 0x77,
		  "%s: host methods run on subchannel 7, which has no object (%#x)",
		  ch->name, work_rd32(s7.cpu));
}

/* Copies */

static void check_copies(struct work_chan *ce)
{
	struct work_vgpu *g = ce->g;
	struct work_mem src = sys_get(g, COPY_BYTES), dst = sys_get(g, COPY_BYTES);
	struct work_mem fb_a = fb_get(g, COPY_BYTES), fb_b = fb_get(g, COPY_BYTES);
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

static void check_pitch(struct work_chan *ce)
{
	enum { LINES = 16, LEN = 700, PITCH_IN = 1024, PITCH_OUT = 768 };
	struct work_vgpu *g = ce->g;
	struct work_mem src = sys_get(g, LINES * PITCH_IN);
	struct work_mem dst = fb_get(g, LINES * PITCH_OUT);
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

static void check_memset(struct work_chan *ce)
{
	enum { WORDS = 4096 };
	struct work_vgpu *g = ce->g;
	struct work_mem dst = fb_get(g, 4 * WORDS + 4096);
	u32 remap = NVKM_VGPU_REMAP_CONST_A |
		    3 << NVKM_VGPU_REMAP_COMPONENT_SIZE_SHIFT;
	struct work_push p;
	bool ran, ok = true;
	unsigned int i;
	u32 seq;

	memset(dst.cpu, 0xee, dst.size);
	work_push_begin(&p, ce);
	work_push_mthd(&p, NVKM_VGPU_COPY_SET_REMAP_CONST_A, 0xcafef00d);
	work_push_mthd(&p, NVKM_VGPU_COPY_SET_REMAP_COMPONENTS, remap);
	/* The source is never read; a valid address all the same. */
	push_copy(&p, dst.gpu, dst.gpu, WORDS, 1, 0, 0,
		  LAUNCH_COPY | NVKM_VGPU_COPY_LAUNCH_REMAP);
	seq = work_push_fence(&p);
	work_push_kick(&p);
	ran = work_chan_wait(ce, seq, WAIT_MS);
	for (i = 0; ran && ok && i < WORDS; i++)
		ok = work_rd32(dst.cpu + 4 * i) == 0xcafef00d;
	tap_check(ran && ok && all_bytes(dst.cpu + 4 * WORDS, 4096, 0xee),
		  "%s: memset of %u words through remap CONST_A, nothing past them",
		  ce->name, WORDS);
}

/* Semaphores */

static void check_host_release(struct work_chan *ch, u32 exec, const char *what)
{
	struct work_mem s = sem_new(ch->g);
	bool wide = exec & NVKM_VGPU_SEM_PAYLOAD_64BIT;
	bool stamp = exec & NVKM_VGPU_SEM_RELEASE_TIMESTAMP;
	u64 payload = wide ? 0x1234567800abcdefull : 0x00abcdefull;
	u64 before = now_us() * 1000, after, ts;
	struct work_push p;
	bool ran, ok;

	work_push_begin(&p, ch);
	work_push_sem(&p, s.gpu, payload, exec);
	work_push_fence(&p);
	work_push_kick(&p);
	ran = work_chan_wait(ch, ch->seq, WAIT_MS);
	after = now_us() * 1000 + 1000;
	ok = ran && (wide ? work_rd64(s.cpu) : work_rd32(s.cpu)) == payload;
	if (!wide && !stamp)
		ok &= all_bytes(s.cpu + 4, 12, 0xff);
	if (wide && !stamp)
		ok &= all_bytes(s.cpu + 8, 8, 0xff);
	ts = work_rd64(s.cpu + 8);
	if (stamp)
		ok &= ts >= before && ts <= after;
	tap_check(ok, "%s: host release %s: %#llx at +0, %s", ch->name, what,
		  (unsigned long long)(wide ? work_rd64(s.cpu) : work_rd32(s.cpu)),
		  stamp ? "a CLOCK_MONOTONIC timestamp at +8" : "nothing else written");
	if (stamp && !(ts >= before && ts <= after))
		tap_diag("  timestamp %llu, released between %llu and %llu",
			 (unsigned long long)ts, (unsigned long long)before,
			 (unsigned long long)after);
}

static void check_copy_sems(struct work_chan *ce)
{
	struct work_mem s1 = sem_new(ce->g), s4 = sem_new(ce->g);
	u64 before = now_us() * 1000, after, ts;
	struct work_push p;
	bool ran;
	u32 seq;

	work_push_begin(&p, ce);
	push_copy_sem(&p, s1.gpu, 0x1111);
	work_push_mthd(&p, NVKM_VGPU_COPY_LAUNCH_DMA, LAUNCH_SEM1 |
		       NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH);
	push_copy_sem(&p, s4.gpu, 0x4444);
	work_push_mthd(&p, NVKM_VGPU_COPY_LAUNCH_DMA, LAUNCH_SEM4 |
		       NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH);
	seq = work_push_fence(&p);
	work_push_kick(&p);
	ran = work_chan_wait(ce, seq, WAIT_MS);
	after = now_us() * 1000 + 1000;
	tap_check(ran && work_rd32(s1.cpu) == 0x1111 && all_bytes(s1.cpu + 4, 12, 0xff),
		  "%s: copy engine one-word semaphore (no transfer): payload only (%#x)",
		  ce->name, work_rd32(s1.cpu));
	ts = work_rd64(s4.cpu + 8);
	tap_check(ran && work_rd32(s4.cpu) == 0x4444 && work_rd32(s4.cpu + 4) == 0 &&
		  ts >= before && ts <= after,
		  "%s: copy engine four-word semaphore: payload %#x, 0 (%#x), timestamp %llu",
		  ce->name, work_rd32(s4.cpu), work_rd32(s4.cpu + 4), (unsigned long long)ts);
}

static void check_semaphores(struct work_chan *ch, struct work_chan *ce)
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
static void check_acquire(struct work_chan *a, struct work_chan *b, u32 op, u32 want,
			  u32 early, u32 late, const char *what)
{
	struct work_mem s = sem_new(a->g);
	struct work_push p;
	u32 seq_b, seq_a;
	bool waited, went;

	work_wr32(s.cpu, 0);
	work_push_begin(&p, b);
	work_push_sem(&p, s.gpu, want, op);
	seq_b = work_push_fence(&p);
	work_push_kick(&p);
	sleep_ms(QUIET_MS);

	work_push_begin(&p, a);
	work_push_sem(&p, s.gpu, early, NVKM_VGPU_SEM_OP_RELEASE);
	seq_a = work_push_fence(&p);
	work_push_kick(&p);
	work_chan_wait(a, seq_a, WAIT_MS);
	sleep_ms(QUIET_MS);
	waited = work_rd32(b->fence.cpu) != seq_b &&
		 work_chan_state(b) == NVKM_VGPU_CHAN_STATE_ACTIVE;

	work_push_begin(&p, a);
	work_push_sem(&p, s.gpu, late, NVKM_VGPU_SEM_OP_RELEASE);
	work_push_kick(&p);
	went = work_chan_wait(b, seq_b, WAIT_MS);
	tap_check(waited && went,
		  "acquire %s: %s waits while %s released %u, proceeds once it releases %u (CHAN_STATE %#x)",
		  what, b->name, a->name, early, late, work_chan_state(b));
}

/* A GR channel's busy work, then a copy that acquires what it releases. */
static void check_cross_engine(struct work_chan *gr, struct work_chan *ce)
{
	struct work_vgpu *g = ce->g;
	struct work_mem s = sem_new(g), src = sys_get(g, 4096), dst = sys_get(g, 4096);
	struct work_mem gr_done = sem_new(g), ce_done = sem_new(g);
	struct work_push p;
	bool ok;
	u64 t_gr, t_ce;

	work_wr32(s.cpu, 0);
	fill(src.cpu, 4096, 5);
	work_push_begin(&p, ce);
	work_push_sem(&p, s.gpu, 1, NVKM_VGPU_SEM_OP_ACQUIRE);
	push_copy_sem(&p, ce_done.gpu, 2);
	push_copy(&p, src.gpu, dst.gpu, 4096, 1, 0, 0, LAUNCH_COPY | LAUNCH_SEM4);
	work_push_kick(&p);

	work_push_begin(&p, gr);
	work_push_busy(&p, 200000000);
	work_push_sem(&p, gr_done.gpu, 1, NVKM_VGPU_SEM_OP_RELEASE |
		      NVKM_VGPU_SEM_RELEASE_TIMESTAMP | NVKM_VGPU_SEM_RELEASE_WFI);
	work_push_sem(&p, s.gpu, 1, NVKM_VGPU_SEM_OP_RELEASE);
	work_push_kick(&p);

	ok = work_wait_mem(ce_done.cpu, 2, WAIT_MS);
	t_gr = work_rd64(gr_done.cpu + 8);
	t_ce = work_rd64(ce_done.cpu + 8);
	tap_check(ok && work_rd32(gr_done.cpu) == 1 && t_ce >= t_gr &&
		  same(dst.cpu, src.cpu, 4096),
		  "across engines: a copy acquiring what a 200 ms GR launch releases runs after it (GR %llu ns, CE %llu ns)",
		  (unsigned long long)t_gr, (unsigned long long)t_ce);
}

/* The non-stall interrupt, through MSI as irq.c enables it. */
static void check_nonstall(struct work_chan *ch, struct work_chan *ce)
{
	struct work_vgpu *g = ch->g;
	int cap = cfg_find_cap(&g->d, PCI_CAP_ID_MSI);
	struct work_push p;
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

	work_push_begin(&p, ch);
	work_push_mthd(&p, NVKM_VGPU_HOST_NON_STALL_INTERRUPT, 0);
	work_push_kick(&p);
	ret = efd_wait(efd, WAIT_MS, &count);
	st = intr_status(g);
	tap_check(ret == 1 && (st & NVKM_VGPU_INTR_NONSTALL),
		  "nonstall: NON_STALL_INTERRUPT on %s fires MSI, INTR_STATUS %#x", ch->name,
		  st);
	intr_clear(g, NVKM_VGPU_INTR_NONSTALL);
	st = intr_status(g);
	tap_check(!(st & NVKM_VGPU_INTR_NONSTALL),
		  "nonstall: writing 1 clears the NONSTALL bit (%#x)", st);

	work_push_begin(&p, ce);
	work_push_mthd(&p, NVKM_VGPU_COPY_LAUNCH_DMA, LAUNCH_NONSTALL |
		       NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH);
	work_push_kick(&p);
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
	struct work_chan *victim;
	struct work_chan *witness;
	struct work_mem scratch;	/* guest memory the bad work may name */
};

struct fault_case {
	const char *what;
	u32 code;
	void (*build)(struct work_push *p, const struct fault_env *e);
};

static void bad_fb_end(struct work_push *p, const struct fault_env *e)
{
	push_copy(p, e->scratch.gpu, e->victim->g->fb_size - 4096, 8192, 1, 0,
		  0, LAUNCH_COPY);
}

static void bad_iova(struct work_push *p, const struct fault_env *e)
{
	push_copy(p, NVKM_VGPU_VA_SYSMEM + HOLE_IOVA, e->scratch.gpu, 4096, 1,
		  0, 0, LAUNCH_COPY);
}

static void bad_hole(struct work_push *p, const struct fault_env *e)
{
	push_copy(p, e->scratch.gpu, e->victim->g->fb_size + (1u << 20), 4096,
		  1, 0, 0, LAUNCH_COPY);
}

static void bad_above(struct work_push *p, const struct fault_env *e)
{
	push_copy(p, e->scratch.gpu, NVKM_VGPU_VA_SYSMEM + NVKM_VGPU_VA_SYSMEM_SIZE,
		  4096, 1, 0, 0, LAUNCH_COPY);
}

static void bad_sem_hole(struct work_push *p, const struct fault_env *e)
{
	(void)e;
	work_push_sem(p, NVKM_VGPU_VA_SYSMEM - 4096, 1, NVKM_VGPU_SEM_OP_RELEASE);
}

static void bad_header(struct work_push *p, const struct fault_env *e)
{
	static const u32 one = 1;

	(void)e;
	work_push_op(p, 6, WORK_SUBC, NVKM_VGPU_HOST_SET_REFERENCE, 1, &one);
}

static void bad_object(struct work_push *p, const struct fault_env *e)
{
	static const u32 cls = NVKM_VGPU_CLASS_SIM_BUSY;

	(void)e;
	work_push_op(p, NVKM_VGPU_DMA_SEC_OP_INC_METHOD, 1,
		     NVKM_VGPU_HOST_SET_OBJECT, 1, &cls);
}

static void bad_subch(struct work_push *p, const struct fault_env *e)
{
	static const u32 launch = LAUNCH_SEM1 | NVKM_VGPU_COPY_LAUNCH_SRC_PITCH |
				  NVKM_VGPU_COPY_LAUNCH_DST_PITCH;

	(void)e;
	work_push_op(p, NVKM_VGPU_DMA_SEC_OP_INC_METHOD, 5,
		     NVKM_VGPU_COPY_LAUNCH_DMA, 1, &launch);
}

static void bad_physical(struct work_push *p, const struct fault_env *e)
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
static bool read_notifier(struct work_chan *ch, struct nvkm_vgpu_notifier *n)
{
	u64 end = now_us() + WAIT_MS * 1000ull;
	bool written = false;

	while (!written) {
		written = work_rd32(ch->notifier.cpu + 12) >> 16 ==
			  NVKM_VGPU_NOTIFIER_STATUS_ERROR;
		if (now_us() > end)
			break;
		if (!written)
			usleep(500);
	}
	n->timestamp = work_rd64(ch->notifier.cpu);
	n->info32 = work_rd32(ch->notifier.cpu + 8);
	n->info16 = work_rd32(ch->notifier.cpu + 12) & 0xffff;
	n->status = work_rd32(ch->notifier.cpu + 12) >> 16;
	return written;
}

/*
 * @ch was just given bad work: it must stop in ERROR with @code, write its
 * notifier and raise INTR_CHANNEL. @since: CLOCK_MONOTONIC ns before the
 * bad work was kicked.
 */
static bool check_stopped(struct work_chan *ch, u32 code, u64 since, const char *what)
{
	struct work_vgpu *g = ch->g;
	struct nvkm_vgpu_notifier n;
	u64 end = now_us() + WAIT_MS * 1000ull;
	bool stopped, noted, ok;
	u32 st;

	while (work_chan_state(ch) != ERR_STATE(code) && now_us() < end)
		usleep(500);
	st = work_chan_state(ch);
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
static void check_reset(struct work_chan *ch, const char *what)
{
	u32 status = work_chan_reset_unbound(ch);
	u32 st = work_chan_state(ch), get = work_gp_get(ch), put = work_gp_put(ch);

	tap_check(status == NVKM_VGPU_MBOX_OK && st == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  get == 0 && put == 0 && work_chan_works(ch, true),
		  "%s: CHAN_RESET (status %u): ACTIVE (%#x), GP_GET %u, GP_PUT %u, runs again",
		  what, status, st, get, put);
}

static void check_faults(struct work_chan *victim, struct work_chan *witness)
{
	struct fault_env e = { victim, witness, sys_get(victim->g, 8192) };
	const struct fault_case *c;
	struct work_push p;
	unsigned int i;
	u64 since;

	for (i = 0; i < ARRAY_SIZE(fault_cases); i++) {
		c = &fault_cases[i];
		intr_clear(victim->g, NVKM_VGPU_INTR_ALL);
		since = now_us() * 1000;
		work_push_begin(&p, victim);
		c->build(&p, &e);
		work_push_fence(&p);
		work_push_kick(&p);
		if (!check_stopped(victim, c->code, since, c->what))
			tap_diag("  %s: GP_GET %u, GP_PUT %u", victim->name,
				 work_gp_get(victim), work_gp_put(victim));
		tap_check(work_rd32(victim->fence.cpu) != victim->seq &&
			  work_chan_works(witness, false) &&
			  work_chan_state(witness) == NVKM_VGPU_CHAN_STATE_ACTIVE,
			  "%s: nothing after it ran; %s on the same vGPU still works",
			  c->what, witness->name);
		check_reset(victim, c->what);
	}
}

/* Scheduling */

static void check_busy_alone(struct work_chan *gr)
{
	u64 t0 = now_us();
	bool done = false;
	struct work_push p;
	u32 seq;

	work_push_begin(&p, gr);
	work_push_busy(&p, 300000000);
	seq = work_push_fence(&p);
	work_push_kick(&p);
	done = work_chan_wait(gr, seq, WAIT_MS);
	tap_check(done && work_chan_state(gr) == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  now_us() - t0 >= 300000,
		  "busy: alone on its engine, a 300 ms launch runs to the end (%llu ms)",
		  (unsigned long long)(now_us() - t0) / 1000);
}

/*
 * A 5 s launch, then a short one on another channel of the same engine:
 * the long one is asked to switch after its time slice, cannot (one
 * method), and is stopped with code 8; the other completes.
 */
static void check_busy_timeout(struct work_vgpu *g, struct work_chan *gr)
{
	struct work_mem started = sem_new(g);
	struct work_chan other;
	struct work_push p;
	u64 t0, since, stop_ms = 0;
	u32 seq_long, seq_other;
	bool ok;

	if (chan_new(&other, g, &g->mem, NVKM_VGPU_CLASS_SIM_BUSY, "GR channel 2") ||
	    !work_chan_works(&other, true)) {
		tap_check(false, "busy: a second GR channel");
		return;
	}
	work_push_begin(&p, gr);
	work_push_sem(&p, started.gpu, 1, NVKM_VGPU_SEM_OP_RELEASE);
	work_push_busy(&p, BUSY_LONG_NS);
	seq_long = work_push_fence(&p);
	since = now_us() * 1000;
	work_push_kick(&p);
	if (!tap_check(work_wait_mem(started.cpu, 1, WAIT_MS), "busy: the 5 s launch starts")) {
		work_chan_free(&other);
		return;
	}

	work_push_begin(&p, &other);
	work_push_busy(&p, 10000000);
	seq_other = work_push_fence(&p);
	t0 = now_us();
	work_push_kick(&p);
	while (work_chan_state(gr) != ERR_STATE(NVKM_VGPU_CHAN_ERR_TIMEOUT) &&
	       now_us() - t0 < WAIT_MS * 1000ull)
		usleep(500);
	stop_ms = (now_us() - t0) / 1000;
	tap_check(stop_ms < TIMEOUT_STOP_MS,
		  "busy: with %s waiting, the 5 s launch is stopped %llu ms later (want < %u)",
		  other.name, (unsigned long long)stop_ms, TIMEOUT_STOP_MS);
	ok = check_stopped(gr, NVKM_VGPU_CHAN_ERR_TIMEOUT, since, "busy: 5 s launch");
	tap_check(work_chan_wait(&other, seq_other, WAIT_MS) &&
		  work_chan_state(&other) == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  work_rd32(gr->fence.cpu) != seq_long,
		  "busy: %s completes, the stopped channel's fence never comes", other.name);
	if (ok)
		check_reset(gr, "busy: 5 s launch");
	work_chan_free(&other);
}

/* Two vGPUs' GR channels, each with 10 launches of 20 ms, at once. */
static void check_two_vgpus(struct work_chan *a, struct work_chan *b)
{
	enum { N = 10 };
	struct work_mem ca = sem_new(a->g), cb = sem_new(b->g);
	struct work_push pa, pb;
	bool overlap = false;
	u64 end;
	u32 i, va, vb;

	work_wr32(ca.cpu, 0);
	work_wr32(cb.cpu, 0);
	work_push_begin(&pa, a);
	work_push_begin(&pb, b);
	for (i = 1; i <= N; i++) {
		work_push_busy(&pa, 20000000);
		work_push_sem(&pa, ca.gpu, i, NVKM_VGPU_SEM_OP_RELEASE);
		work_push_busy(&pb, 20000000);
		work_push_sem(&pb, cb.gpu, i, NVKM_VGPU_SEM_OP_RELEASE);
	}
	work_push_kick(&pa);
	work_push_kick(&pb);
	end = now_us() + 4 * WAIT_MS * 1000ull;
	do {
		va = work_rd32(ca.cpu);
		vb = work_rd32(cb.cpu);
		if (va > 0 && va < N && vb > 0 && vb < N)
			overlap = true;
		usleep(1000);
	} while ((va != N || vb != N) && now_us() < end);
	tap_check(va == N && vb == N &&
		  work_chan_state(a) == NVKM_VGPU_CHAN_STATE_ACTIVE &&
		  work_chan_state(b) == NVKM_VGPU_CHAN_STATE_ACTIVE,
		  "two vGPUs: both GR channels finish 10 launches of 20 ms (%u, %u), no error",
		  va, vb);
	tap_check(overlap, "two vGPUs: both made progress while the other was busy");
}

/*
 * vGPU @g's addresses past its FB_SIZE fault, even where the physical FB
 * goes on with @other's slice: nothing is read from or written to it.
 */
static void check_isolation(struct work_chan *ce, struct work_vgpu *other)
{
	struct work_vgpu *g = ce->g;
	struct work_mem dst = sys_get(g, 8192);
	u8 secret[4096];
	struct work_push p;
	u64 since;

	fill(secret, sizeof(secret), 77);
	memcpy(other->bar1, secret, sizeof(secret));
	memset(other->bar1 + 4096, 0, 4096);
	__sync_synchronize();

	intr_clear(g, NVKM_VGPU_INTR_ALL);
	since = now_us() * 1000;
	work_push_begin(&p, ce);
	push_copy(&p, g->fb_size, dst.gpu, 4096, 1, 0, 0, LAUNCH_COPY);
	work_push_fence(&p);
	work_push_kick(&p);
	check_stopped(ce, NVKM_VGPU_CHAN_ERR_MMU_FAULT, since,
		      "isolation: a read at FB_SIZE");
	tap_check(all_bytes(dst.cpu, 4096, 0),
		  "isolation: nothing of the next slice's secret was copied");
	check_reset(ce, "isolation: a read at FB_SIZE");

	fill(dst.cpu + 4096, 4096, 3);
	since = now_us() * 1000;
	work_push_begin(&p, ce);
	push_copy(&p, dst.gpu + 4096, g->fb_size + 4096, 4096, 1, 0, 0, LAUNCH_COPY);
	work_push_fence(&p);
	work_push_kick(&p);
	check_stopped(ce, NVKM_VGPU_CHAN_ERR_MMU_FAULT, since,
		      "isolation: a write at FB_SIZE + 4 KiB");
	tap_check(same(other->bar1, secret, 4096) && all_bytes(other->bar1 + 4096, 4096, 0),
		  "isolation: %s's FB is as it wrote it", other->name);
	check_reset(ce, "isolation: a write at FB_SIZE + 4 KiB");
}

/* Reset and close */

static void check_device_reset(struct work_vgpu *g)
{
	struct work_alloc_args a = { NVKM_VGPU_CLASS_COPY, g->mem.gpu, 2,
				     g->mem.gpu + 4096, g->mem.gpu + 8192 };
	u32 status, id;
	int ret;

	ret = vdev_reset(&g->d);
	cfg_enable(&g->d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	tap_check(!ret && states_are(g, 0, 0),
		  "%s: VFIO_DEVICE_RESET frees every channel (CHAN_STATE FREE)", g->name);
	status = work_mbox_alloc(&g->d, &a, &id);
	tap_check(status == NVKM_VGPU_MBOX_OK && id == 0,
		  "%s: after the reset the first allocation is channel 0 (%u, %u)",
		  g->name, status, id);
}

static void check_close(struct work_vgpu *g)
{
	char uuid[UUID_LEN + 1];
	int ret;

	work_vgpu_unmap_fb(g);
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
	struct work_chan ce, ce_fb, gr, gr1;
	struct work_vgpu g0, g1;
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
