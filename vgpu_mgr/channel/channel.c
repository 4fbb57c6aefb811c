// SPDX-License-Identifier: GPL-2.0
/*
 * The channels of a vGPU: the mailbox's requests carried out with the
 * backend, doorbells turned into kicks, and the backend's callbacks turned
 * into channel states and interrupts. The manager decides (which channel
 * number, which runlist, what time slice); the backend runs.
 *
 * Locking, outermost first: the GPU's vgpus_lock (removal), the vGPU's
 * &nvkm_vgpu_chans.lock, the vGPU's lock. Backend ops that may sleep
 * (create, destroy, reset) run under the channels' lock alone; chan_kick,
 * which never sleeps, also under the vGPU lock. The backend's callbacks
 * take the vGPU lock only, so a chan_destroy waiting for an engine worker
 * in a callback always sees it finish.
 *
 * A channel lives from CHAN_ALLOC to CHAN_FREE, a VFIO reset, the last
 * close of the device, or the GPU's removal: the backend runs nothing of a
 * vGPU that no user holds, and vfio_dma_rw() is only called while the
 * device is open.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../alloc_types.h"
#include "../bar0.h"
#include "../gpu_types.h"
#include "../sched/sched.h"
#include "../sched/trace.h"
#include "../vgpu.h"
#include "channel.h"
#include "mailbox.h"

/* The backend's callbacks: chan is alive until chan_destroy returns. */
static int nvkm_vgpu_chan_sysmem_rw(void *host, u64 iova, void *buf,
				    size_t len, bool write)
{
	struct nvkm_vgpu_chan *chan = host;

	return vfio_dma_rw(&chan->vgpu->vdev, iova, buf, len, write);
}

/* Raises @sources, after stopping the channel on @error if not 0. */
static void nvkm_vgpu_chan_raise(struct nvkm_vgpu_chan *chan, u32 sources,
				 u32 error)
{
	struct nvkm_vgpu *vgpu = chan->vgpu;
	bool was;

	mutex_lock(&vgpu->lock);
	was = nvkm_vgpu_bar0_irq_asserted(&vgpu->bar0);
	if (error)
		nvkm_vgpu_bar0_chan_state(&vgpu->bar0, chan->id,
					  NVKM_VGPU_CHAN_STATE_ERROR, error);
	nvkm_vgpu_bar0_raise(&vgpu->bar0, sources);
	nvkm_vgpu_irq_update_locked(vgpu, was);
	mutex_unlock(&vgpu->lock);
}

static void nvkm_vgpu_chan_nonstall(void *host)
{
	nvkm_vgpu_chan_raise(host, NVKM_VGPU_INTR_NONSTALL, 0);
}

static void nvkm_vgpu_chan_error(void *host, u32 code)
{
	struct nvkm_vgpu_chan *chan = host;

	if (code == NVKM_VGPU_CHAN_ERR_TIMEOUT)
		nvkm_vgpu_sched_count_timeout(chan->sched);
	dev_info_ratelimited(chan->vgpu->vdev.dev,
			     "channel %u stopped: error %u\n", chan->id, code);
	nvkm_vgpu_chan_raise(chan, NVKM_VGPU_INTR_CHANNEL, code);
}

static const struct nvkm_vgpu_chan_host_ops nvkm_vgpu_chan_host_ops = {
	.sysmem_rw = nvkm_vgpu_chan_sysmem_rw,
	.nonstall = nvkm_vgpu_chan_nonstall,
	.error = nvkm_vgpu_chan_error,
};

/**
 * nvkm_vgpu_chans_init() - a vGPU with no channel
 * @chans: the vGPU's channels
 */
void nvkm_vgpu_chans_init(struct nvkm_vgpu_chans *chans)
{
	mutex_init(&chans->lock);
	xa_init_flags(&chans->xa, XA_FLAGS_ALLOC);
}

/**
 * nvkm_vgpu_chans_fini() - free what nvkm_vgpu_chans_init() set up
 * @chans: the vGPU's channels, all destroyed
 */
void nvkm_vgpu_chans_fini(struct nvkm_vgpu_chans *chans)
{
	WARN_ON(!xa_empty(&chans->xa));
	xa_destroy(&chans->xa);
	mutex_destroy(&chans->lock);
}

static void nvkm_vgpu_chan_set_state(struct nvkm_vgpu *vgpu, u32 id,
				     u32 state)
{
	mutex_lock(&vgpu->lock);
	nvkm_vgpu_bar0_chan_state(&vgpu->bar0, id, state, 0);
	mutex_unlock(&vgpu->lock);
}

