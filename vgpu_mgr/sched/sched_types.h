/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SCHED_TYPES_H__
#define __NVKM_VGPU_SCHED_TYPES_H__

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <nvkm_vgpu/backend.h>

struct dentry;

/* Wait-to-run histogram: bucket k counts waits of [2^k, 2^(k+1)) us. */
#define NVKM_VGPU_SCHED_HIST_BUCKETS 20
/* Decisions the scheduler log keeps (debugfs sched_log). */
#define NVKM_VGPU_SCHED_LOG_LEN 200
/* A vGPU name in the log: an mdev UUID and its NUL. */
#define NVKM_VGPU_SCHED_NAME_LEN 37
/* The longest time slice or execution quantum, in ms. */
#define NVKM_VGPU_TIMESLICE_MAX_MS 30
/* Default preemption timeout (Xe's name for it), as the uAPI documents. */
#define NVKM_VGPU_SCHED_PREEMPT_TIMEOUT_US 100000

/**
 * struct nvkm_vgpu_sched_stats - one vGPU's accounting on one runlist
 * @busy_ns: engine time the vGPU's channels ran.
 * @slices: slices granted.
 * @preemptions: slices that ended by time while the vGPU had work left
 *	and another vGPU got the engine.
 * @timeouts: channels stopped because a method outran the preemption
 *	timeout.
 * @resets: channel resets (CHAN_RESET).
 * @wait_hist: wait-to-run latencies, bucket k for [2^k, 2^(k+1)) us (0
 *	also holds waits under 1 us, the last everything longer).
 */
struct nvkm_vgpu_sched_stats {
	u64 busy_ns;
	u64 slices;
	u64 preemptions;
	u64 timeouts;
	u64 resets;
	u64 wait_hist[NVKM_VGPU_SCHED_HIST_BUCKETS];
};

/**
 * struct nvkm_vgpu_sched_entity - one vGPU on one runlist
 * @sched: the runlist's scheduler; immutable.
 * @owner: the vGPU's knobs; immutable.
 * @node: entry in @sched->entities while @nr_chans is not 0.
 * @nr_chans: the vGPU's channels on the runlist.
 * @nr_queued: of those, the ones the backend has queued (with work).
 * @credit_ns: engine time owed to the vGPU under a share policy:
 *	accrues at its share of the wall clock, spent by what it runs.
 * @accrued_ns: when @credit_ns last accrued.
 * @wait_start_ns: since when the vGPU waits to run (became runnable, or
 *	lost the engine with work left); 0 when it does not wait.
 * @work_left: its last slice ended by time with work left.
 * @stats: its accounting.
 *
 * Every field but the immutable ones is guarded by @sched->lock.
 */
struct nvkm_vgpu_sched_entity {
	struct nvkm_vgpu_sched *sched;
	struct nvkm_vgpu_sched_vgpu *owner;
	struct list_head node;
	u32 nr_chans;
	u32 nr_queued;
	s64 credit_ns;
	u64 accrued_ns;
	u64 wait_start_ns;
	bool work_left;
	struct nvkm_vgpu_sched_stats stats;
};

/**
 * struct nvkm_vgpu_sched_vgpu - a vGPU's scheduling knobs and entities
 * @name: the vGPU's name (its mdev UUID) for the log and traces; immutable.
 * @type_weight: the type's fixed-share weight; immutable.
 * @type_timeslice_us: the type's default time slice; immutable.
 * @weight: the weight written in sysfs, 0 for the type's.
 * @exec_quantum_us: this vGPU's slice length, 0 for the GPU's time slice.
 * @preempt_timeout_us: 0 for %NVKM_VGPU_SCHED_PREEMPT_TIMEOUT_US.
 * @nr: entries in @ent; immutable.
 * @ent: one entity per runlist of the GPU's scheduler, in its order.
 *
 * The knobs are written with WRITE_ONCE() by sysfs and read with
 * READ_ONCE() by the scheduler: each takes effect at the next decision.
 */
struct nvkm_vgpu_sched_vgpu {
	char name[NVKM_VGPU_SCHED_NAME_LEN];
	u32 type_weight;
	u32 type_timeslice_us;
	u32 weight;
	u32 exec_quantum_us;
	u32 preempt_timeout_us;
	u32 nr;
	struct nvkm_vgpu_sched_entity ent[];
};

