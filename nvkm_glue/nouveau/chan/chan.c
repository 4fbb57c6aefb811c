// SPDX-License-Identifier: GPL-2.0
/*
 * Guest channels on nouveau's GPUs (the contract's chan ops), on the GPUs
 * nouveau schedules itself (gpu.c refuses GSP-RM). A guest channel is one
 * NVKM channel (patch 0006) on the reserved ID the manager gives it, in
 * a channel group of its own, with its vGPU's address space (vmm.c), its
 * GPFIFO read by the GPU through that address space and its USERD in the
 * vGPU's FB slice: the GPU runs the guest's push buffers itself. Which
 * vGPU's channels are on the runlist is runl.c's business.
 *
 * Volta and later only: before, USERD is a page of nouveau's BAR rather
 * than the channel's memory and there is no doorbell. Only copy
 * channels: the uAPI's GR class (NVKM_VGPU_CLASS_SIM_BUSY) is
 * the simulator's and has no hardware counterpart. Only the FB window:
 * GPFIFO, USERD and error notifier must lie in [0, fb_size); the
 * guest-memory window needs the guest's pages pinned and mapped into the
 * VMM, which the contract has no op for yet.
 *
 * None of this has run on a GPU, and a copy engine reached from a guest
 * channel has a physical addressing mode the guest could ask for; so
 * channels are off unless the module parameter channels is set, and
 * chan_create refuses them with one line in the log.
 *
 * nouveau tells of a stopped channel (NVKM_CHAN_EVENT_ERRORED) without a
 * cause: it is reported as NVKM_VGPU_CHAN_ERR_TIMEOUT when runl.c's
 * preemption timed out, NVKM_VGPU_CHAN_ERR_MMU_FAULT otherwise. Both
 * notifications come in atomic context and are passed on from work
 * items, so host ops never run from within an op the manager called.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <uapi/linux/nvkm_vgpu.h>

#include <core/device.h>
#include <engine/fifo.h>
/* nouveau's private FIFO header: the runlists and their engines. */
#include <engine/fifo/runl.h>

#include "../fb.h"
#include "../geometry.h"
#include "chan.h"
#include "runl.h"
#include "vmm.h"

/* NVKM's ID of the runlist of engine @index of @class, or -EINVAL. */
static int nvkm_vgpu_nouveau_chan_runl_id(struct nvkm_device *device,
					  enum nvkm_vgpu_engine class,
					  u32 index)
{
	struct nvkm_runl *runl;
	struct nvkm_engn *engn;

	if (!device->fifo)
		return -EINVAL;
	nvkm_runl_foreach(runl, device->fifo) {
		nvkm_runl_foreach_engn(engn, runl) {
			if (nvkm_vgpu_nouveau_engine_class(engn->engine->subdev.type) !=
			    class)
				continue;
			if (!index--)
				return runl->id;
		}
	}
	return -EINVAL;
}

/* Whether [@addr, @addr + @size) lies in the FB window of @desc. */
static bool nvkm_vgpu_nouveau_chan_in_fb(const struct nvkm_vgpu_chan_desc *desc,
					 u64 addr, u64 size)
{
	return addr < desc->fb_size && size <= desc->fb_size - addr;
}