/* The time slice in force: the GPU's knob, or the vGPU type's default. */
static u32 nvkm_vgpu_chan_timeslice_us(struct nvkm_vgpu *vgpu)
{
	u32 us = nvkm_vgpu_sched_gpu_timeslice_us(vgpu->gpu->sched);

	return us ? us : vgpu->type->timeslice_us;
}

static u32 nvkm_vgpu_chan_alloc(struct nvkm_vgpu *vgpu,
				const u32 args[NVKM_VGPU_MBOX_ARGS],
				u32 *result)
{
	const struct nvkm_vgpu_slice *slice = vgpu->slice;
	struct nvkm_vgpu_gpu *gpu = vgpu->gpu;
	struct nvkm_vgpu_chan_desc desc;
	struct nvkm_vgpu_chan_req req;
	struct nvkm_vgpu_chan *chan;
	void *backend;
	u32 status, id, chid, runlist;
	int ret;

	status = nvkm_vgpu_mbox_chan_alloc_decode(args, slice->fb_size,
						  vgpu->type->engines, &req);
	if (status) {
		dev_dbg_ratelimited(vgpu->vdev.dev,
				    "CHAN_ALLOC refused: status %u\n", status);
		return status;
	}
	chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return NVKM_VGPU_MBOX_HOST_ERROR;
	ret = xa_alloc(&vgpu->chans.xa, &id, chan,
		       XA_LIMIT(0, slice->chid_count - 1), GFP_KERNEL);
	if (ret) {
		kfree(chan);
		return ret == -EBUSY ? NVKM_VGPU_MBOX_NO_CHANNEL :
				       NVKM_VGPU_MBOX_HOST_ERROR;
	}
	chan->vgpu = vgpu;
	chan->id = id;
	chid = slice->chid_base + id;
	/* Spread a GPU's channels over the class's engines. */
	runlist = chid % gpu->geo.engines[req.engine];
	chan->sched = nvkm_vgpu_sched_vgpu_entity(vgpu->sched, req.engine,
						  runlist);
	if (!chan->sched) {
		dev_warn_ratelimited(vgpu->vdev.dev,
				     "channel %u: no scheduler for that engine\n",
				     id);
		xa_erase(&vgpu->chans.xa, id);
		kfree(chan);
		return NVKM_VGPU_MBOX_HOST_ERROR;
	}
	nvkm_vgpu_sched_attach(chan->sched);
	desc = (struct nvkm_vgpu_chan_desc) {
		.chid = chid,
		.engine = req.engine,
		.runlist = runlist,
		.fb_base = slice->fb_offset,
		.fb_size = slice->fb_size,
		.gpfifo = req.gpfifo,
		.gpfifo_entries = req.gpfifo_entries,
		.userd = req.userd,
		.notifier = req.notifier,
		.timeslice_us = nvkm_vgpu_chan_timeslice_us(vgpu),
		.preempt_timeout_us = NVKM_VGPU_SCHED_PREEMPT_TIMEOUT_US,
		.sched = chan->sched,
		.host_ops = &nvkm_vgpu_chan_host_ops,
		.host = chan,
	};
	backend = gpu->ops->chan_create(gpu->priv, &desc);
	if (IS_ERR(backend)) {
		dev_warn_ratelimited(vgpu->vdev.dev,
				     "channel %u: the backend refused it: %ld\n",
				     id, PTR_ERR(backend));
		nvkm_vgpu_sched_detach(chan->sched);
		xa_erase(&vgpu->chans.xa, id);
		kfree(chan);
		return NVKM_VGPU_MBOX_HOST_ERROR;
	}
	chan->backend = backend;
	nvkm_vgpu_chan_set_state(vgpu, id, NVKM_VGPU_CHAN_STATE_ACTIVE);
	*result = id;
	return NVKM_VGPU_MBOX_OK;
}

/* Off the engine and gone; no callback of it runs after. */
static void nvkm_vgpu_chan_destroy(struct nvkm_vgpu *vgpu,
				   struct nvkm_vgpu_chan *chan)
{
	lockdep_assert_held(&vgpu->chans.lock);
	vgpu->gpu->ops->chan_destroy(vgpu->gpu->priv, chan->backend);
	nvkm_vgpu_sched_detach(chan->sched);
	xa_erase(&vgpu->chans.xa, chan->id);
	nvkm_vgpu_chan_set_state(vgpu, chan->id, NVKM_VGPU_CHAN_STATE_FREE);
	kfree(chan);
}

