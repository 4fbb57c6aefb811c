// SPDX-License-Identifier: GPL-2.0
/*
 * A channel of the simulated GPU: the five chan_* backend ops
 * (include/nvkm_vgpu/backend.h) and a channel's turn on its engine.
 *
 * A channel is a GPFIFO ring of desc->gpfifo_entries 8-byte entries at GPU
 * address desc->gpfifo, and USERD at desc->userd: the guest writes GP_PUT
 * (USERD + 0x8c), the engine writes GP_GET (USERD + 0x88) after it has run
 * each entry, and SET_REFERENCE stores at USERD + 0x48. What a turn runs
 * is pushbuf.c's; how turns are given, engine.c's.
 *
 * When a channel stops on an error it runs nothing more until chan_reset:
 * its engine writes the error notifier, 16 bytes at desc->notifier
 * (struct nvkm_vgpu_notifier: ktime_get_ns(), the NVKM_VGPU_CHAN_ERR_*
 * code, 0, 0xffff; a fault writing it is ignored), then calls the
 * manager's error host op with the code. Host ops are made by the engine's
 * thread only, with no lock held, never from within a chan_* op, with one
 * exception: chan_reset writes GP_GET and GP_PUT to USERD, through the
 * sysmem_rw host op when USERD is in guest memory.
 *
 * Locking: see engine.c; a channel's mutex serialises its preempt, reset
 * and destroy, outside its engine's lock.
 */
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../vram_types.h"
#include "chan.h"
#include "engine.h"
#include "mem.h"
#include "pushbuf.h"

/* struct nvkm_vgpu_notifier, as the guest reads it. */
struct nvkm_vgpu_sim_notifier {
	__le64 timestamp;
	__le32 info32;
	__le16 info16;
	__le16 status;
};

static_assert(sizeof(struct nvkm_vgpu_sim_notifier) ==
	      sizeof(struct nvkm_vgpu_notifier));

/* Writes the error notifier and tells the manager; no lock held. */
static void nvkm_vgpu_sim_chan_report(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_notifier notifier = {
		.timestamp = cpu_to_le64(ktime_get_ns()),
		.info32 = cpu_to_le32(chan->exec.error),
		.info16 = cpu_to_le16(0),
		.status = cpu_to_le16(NVKM_VGPU_NOTIFIER_STATUS_ERROR),
	};

	/* A notifier the channel cannot reach is the guest's loss. */
	nvkm_vgpu_sim_mem_rw(chan, chan->desc.notifier, &notifier,
			     sizeof(notifier), true);
	chan->desc.host_ops->error(chan->desc.host, chan->exec.error);
}

/**
 * nvkm_vgpu_sim_chan_turn() - give a channel one turn
 * @chan: the channel, run by the caller: its engine's thread, or a KUnit
 *	test (its engines have no threads then)
 *
 * Runs the channel's GPFIFO from where it stopped, until it is empty, a
 * semaphore acquire waits, a switch is asked for, or an error stops the
 * channel: then the channel leaves its runlist, its notifier is written
 * and the manager's error host op called. A stopped channel does nothing.
 * May sleep.
 *
 * Return: how the turn ended.
 */
enum nvkm_vgpu_sim_turn nvkm_vgpu_sim_chan_turn(struct nvkm_vgpu_sim_chan *chan)
{
	enum nvkm_vgpu_sim_turn turn;

	if (READ_ONCE(chan->stopped))
		return NVKM_VGPU_SIM_TURN_ERROR;
	turn = nvkm_vgpu_sim_pushbuf_run(chan);
	if (turn != NVKM_VGPU_SIM_TURN_ERROR)
		return turn;
	nvkm_vgpu_sim_engine_stop_chan(chan);
	nvkm_vgpu_sim_chan_report(chan);
	return turn;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_chan_turn);

/**
 * nvkm_vgpu_sim_chan_new() - make a channel
 * @engines: the GPU's engines
 * @desc: the channel, as the manager asks for it (copied)
 *
 * Implements &nvkm_vgpu_backend_ops.chan_create: the channel is on the
 * engine @desc names, idle until kicked, nothing bound. May sleep.
 *
 * Return: the channel; ERR_PTR(-EINVAL) for an engine or runlist the GPU
 * lacks, a GPFIFO size that is not a power of two, no host ops, or an FB
 * slice outside the GPU's framebuffer; ERR_PTR(-ENOMEM).
 */