/**
 * struct nvkm_vgpu_sched - the scheduler of one runlist (physical engine)
 * @lock: guards @entities, @nr_runnable, @last and the entities' fields.
 *	Taken under the backend's own engine lock, with interrupts off; the
 *	innermost lock of the manager but for @gpu's log_lock.
 * @entities: the entities with channels on the runlist, in round-robin
 *	order: the one picked moves to the tail.
 * @nr_attached: entries in @entities; written under @lock, read without
 *	it by nvkm_vgpu_sched_contended().
 * @nr_runnable: entities with queued channels; as @nr_attached.
 * @last: the entity of the last slice, NULL before the first.
 * @gpu: the GPU's scheduler state; immutable.
 * @type: the engine class; immutable.
 * @index: the runlist within the class; immutable.
 * @name: "gr0", "ce1": class and index; immutable.
 */
struct nvkm_vgpu_sched {
	spinlock_t lock; /* guards the runlist's entities */
	struct list_head entities;
	u32 nr_attached;
	u32 nr_runnable;
	struct nvkm_vgpu_sched_entity *last;
	struct nvkm_vgpu_sched_gpu *gpu;
	enum nvkm_vgpu_engine type;
	u32 index;
	char name[8];
};

/**
 * enum nvkm_vgpu_sched_event - what a scheduler log line records
 * @NVKM_VGPU_SCHED_EV_RUN: a slice granted (value: its length).
 * @NVKM_VGPU_SCHED_EV_END: a slice ended (value: busy time in it).
 * @NVKM_VGPU_SCHED_EV_PREEMPT: a slice ended by time with work left and
 *	the engine went to another vGPU (value: busy time in it).
 * @NVKM_VGPU_SCHED_EV_IDLE: the engine left idle by a share policy while
 *	work waits (value: until the next decision).
 */
enum nvkm_vgpu_sched_event {
	NVKM_VGPU_SCHED_EV_RUN,
	NVKM_VGPU_SCHED_EV_END,
	NVKM_VGPU_SCHED_EV_PREEMPT,
	NVKM_VGPU_SCHED_EV_IDLE,
};

/**
 * struct nvkm_vgpu_sched_log_entry - one scheduler decision
 * @t_ns: when (ktime_get_ns()).
 * @value_us: see &enum nvkm_vgpu_sched_event.
 * @event: what.
 * @engine: on which runlist (its name).
 * @vgpu: which vGPU (empty for none).
 */
struct nvkm_vgpu_sched_log_entry {
	u64 t_ns;
	u64 value_us;
	enum nvkm_vgpu_sched_event event;
	char engine[8];
	char vgpu[NVKM_VGPU_SCHED_NAME_LEN];
};

/**
 * struct nvkm_vgpu_sched_gpu - scheduling of one GPU's engines
 * @policy: the &enum nvkm_vgpu_sched_policy in force; WRITE_ONCE() by the
 *	knob, READ_ONCE() by the decisions.
 * @timeslice_us: the GPU's time slice, 0 for each type's default; as
 *	@policy.
 * @log_lock: guards @log, @log_head and @log_count; innermost.
 * @log: the last %NVKM_VGPU_SCHED_LOG_LEN decisions, a ring.
 * @log_head: where the next one goes.
 * @log_count: entries in @log.
 * @debugfs: the GPU's debugfs directory, or NULL/an error pointer.
 * @nr: entries in @sched; immutable.
 * @sched: one scheduler per runlist of the classes channels run on (GR,
 *	then CE), in that order; immutable.
 */
struct nvkm_vgpu_sched_gpu {
	int policy;
	u32 timeslice_us;
	spinlock_t log_lock; /* guards the log */
	struct nvkm_vgpu_sched_log_entry log[NVKM_VGPU_SCHED_LOG_LEN];
	u32 log_head;
	u32 log_count;
	struct dentry *debugfs;
	u32 nr;
	struct nvkm_vgpu_sched sched[];
};

#endif /* __NVKM_VGPU_SCHED_TYPES_H__ */
