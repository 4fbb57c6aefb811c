/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Work on a vGPU's engines, submitted as a guest driver would: a vGPU with
 * guest memory (an anonymous buffer mapped with VFIO_IOMMU_MAP_DMA at
 * WORK_SYS_IOVA of its container, which the GPU reaches at
 * NVKM_VGPU_VA_SYSMEM + WORK_SYS_IOVA), channels whose GPFIFO, USERD,
 * notifier and push buffers live there, push segments, and a busy feeder:
 * a GR channel kept full of NVKM_VGPU_CLASS_SIM_BUSY launches of a fixed
 * length, refilled as GP_GET advances. Also the scheduler's per-vGPU
 * accounting (sched_stats, wait_hist) as numbers.
 * Functions return 0 (or a mailbox status) or a negative errno.
 */
#ifndef NVKM_VGPU_TEST_WORK_H
#define NVKM_VGPU_TEST_WORK_H

#include <stdbool.h>

#include "sysfs.h"
#include "util.h"
#include "vdev.h"

#define WORK_SYS_IOVA	0x10000000ull
#define WORK_SYS_SIZE	(2u << 20)
#define WORK_SUBC	0		/* where each channel's object is bound */
#define WORK_PB_SIZE	(16u << 10)	/* push buffer space per channel */
#define WORK_PUSH_MAX	256		/* dwords in one push segment */
#define WORK_WAIT_MS	10000		/* for what must happen */
#define WORK_BIND_FAILED 0x100		/* work_chan_new(): allocated, runs nothing */
#define WORK_HIST_BUCKETS 20

/* Memory both the CPU (@cpu) and the GPU (@gpu, a GPU address) reach. */
struct work_mem {
	u8 *cpu;
	u64 gpu;
	u64 size;
};

struct work_vgpu {
	struct vdev d;
	const char *name;
	u64 fb_size;
	u32 nr_chan;
	u8 *sys;		/* guest memory at WORK_SYS_IOVA */
	u64 sys_used;
};

struct work_chan {
	struct work_vgpu *g;
	u32 id;
	u32 cls;
	u32 entries;
	u32 put;		/* the GPFIFO entry written next */
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

u32 work_rd32(const void *p);
void work_wr32(void *p, u32 v);
bool work_wait_mem(const void *p, u32 want, unsigned int ms);

int work_vgpu_new(struct work_vgpu *g, const struct vgpu_parent *p,
		  const char *type, const char *name);
int work_vgpu_del(struct work_vgpu *g);
struct work_mem work_sys_get(struct work_vgpu *g, u64 size, u64 align);

u32 work_chan_new(struct work_chan *ch, struct work_vgpu *g, u32 cls,
		  u32 entries);
u32 work_chan_free(struct work_chan *ch);
u32 work_chan_reset(struct work_chan *ch);
u32 work_chan_state(struct work_chan *ch);
u32 work_gp_get(struct work_chan *ch);
bool work_chan_idle(struct work_chan *ch, unsigned int ms);

void work_push_begin(struct work_push *p, struct work_chan *ch);
void work_push_inc(struct work_push *p, u32 mthd, unsigned int n,
		   const u32 *data);
void work_push_busy(struct work_push *p, u64 ns);
void work_push_sem(struct work_push *p, u64 addr, u32 payload, u32 flags);
u32 work_push_fence(struct work_push *p);
bool work_push_kick(struct work_push *p);
bool work_chan_wait(struct work_chan *ch, u32 seq, unsigned int ms);

void work_feed_start(struct work_chan *ch, u64 busy_ns);
u32 work_feed(struct work_chan *ch);
bool work_feed_stop(struct work_chan *ch, unsigned int ms);

int work_stats_read(const char *uuid, const char *engine,
		    struct work_stats *st);
u64 work_hist_pct_us(const u64 *hist, unsigned int pct);

#endif /* NVKM_VGPU_TEST_WORK_H */