struct nvkm_vgpu_sim_chan *
nvkm_vgpu_sim_chan_new(struct nvkm_vgpu_sim_engines *engines,
		       const struct nvkm_vgpu_chan_desc *desc)
{
	struct nvkm_vgpu_sim_engine *eng;
	struct nvkm_vgpu_sim_chan *chan;
	u64 vram_size = engines->vram->size;

	eng = nvkm_vgpu_sim_engine_find(engines, desc->engine, desc->runlist);
	if (!eng)
		return ERR_PTR(-EINVAL);
	if (!is_power_of_2(desc->gpfifo_entries) || !desc->host_ops ||
	    !desc->host_ops->sysmem_rw || !desc->host_ops->nonstall ||
	    !desc->host_ops->error)
		return ERR_PTR(-EINVAL);
	if (!PAGE_ALIGNED(desc->fb_base) || desc->fb_base > vram_size ||
	    desc->fb_size > vram_size - desc->fb_base ||
	    desc->fb_size > NVKM_VGPU_VA_SYSMEM)
		return ERR_PTR(-EINVAL);

	chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return ERR_PTR(-ENOMEM);
	chan->desc = *desc;
	chan->engine = eng;
	chan->vram = engines->vram;
	chan->class = nvkm_vgpu_sim_engine_class(desc->engine);
	mutex_init(&chan->lock);
	INIT_LIST_HEAD(&chan->runq_node);
	return chan;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_chan_new);

/**
 * nvkm_vgpu_sim_chan_del() - take a channel off its engine and free it
 * @chan: from nvkm_vgpu_sim_chan_new()
 *
 * Implements &nvkm_vgpu_backend_ops.chan_destroy: a turn in progress ends
 * at once; once this returns no host op of the channel runs. May sleep.
 */
void nvkm_vgpu_sim_chan_del(struct nvkm_vgpu_sim_chan *chan)
{
	mutex_lock(&chan->lock);
	nvkm_vgpu_sim_engine_hold(chan, true);
	nvkm_vgpu_sim_engine_drop(chan);
	mutex_unlock(&chan->lock);
	mutex_destroy(&chan->lock);
	kfree(chan);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_chan_del);

/**
 * nvkm_vgpu_sim_chan_kick() - GP_PUT may have moved: schedule a channel
 * @chan: the channel
 *
 * Implements &nvkm_vgpu_backend_ops.chan_kick: marks it pending and puts
 * it on its runlist, unless it is stopped on an error. Never sleeps.
 */
void nvkm_vgpu_sim_chan_kick(struct nvkm_vgpu_sim_chan *chan)
{
	nvkm_vgpu_sim_engine_kick(chan);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_chan_kick);

/**
 * nvkm_vgpu_sim_chan_preempt() - switch a channel off its engine
 * @chan: the channel
 *
 * Implements &nvkm_vgpu_backend_ops.chan_preempt: a turn in progress ends
 * at the next method boundary (a long method is stopped by the preemption
 * timeout, NVKM_VGPU_CHAN_ERR_TIMEOUT); returns once the channel is off.
 * It stays on its runlist and runs again when the runlist comes back to
 * it. May sleep.
 */
void nvkm_vgpu_sim_chan_preempt(struct nvkm_vgpu_sim_chan *chan)
{
	mutex_lock(&chan->lock);
	nvkm_vgpu_sim_engine_hold(chan, false);
	nvkm_vgpu_sim_engine_unhold(chan);
	mutex_unlock(&chan->lock);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_chan_preempt);

/**
 * nvkm_vgpu_sim_chan_reset() - put a channel back to its state at creation
 * @chan: the channel
 *
 * Implements &nvkm_vgpu_backend_ops.chan_reset: a turn in progress ends at
 * once, the channel leaves its runlist, forgets its position, its bound
 * objects, its method state and its error, and 0 is written to GP_GET and
 * GP_PUT in USERD (a fault doing so is ignored). No host op but that write
 * runs until the next kick. May sleep.
 */
void nvkm_vgpu_sim_chan_reset(struct nvkm_vgpu_sim_chan *chan)
{
	/* GP_GET (0x88) and GP_PUT (0x8c), in one write. */
	__le32 zero[2] = {};

	mutex_lock(&chan->lock);
	nvkm_vgpu_sim_engine_hold(chan, true);
	nvkm_vgpu_sim_engine_drop(chan);
	memset(&chan->exec, 0, sizeof(chan->exec));
	nvkm_vgpu_sim_mem_rw(chan, chan->desc.userd + NVKM_VGPU_USERD_GP_GET,
			     zero, sizeof(zero), true);
	nvkm_vgpu_sim_engine_unhold(chan);
	mutex_unlock(&chan->lock);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_chan_reset);
