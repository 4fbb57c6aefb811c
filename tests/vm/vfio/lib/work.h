/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Work on a vGPU's engines, submitted as a guest driver would: a vGPU with
 * guest memory (an anonymous buffer mapped with VFIO_IOMMU_MAP_DMA at
 * WORK_SYS_IOVA of its container, which the GPU reaches at
 * NVKM_VGPU_VA_SYSMEM + WORK_SYS_IOVA) and, if asked, the start of its FB
 * mapped through BAR1 (GPU address = FB offset); the mailbox; channels
 * whose GPFIFO, USERD, notifier and push buffers live in either, kicked
 * through NOTIFY_CHANNEL_PENDING or their DOORBELL(n); push segments in
 * every method header format; and a busy feeder: a GR channel kept full
 * of NVKM_VGPU_CLASS_SIM_BUSY launches of a fixed length, refilled as
 * GP_GET advances. Also the scheduler's per-vGPU accounting (sched_stats,
 * wait_hist) as numbers.
 * Functions return 0 (or a mailbox status) or a negative errno.
 */
#ifndef NVKM_VGPU_TEST_WORK_H
#define NVKM_VGPU_TEST_WORK_H

#include <stdbool.h>
#include <linux/nvkm_vgpu.h>

#include "sysfs.h"
#include "util.h"
#include "vdev.h"

#define WORK_SYS_IOVA	0x10000000ull
#define WORK_SYS_SIZE	(2u << 20)	/* guest memory enough for a few channels */
#define WORK_SUBC	0		/* where each channel's object is bound */
#define WORK_PB_SIZE	(16u << 10)	/* push buffer space per channel */
#define WORK_PUSH_MAX	256		/* dwords in one push segment */
#define WORK_WAIT_MS	10000		/* for what must happen */
#define WORK_BIND_FAILED 0x100		/* work_chan_new(): allocated, runs nothing */
#define WORK_HIST_BUCKETS 20
/* SEM_EXECUTE of a release after the work before it (work_push_fence()). */
#define WORK_SEM_RELEASE (NVKM_VGPU_SEM_OP_RELEASE | NVKM_VGPU_SEM_RELEASE_WFI)

/* Memory both the CPU (@cpu) and the GPU (@gpu, a GPU address) reach. */
struct work_mem {
	u8 *cpu;
	u64 gpu;
	u64 size;
};

/* A bump allocator over one mapped window of the GPU's address space. */
struct work_arena {
	const char *what;	/* for messages */
	u8 *cpu;
	u64 gpu;
	u64 size;
	u64 used;
};

struct work_vgpu {
	struct vdev d;
	const char *name;
	u64 fb_size;
	u32 nr_chan;
	u8 *sys;		/* guest memory at WORK_SYS_IOVA */
	u64 sys_size;
	struct work_arena mem;	/* over it */
	u8 *bar1;		/* work_vgpu_map_fb(): FB bytes [0, bar1_size) */
	u64 bar1_size;
	struct work_arena fb;	/* over part of them */
};

/* CHAN_ALLOC's arguments, in register order. */
struct work_alloc_args {
	u32 cls;
	u64 gpfifo;
	u32 entries;
	u64 userd;
	u64 notifier;
};

struct work_chan {
	struct work_vgpu *g;
	const char *name;	/* for messages; the caller's to set */
	u32 id;
	u32 cls;
	u32 entries;
	u32 put;		/* the GPFIFO entry written next */
	bool doorbell;		/* kick through DOORBELL(id), not NOTIFY_CHANNEL_PENDING */
	u32 rung;		/* the last value written to DOORBELL(id) */
	struct work_mem gpfifo;
	struct work_mem userd;
	struct work_mem notifier;
	struct work_mem pb;
	u64 pb_used;
	struct work_mem fence;	/* released by work_push_fence() */
	u32 seq;
	/* The busy feeder: every entry it writes runs this one segment. */
	struct work_mem busy;
	u32 busy_len;
	u64 busy_ns;
	u32 fed_get;		/* GP_GET when the feeder last looked */
	u64 done;		/* launches the feeder saw GP_GET pass */
	bool feeding;
};

/* One push segment being written, kicked as one GPFIFO entry. */
struct work_push {
	struct work_chan *ch;
	u32 *cpu;
	u64 gpu;
	u32 len;
};

