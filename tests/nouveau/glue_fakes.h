/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_GLUE_FAKES_H__
#define __NVKM_VGPU_NOUVEAU_GLUE_FAKES_H__

#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <core/device.h>
#include <core/engine.h>
#include <engine/fifo.h>
#include <engine/fifo/chid.h>
#include <engine/fifo/runl.h>

struct kunit;
struct nvkm_vgpu_nouveau_fb;

#define GLUE_FAKE_BAR1_ADDR 0xe0000000ULL
#define GLUE_FAKE_BAR1_SIZE SZ_256M

/**
 * struct glue_fake - the fakes' state, reset by each case
 * @vram_addr: the carve-out's VRAM offset
 * @vram_size: its size; 0: no carve-out
 * @bar1_addr: BAR1's physical address; 0: %GLUE_FAKE_BAR1_ADDR, where
 *	nothing is (a test that touches BAR1 points it at memory it can
 *	ioremap())
 * @bar1_size: BAR1's bytes; 0: %GLUE_FAKE_BAR1_SIZE
 * @bar1_used: BAR1 bytes handed out
 * @maps: nvkm_vgpu_bar1_map() successes
 * @unmaps: nvkm_vgpu_bar1_unmap() calls with a mapping
 * @chid_nr: the fake allocator's IDs
 * @chid_free: how many the fake can reserve
 * @chid_asked: the last count asked for
 * @chid_reserved: IDs reserved now
 */
struct glue_fake {
	u64 vram_addr;
	u64 vram_size;
	u64 bar1_addr;
	u64 bar1_size;
	u64 bar1_used;
	int maps;
	int unmaps;
	int chid_nr;
	int chid_free;
	int chid_asked;
	int chid_reserved;
};

extern struct glue_fake glue_fake;

#define BOOT0 0x172000a1

/* 4 MiB: fb_rw maps 2 MiB at a time, so a copy can cross a chunk. */
#define FAKE_BAR1_ORDER 10
#define FAKE_BAR1_SIZE (PAGE_SIZE << FAKE_BAR1_ORDER)

/**
 * struct fake_gpu - an NVKM device of three runlists (IDs 0, 1, 2):
 * GR + CE, CE + CE, NVDEC + NVDEC + SEC2
 * @device: the device
 * @fifo: its FIFO
 * @runl: its runlists
 * @chid: their ID allocators
 * @engn: the runlists' engines
 * @engine: the engines
 * @pdev: its PCI function
 * @regs: its registers (BOOT0)
 * @dev: a device for log lines
 */
struct fake_gpu {
	struct nvkm_device device;
	struct nvkm_fifo fifo;
	struct nvkm_runl runl[3];
	struct nvkm_chid *chid[3];
	struct nvkm_engn engn[7];
	struct nvkm_engine engine[7];
	struct pci_dev pdev;
	u32 regs[4];
	struct device *dev;
};

struct fake_gpu *fake_gpu_new(struct kunit *test, int chid_nr, int cgid_nr);
struct nvkm_vgpu_nouveau_fb *fb_new(struct kunit *test, struct fake_gpu *f);
u8 *fake_bar1_new(struct kunit *test);

/**
 * struct glue_fake_chan - what nvkm_vgpu_chan_new() made: stands for
 * NVKM's struct nvkm_chan
 * @args: as the backend asked
 * @on: on the runlist (nvkm_vgpu_chan_insert() without a remove since)
 * @inserts: nvkm_vgpu_chan_insert() calls
 * @removes: nvkm_vgpu_chan_remove() calls
 * @kicks: doorbells while on the runlist
 * @lost_kicks: doorbells while off it
 * @resets: nvkm_vgpu_chan_reset() calls
 * @remove_ret: what the next remove returns; -ETIMEDOUT also calls
 *	@args.error, as nouveau does when it stops the channel
 */
struct glue_fake_chan {
	struct nvkm_vgpu_chan_args args;
	bool on;
	int inserts;
	int removes;
	int kicks;
	int lost_kicks;
	int resets;
	int remove_ret;
};

#define GLUE_FAKE_CHANS 8

/**
 * struct glue_fake_chans - the fakes' channels and address spaces
 * @lock: guards all of it: the backend's runlist threads call the fakes
 * @vmm_news: nvkm_vgpu_vmm_new() successes
 * @vmm_dels: nvkm_vgpu_vmm_del() calls
 * @vmm_maps: nvkm_vgpu_vmm_map() calls
 * @vmm_unmaps: nvkm_vgpu_vmm_unmap() calls
 * @map_addr: the last map's GPU address
 * @map_offset: its carve-out offset
 * @map_size: its size
 * @chan_new_ret: what nvkm_vgpu_chan_new() returns (0: a channel)
 * @chan: every channel made, in order; freed by the case
 * @chan_nr: how many
 * @chan_dels: nvkm_vgpu_chan_del() calls
 * @mixed: inserts that found another address space's channel on the
 *	same runlist: two vGPUs on one engine
 */
struct glue_fake_chans {
	spinlock_t lock; /* protects everything here */
	int vmm_news;
	int vmm_dels;
	int vmm_maps;
	int vmm_unmaps;
	u64 map_addr;
	u64 map_offset;
	u64 map_size;
	int chan_new_ret;
	struct glue_fake_chan *chan[GLUE_FAKE_CHANS];
	int chan_nr;
	int chan_dels;
	int mixed;
};

extern struct glue_fake_chans glue_fake_chans;
void glue_fake_chans_reset(struct kunit *test);

/**
 * struct nvkm_vgpu_sched_entity - the fakes' stand-in for the manager's:
 * a vGPU on one runlist
 * @sched: its runlist's scheduler
 * @queued: channels enqueued and not dequeued
 * @picks: slices it got
 * @slices: slices reported done
 * @busy_ns: busy time reported
 * @work_left: what the last slice_done said
 */
struct nvkm_vgpu_sched_entity {
	struct nvkm_vgpu_sched *sched;
	int queued;
	int picks;
	int slices;
	u64 busy_ns;
	bool work_left;
};

#define GLUE_FAKE_ENTITIES 4

/**
 * struct nvkm_vgpu_sched - the fakes' round-robin scheduler of one runlist
 * @lock: guards it and its entities
 * @entity: the vGPUs
 * @nr: how many
 * @last: the last one picked
 * @slice_ns: every slice's length
 * @preempt_timeout_ns: every slice's preemption timeout
 */
struct nvkm_vgpu_sched {
	spinlock_t lock; /* protects it and its entities */
	struct nvkm_vgpu_sched_entity entity[GLUE_FAKE_ENTITIES];
	int nr;
	int last;
	u64 slice_ns;
	u64 preempt_timeout_ns;
};

void glue_fake_sched_init(struct nvkm_vgpu_sched *sched, int nr, u64 slice_ns);
struct nvkm_vgpu_sched_entity glue_fake_entity(struct nvkm_vgpu_sched_entity *entity);

#endif