/* Why nouveau cannot run @desc: 0, or an errno after one line. */
static int nvkm_vgpu_nouveau_chan_check(struct nvkm_vgpu_nouveau_chans *chans,
					const struct nvkm_vgpu_chan_desc *desc)
{
	if (!chans->enabled) {
		dev_warn_once(chans->dev, "nvkm_vgpu_nouveau: guest channels are off (module parameter channels=0); vGPUs get FB only\n");
		return -EOPNOTSUPP;
	}
	/* Before Volta USERD is a page of nouveau's BAR and there is no
	 * doorbell: the guest's programming model would need both shadowed.
	 */
	if (chans->device->card_type < GV100) {
		dev_warn_once(chans->dev, "nvkm_vgpu_nouveau: guest channels need Volta or later; vGPUs of this GPU get FB only\n");
		return -EOPNOTSUPP;
	}
	if (desc->engine != NVKM_VGPU_ENGINE_CE) {
		dev_warn_ratelimited(chans->dev, "nvkm_vgpu_nouveau: channel %u: only copy channels run on nouveau GPUs\n",
				     desc->chid);
		return -EOPNOTSUPP;
	}
	if (!desc->gpfifo_entries || !is_power_of_2(desc->gpfifo_entries) ||
	    !IS_ALIGNED(desc->userd, NVKM_VGPU_USERD_SIZE) ||
	    desc->fb_base > chans->fb->size ||
	    desc->fb_size > chans->fb->size - desc->fb_base) {
		dev_warn_ratelimited(chans->dev, "nvkm_vgpu_nouveau: channel %u: bad GPFIFO, USERD or FB slice\n",
				     desc->chid);
		return -EINVAL;
	}
	if (!nvkm_vgpu_nouveau_chan_in_fb(desc, desc->gpfifo,
					  (u64)desc->gpfifo_entries * 8) ||
	    !nvkm_vgpu_nouveau_chan_in_fb(desc, desc->userd,
					  NVKM_VGPU_USERD_SIZE) ||
	    !nvkm_vgpu_nouveau_chan_in_fb(desc, desc->notifier,
					  sizeof(struct nvkm_vgpu_notifier))) {
		dev_warn_ratelimited(chans->dev, "nvkm_vgpu_nouveau: channel %u: GPFIFO, USERD and notifier must lie in the FB window on nouveau GPUs\n",
				     desc->chid);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Error notifier first, then the manager: the uAPI's order. */
static void nvkm_vgpu_nouveau_chan_error_work(struct work_struct *work)
{
	struct nvkm_vgpu_nouveau_chan *chan =
		container_of(work, struct nvkm_vgpu_nouveau_chan, error_work);
	struct nvkm_vgpu_notifier notifier = {};
	u32 code;
	int ret;

	code = nvkm_vgpu_nouveau_runl_timed_out(chan->runl, chan) ?
		NVKM_VGPU_CHAN_ERR_TIMEOUT : NVKM_VGPU_CHAN_ERR_MMU_FAULT;
	notifier.timestamp = ktime_get_ns();
	notifier.info32 = code;
	notifier.status = NVKM_VGPU_NOTIFIER_STATUS_ERROR;
	ret = nvkm_vgpu_nouveau_fb_rw(chan->runl->chans->fb,
				      chan->desc.fb_base + chan->desc.notifier,
				      &notifier, sizeof(notifier), true);
	if (ret)
		dev_warn_ratelimited(chan->runl->chans->dev, "nvkm_vgpu_nouveau: channel %u: error notifier not written: %d\n",
				     chan->desc.chid, ret);
	chan->desc.host_ops->error(chan->desc.host, code);
}

static void nvkm_vgpu_nouveau_chan_nonstall_work(struct work_struct *work)
{
	struct nvkm_vgpu_nouveau_chan *chan =
		container_of(work, struct nvkm_vgpu_nouveau_chan, nonstall_work);

	chan->desc.host_ops->nonstall(chan->desc.host);
}

/* nouveau's notifications, in atomic context. */
static void nvkm_vgpu_nouveau_chan_errored(void *data)
{
	struct nvkm_vgpu_nouveau_chan *chan = data;

	nvkm_vgpu_nouveau_runl_errored(chan->runl, chan);
	schedule_work(&chan->error_work);
}

static void nvkm_vgpu_nouveau_chan_nonstall(void *data)
{
	struct nvkm_vgpu_nouveau_chan *chan = data;

	/* The event is the runlist's: only a channel on it can have asked. */
	if (nvkm_vgpu_nouveau_runl_is_on(chan->runl, chan))
		schedule_work(&chan->nonstall_work);
}

/**
 * nvkm_vgpu_nouveau_chans_init() - a GPU's guest channels, none yet
 * @chans: to initialise
 * @device: the NVKM device
 * @fb: its carve-out, initialised
 * @dev: for log lines
 * @enabled: whether chan_create makes channels
 */
void nvkm_vgpu_nouveau_chans_init(struct nvkm_vgpu_nouveau_chans *chans,
				  struct nvkm_device *device,
				  struct nvkm_vgpu_nouveau_fb *fb,
				  struct device *dev, bool enabled)
{
	chans->device = device;
	chans->fb = fb;
	chans->dev = dev;
	chans->enabled = enabled;
	mutex_init(&chans->mutex);
	INIT_LIST_HEAD(&chans->vmms);
	xa_init(&chans->runls);
}

/**
 * nvkm_vgpu_nouveau_chans_fini() - stop the runlists' threads
 * @chans: with every channel destroyed (the manager destroys them before
 *	the GPU's unregistration returns)
 */
void nvkm_vgpu_nouveau_chans_fini(struct nvkm_vgpu_nouveau_chans *chans)
{
	struct nvkm_vgpu_nouveau_runl *runl;
	unsigned long id;

	xa_for_each(&chans->runls, id, runl)
		nvkm_vgpu_nouveau_runl_free(runl);
	xa_destroy(&chans->runls);
	WARN_ON(!list_empty(&chans->vmms));
	mutex_destroy(&chans->mutex);
}

/**
 * nvkm_vgpu_nouveau_chan_create() - the contract's chan_create
 * @chans: the GPU's channels
 * @desc: the channel
 *
 * Return: the channel, or an ERR_PTR: -EOPNOTSUPP for what nouveau GPUs do
 * not run (channels off, not a copy channel, anything outside the FB
 * window), -EINVAL for a bad runlist or layout, or nouveau's error.
 */
void *nvkm_vgpu_nouveau_chan_create(struct nvkm_vgpu_nouveau_chans *chans,
				    const struct nvkm_vgpu_chan_desc *desc)
{
	struct nvkm_vgpu_chan_args args = {};
	struct nvkm_vgpu_nouveau_chan *chan;
	struct nvkm_vgpu_nouveau_runl *runl;
	int id, ret;

	ret = nvkm_vgpu_nouveau_chan_check(chans, desc);
	if (ret)
		return ERR_PTR(ret);
	id = nvkm_vgpu_nouveau_chan_runl_id(chans->device, desc->engine,
					    desc->runlist);
	if (id < 0)
		return ERR_PTR(id);

	chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return ERR_PTR(-ENOMEM);
	chan->desc = *desc;
	INIT_LIST_HEAD(&chan->head);
	INIT_WORK(&chan->error_work, nvkm_vgpu_nouveau_chan_error_work);
	INIT_WORK(&chan->nonstall_work, nvkm_vgpu_nouveau_chan_nonstall_work);

	mutex_lock(&chans->mutex);
	runl = nvkm_vgpu_nouveau_runl_get(chans, id);
	if (IS_ERR(runl)) {
		ret = PTR_ERR(runl);
		goto err_unlock;
	}
	chan->runl = runl;
	chan->vmm = nvkm_vgpu_nouveau_vmm_get(chans, desc->fb_base, desc->fb_size);
	if (IS_ERR(chan->vmm)) {
		ret = PTR_ERR(chan->vmm);
		goto err_unlock;
	}

	args.runl = id;
	args.chid = desc->chid;
	args.vmm = chan->vmm->vmm;
	args.gpfifo = desc->gpfifo;
	args.entries = desc->gpfifo_entries;
	args.userd = desc->fb_base + desc->userd;
	args.error = nvkm_vgpu_nouveau_chan_errored;
	args.nonstall = nvkm_vgpu_nouveau_chan_nonstall;
	args.data = chan;
	ret = nvkm_vgpu_chan_new(chans->device, &args, &chan->nvchan);
	if (ret) {
		dev_err(chans->dev, "nvkm_vgpu_nouveau: channel %u on runlist %d: %d\n",
			desc->chid, id, ret);
		goto err_put_vmm;
	}
	nvkm_vgpu_nouveau_runl_add(runl, chan);
	mutex_unlock(&chans->mutex);
	return chan;

err_put_vmm:
	nvkm_vgpu_nouveau_vmm_put(chans, chan->vmm);
err_unlock:
	mutex_unlock(&chans->mutex);
	kfree(chan);
	return ERR_PTR(ret);
}

/**
 * nvkm_vgpu_nouveau_chan_destroy() - the contract's chan_destroy
 * @chans: the GPU's channels
 * @handle: from nvkm_vgpu_nouveau_chan_create()
 *
 * Once it returns no host op of the channel runs.
 */
void nvkm_vgpu_nouveau_chan_destroy(struct nvkm_vgpu_nouveau_chans *chans,
				    void *handle)
{
	struct nvkm_vgpu_nouveau_chan *chan = handle;

	nvkm_vgpu_nouveau_runl_del(chan->runl, chan);
	/* No notification once it returns; then none queued is left. */
	nvkm_vgpu_chan_del(&chan->nvchan);
	cancel_work_sync(&chan->error_work);
	cancel_work_sync(&chan->nonstall_work);
	mutex_lock(&chans->mutex);
	nvkm_vgpu_nouveau_vmm_put(chans, chan->vmm);
	mutex_unlock(&chans->mutex);
	kfree(chan);
}

/**
 * nvkm_vgpu_nouveau_chan_kick() - the contract's chan_kick; never sleeps
 * @handle: the channel
 */
void nvkm_vgpu_nouveau_chan_kick(void *handle)
{
	struct nvkm_vgpu_nouveau_chan *chan = handle;

	nvkm_vgpu_nouveau_runl_kick(chan->runl, chan);
}

/**
 * nvkm_vgpu_nouveau_chan_preempt() - the contract's chan_preempt
 * @handle: the channel; back on the runlist at its vGPU's next slice
 */
void nvkm_vgpu_nouveau_chan_preempt(void *handle)
{
	struct nvkm_vgpu_nouveau_chan *chan = handle;

	nvkm_vgpu_nouveau_runl_take_off(chan->runl, chan);
}

/**
 * nvkm_vgpu_nouveau_chan_reset() - the contract's chan_reset
 * @handle: the channel
 *
 * Off the runlist, USERD zeroed by nouveau, the error cleared; no host op
 * runs once it returns, until the next kick.
 */
void nvkm_vgpu_nouveau_chan_reset(void *handle)
{
	struct nvkm_vgpu_nouveau_chan *chan = handle;

	nvkm_vgpu_nouveau_runl_reset(chan->runl, chan);
	cancel_work_sync(&chan->error_work);
	cancel_work_sync(&chan->nonstall_work);
}