/* A vGPU's line of sched_stats and of wait_hist for one runlist. */
struct work_stats {
	u64 busy_ns;
	u64 slices;
	u64 preemptions;
	u64 timeouts;
	u64 resets;
	u64 wait_p50_us;
	u64 wait_p99_us;
	u64 share_ppm;
	u64 hist[WORK_HIST_BUCKETS];
};

static inline u32 work_rd32(const void *p)
{
	return __atomic_load_n((const u32 *)p, __ATOMIC_ACQUIRE);
}

static inline u64 work_rd64(const void *p)
{
	return __atomic_load_n((const u64 *)p, __ATOMIC_ACQUIRE);
}

static inline void work_wr32(void *p, u32 v)
{
	__atomic_store_n((u32 *)p, v, __ATOMIC_RELEASE);
}

bool work_wait_mem(const void *p, u32 want, unsigned int ms);

int work_vgpu_new(struct work_vgpu *g, const struct vgpu_parent *p,
		  const char *type, const char *name, u64 sys_size);
int work_vgpu_map_fb(struct work_vgpu *g, u64 size, u64 from);
void work_vgpu_unmap_fb(struct work_vgpu *g);
int work_vgpu_del(struct work_vgpu *g);
struct work_mem work_arena_get(struct work_arena *a, u64 size, u64 align);
struct work_mem work_sys_get(struct work_vgpu *g, u64 size, u64 align);

u32 work_mbox(struct vdev *d, u32 cmd, const u32 *arg, unsigned int n,
	      u32 *result);
u32 work_mbox_chan(struct vdev *d, u32 cmd, u32 id);
u32 work_mbox_alloc(struct vdev *d, const struct work_alloc_args *a, u32 *id);

u32 work_chan_alloc(struct work_chan *ch, struct work_vgpu *g,
		    struct work_arena *a, u32 cls, u32 entries);
u32 work_chan_new(struct work_chan *ch, struct work_vgpu *g, u32 cls,
		  u32 entries);
bool work_chan_works(struct work_chan *ch, bool bind);
u32 work_chan_free(struct work_chan *ch);
u32 work_chan_reset_unbound(struct work_chan *ch);
u32 work_chan_reset(struct work_chan *ch);
u32 work_chan_state(struct work_chan *ch);
u32 work_gp_get(struct work_chan *ch);
u32 work_gp_put(struct work_chan *ch);
bool work_chan_idle(struct work_chan *ch, unsigned int ms);
bool work_chan_entry(struct work_chan *ch, u64 gpu, u32 len);

u32 work_hdr(u32 op, u32 subc, u32 mthd, u32 count);
void work_push_begin(struct work_push *p, struct work_chan *ch);
void work_push_dw(struct work_push *p, u32 v);
void work_push_op(struct work_push *p, u32 op, u32 subc, u32 mthd,
		  unsigned int n, const u32 *data);
void work_push_inc(struct work_push *p, u32 mthd, unsigned int n,
		   const u32 *data);
void work_push_mthd(struct work_push *p, u32 mthd, u32 data);
void work_push_immd(struct work_push *p, u32 mthd, u32 data);
void work_push_bind(struct work_push *p);
void work_push_busy(struct work_push *p, u64 ns);
void work_push_sem(struct work_push *p, u64 addr, u64 payload, u32 exec);
u32 work_push_fence(struct work_push *p);
bool work_push_kick(struct work_push *p);
bool work_chan_wait(struct work_chan *ch, u32 seq, unsigned int ms);
bool work_push_launches(struct work_chan *ch, unsigned int n, u64 ns,
			u32 *seq);

void work_feed_start(struct work_chan *ch, u64 busy_ns);
u32 work_feed(struct work_chan *ch);
bool work_feed_stop(struct work_chan *ch, unsigned int ms);
void work_feed_for(struct work_chan *ch, const bool *open, unsigned int n,
		   unsigned int ms, unsigned int period_ms);

int work_stats_read(const char *uuid, const char *engine,
		    struct work_stats *st);
u64 work_hist_pct_us(const u64 *hist, unsigned int pct);

#endif /* NVKM_VGPU_TEST_WORK_H */