static u32 nvkm_vgpu_chan_free_or_reset(struct nvkm_vgpu *vgpu, u32 cmd,
					u32 id)
{
	struct nvkm_vgpu_chan *chan = xa_load(&vgpu->chans.xa, id);

	if (!chan) {
		dev_dbg_ratelimited(vgpu->vdev.dev,
				    "mailbox command %u: no channel %u\n", cmd, id);
		return NVKM_VGPU_MBOX_BAD_CHANNEL;
	}
	if (cmd == NVKM_VGPU_MBOX_CMD_CHAN_FREE) {
		nvkm_vgpu_chan_destroy(vgpu, chan);
		return NVKM_VGPU_MBOX_OK;
	}
	vgpu->gpu->ops->chan_reset(vgpu->gpu->priv, chan->backend);
	nvkm_vgpu_sched_count_reset(chan->sched);
	trace_nvkm_vgpu_chan_reset(chan->sched->sched->name, vgpu->sched->name,
				   id);
	nvkm_vgpu_chan_set_state(vgpu, id, NVKM_VGPU_CHAN_STATE_ACTIVE);
	return NVKM_VGPU_MBOX_OK;
}

static u32 nvkm_vgpu_chans_mbox(struct nvkm_vgpu *vgpu, u32 cmd,
				const u32 args[NVKM_VGPU_MBOX_ARGS],
				u32 *result)
{
	switch (cmd) {
	case NVKM_VGPU_MBOX_CMD_CHAN_ALLOC:
		return nvkm_vgpu_chan_alloc(vgpu, args, result);
	case NVKM_VGPU_MBOX_CMD_CHAN_FREE:
	case NVKM_VGPU_MBOX_CMD_CHAN_RESET:
		return nvkm_vgpu_chan_free_or_reset(vgpu, cmd, args[0]);
	}
	dev_dbg_ratelimited(vgpu->vdev.dev, "unknown mailbox command %u\n",
			    cmd);
	return NVKM_VGPU_MBOX_BAD_CMD;
}

/**
 * nvkm_vgpu_chans_work() - do what the guest's BAR0 writes asked for
 * @vgpu: the vGPU, whose locks the caller does not hold
 *
 * Kicks every channel rung since the last call, then runs a pending
 * mailbox command and answers it (status, result, MAILBOX interrupt). A
 * removed vGPU does nothing.
 */
void nvkm_vgpu_chans_work(struct nvkm_vgpu *vgpu)
{
	const struct nvkm_vgpu_backend_ops *ops = vgpu->gpu->ops;
	u32 args[NVKM_VGPU_MBOX_ARGS];
	u32 cmd, status, result = 0;
	struct nvkm_vgpu_chan *chan;
	bool pending;
	bool was;
	int n;

	mutex_lock(&vgpu->chans.lock);
	mutex_lock(&vgpu->lock);
	if (vgpu->removed) {
		mutex_unlock(&vgpu->lock);
		goto out;
	}
	while ((n = nvkm_vgpu_bar0_take_kick(&vgpu->bar0)) >= 0) {
		chan = xa_load(&vgpu->chans.xa, n);
		if (chan)
			ops->chan_kick(vgpu->gpu->priv, chan->backend);
	}
	pending = nvkm_vgpu_bar0_take_mbox(&vgpu->bar0, &cmd, args);
	mutex_unlock(&vgpu->lock);
	if (!pending)
		goto out;

	status = nvkm_vgpu_chans_mbox(vgpu, cmd, args, &result);
	mutex_lock(&vgpu->lock);
	was = nvkm_vgpu_bar0_irq_asserted(&vgpu->bar0);
	nvkm_vgpu_bar0_mbox_done(&vgpu->bar0, status, result);
	nvkm_vgpu_irq_update_locked(vgpu, was);
	mutex_unlock(&vgpu->lock);
out:
	mutex_unlock(&vgpu->chans.lock);
}

/**
 * nvkm_vgpu_chans_destroy_locked() - destroy every channel of a vGPU
 * @vgpu: the vGPU, whose channels' lock the caller holds
 *
 * When it returns the backend runs nothing of the vGPU and calls none of
 * its callbacks.
 */
void nvkm_vgpu_chans_destroy_locked(struct nvkm_vgpu *vgpu)
{
	struct nvkm_vgpu_chan *chan;
	unsigned long id;

	lockdep_assert_held(&vgpu->chans.lock);
	xa_for_each(&vgpu->chans.xa, id, chan)
		nvkm_vgpu_chan_destroy(vgpu, chan);
}

/**
 * nvkm_vgpu_chans_destroy_all() - destroy every channel of a vGPU
 * @vgpu: the vGPU, none of whose locks the caller holds
 *
 * For the last close and the GPU's removal: see
 * nvkm_vgpu_chans_destroy_locked().
 */
void nvkm_vgpu_chans_destroy_all(struct nvkm_vgpu *vgpu)
{
	mutex_lock(&vgpu->chans.lock);
	nvkm_vgpu_chans_destroy_locked(vgpu);
	mutex_unlock(&vgpu->chans.lock);
}
