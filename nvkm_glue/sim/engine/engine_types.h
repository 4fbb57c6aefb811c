/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_ENGINE_TYPES_H__
#define __NVKM_VGPU_SIM_ENGINE_TYPES_H__

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <nvkm_vgpu/backend.h>

struct nvkm_vgpu_sim_chan;
struct nvkm_vgpu_sim_vram;
struct task_struct;

/**
 * struct nvkm_vgpu_sim_engine - one engine of a simulated GPU, and its runlist
 * @lock: guards @runq, @nr_queued, @nr_ready, @running and @gen, and the
 *	scheduling fields of every channel on the engine (chan_types.h). The
 *	innermost lock of the simulated GPU: nothing is taken under it, and
 *	no host op and no memory access runs while it is held.
 * @runq: the runlist: channels with work, in round-robin order. The
 *	thread takes the first one of its slice's vGPU nothing holds and
 *	moves it to the tail.
 * @nr_queued: channels on @runq; written under @lock, read without it by
 *	the running channel's switch checks (a stale value only moves a
 *	switch by one method).
 * @nr_ready: channels on @runq not parked on a semaphore acquire; as
 *	@nr_queued.
 * @running: the channel the thread runs now, or NULL. A channel's
 *	execution state is the thread's while it is @running. Written with
 *	WRITE_ONCE(), so a KUnit test may peek at it without @lock.
 * @gen: bumped by every kick and every release of a hold: the thread
 *	sleeps until it changes.
 * @slice: the manager's decision the thread runs: which vGPU's channels
 *	and until when (nvkm_vgpu_sched_pick()). Written under @lock by the
 *	thread, and cleared by a channel's drop when it ends the slice of
 *	its vGPU; read without the lock by the running turn's checks (its
 *	entity with READ_ONCE()).
 * @slice_busy_ns: engine time the turns of @slice took; under @lock.
 * @wq: the thread sleeps here.
 * @off_wq: callers of nvkm_vgpu_sim_engine_hold() wait here for their
 *	channel to stop being @running.
 * @thread: the engine's kernel thread, "nvkm_sim<N>/<class><index>"; set by
 *	nvkm_vgpu_sim_engines_start(), NULL before it and after
 *	nvkm_vgpu_sim_engines_stop(). Only the GPU's init and fini touch it.
 * @bounce: %NVKM_VGPU_SIM_ENGINE_BOUNCE bytes for copies, used only by
 *	whoever runs the @running channel (or a KUnit test running a channel
 *	of a stopped engine).
 * @copy_bytes_per_s: the copy bandwidth of the preset; immutable.
 * @type: the engine's class; immutable.
 * @index: which engine of its class (its runlist); immutable.
 * @engines: the GPU's engines it belongs to; immutable.
 */
struct nvkm_vgpu_sim_engine {
	spinlock_t lock; /* guards the runlist and its channels' scheduling */
	struct list_head runq;
	unsigned int nr_queued;
	unsigned int nr_ready;
	struct nvkm_vgpu_sim_chan *running;
	unsigned long gen;
	struct nvkm_vgpu_sched_slice slice;
	u64 slice_busy_ns;
	wait_queue_head_t wq;
	wait_queue_head_t off_wq;
	struct task_struct *thread;
	void *bounce;
	u64 copy_bytes_per_s;
	enum nvkm_vgpu_engine type;
	u32 index;
	struct nvkm_vgpu_sim_engines *engines;
};

/**
 * struct nvkm_vgpu_sim_engines - the engines of one simulated GPU
 * @engine: per engine class, an array of @count[class] engines; NULL for
 *	the classes that run no channels (only GR and CE do). Immutable
 *	between nvkm_vgpu_sim_engines_init() and nvkm_vgpu_sim_engines_fini().
 * @count: engines of each class, as the geometry has them; immutable.
 * @vram: the GPU's framebuffer, which channels' GPU addresses reach;
 *	immutable.
 * @id: N of the threads' names, from an IDA while the threads run, -1
 *	otherwise. Only the GPU's init and fini touch it.
 */
struct nvkm_vgpu_sim_engines {
	struct nvkm_vgpu_sim_engine *engine[NVKM_VGPU_ENGINE_NR];
	u32 count[NVKM_VGPU_ENGINE_NR];
	struct nvkm_vgpu_sim_vram *vram;
	int id;
};

#endif /* __NVKM_VGPU_SIM_ENGINE_TYPES_H__ */
