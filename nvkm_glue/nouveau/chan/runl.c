// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling guest channels on nouveau's runlists: the mechanism. The
 * manager's scheduler decides which vGPU runs on an engine and for how
 * long; one kernel thread per NVKM runlist carries it out with the
 * hardware's own runlist:
 *
 *  - A kick marks the channel queued (nvkm_vgpu_sched_enqueue()) and, if
 *    the channel is on the runlist, rings its doorbell.
 *  - With no slice, the thread asks nvkm_vgpu_sched_pick() which vGPU
 *    runs and until when, takes every other vGPU's channels off the
 *    runlist (preempting each, for at most the slice's preemption
 *    timeout: past it nouveau stops the channel, reported as
 *    NVKM_VGPU_CHAN_ERR_TIMEOUT) and puts the picked vGPU's queued
 *    channels on it. Between a vGPU's own channels (one channel group
 *    each) the hardware's timeslice switches.
 *  - During the slice it reads each of that vGPU's USERDs every
 *    %NVKM_VGPU_NOUVEAU_RUNL_POLL_NS (GP_GET against GP_PUT, through the
 *    carve-out's BAR1 window): a channel whose GPFIFO is drained and that
 *    was not kicked since is idle (nvkm_vgpu_sched_dequeue()). Busy time
 *    is the time between reads that found work pending: the GPU keeps no
 *    per-channel busy counter nouveau reads.
 *  - The slice ends at its end, when none of its vGPU's channels has
 *    work, or when one of them is reset or destroyed (the slice may
 *    outlive no channel of its vGPU); it is reported
 *    (nvkm_vgpu_sched_slice_done()) and the thread asks again. A share
 *    policy may answer "nothing for N ns": the thread takes everything
 *    off and sleeps that long, or until a kick.
 *
 * Locking: chan_types.h. The thread holds the runlist's mutex across
 * nouveau's calls and USERD reads, never its spinlock.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <uapi/linux/nvkm_vgpu.h>

#include <core/device.h>

#include "../fb.h"
#include "runl.h"

/* Under runl->lock: the channel has work the manager must know of. */
static void nvkm_vgpu_nouveau_runl_queue_locked(struct nvkm_vgpu_nouveau_runl *runl,
						struct nvkm_vgpu_nouveau_chan *chan)
{
	lockdep_assert_held(&runl->lock);
	if (chan->queued || chan->errored)
		return;
	chan->queued = true;
	nvkm_vgpu_sched_enqueue(chan->desc.sched, ktime_get_ns());
}

/* Under runl->lock: the channel has no work, or may not run. */
static void nvkm_vgpu_nouveau_runl_unqueue_locked(struct nvkm_vgpu_nouveau_runl *runl,
						  struct nvkm_vgpu_nouveau_chan *chan)
{
	lockdep_assert_held(&runl->lock);
	if (!chan->queued)
		return;
	chan->queued = false;
	nvkm_vgpu_sched_dequeue(chan->desc.sched, ktime_get_ns());
}

static void nvkm_vgpu_nouveau_runl_wake_locked(struct nvkm_vgpu_nouveau_runl *runl)
{
	lockdep_assert_held(&runl->lock);
	runl->gen++;
	wake_up(&runl->wq);
}

/* Under runl->mutex: NVKM's runlist with or without @chan. */
static void nvkm_vgpu_nouveau_runl_set_on(struct nvkm_vgpu_nouveau_runl *runl,
					  struct nvkm_vgpu_nouveau_chan *chan,
					  bool on)
{
	unsigned long flags;
	u64 timeout_ns;

	lockdep_assert_held(&runl->mutex);
	if (chan->on == on)
		return;
	if (on) {
		nvkm_vgpu_chan_insert(chan->nvchan);
	} else {
		timeout_ns = runl->slice.entity ? runl->slice.preempt_timeout_ns :
			(u64)chan->desc.preempt_timeout_us * NSEC_PER_USEC;
		if (nvkm_vgpu_chan_remove(chan->nvchan, timeout_ns) == -ETIMEDOUT) {
			spin_lock_irqsave(&runl->lock, flags);
			chan->timed_out = true;
			spin_unlock_irqrestore(&runl->lock, flags);
		}
	}
	spin_lock_irqsave(&runl->lock, flags);
	chan->on = on;
	/* A kick that found it off the runlist rang no doorbell. */
	if (on && chan->queued)
		nvkm_vgpu_chan_kick(chan->nvchan);
	spin_unlock_irqrestore(&runl->lock, flags);
}

/*
 * Under runl->mutex: only @entity's queued channels on NVKM's runlist,
 * the others off first, so two vGPUs never share the engine.
 */
static void nvkm_vgpu_nouveau_runl_switch(struct nvkm_vgpu_nouveau_runl *runl,
					  struct nvkm_vgpu_sched_entity *entity)
{
	struct nvkm_vgpu_nouveau_chan *chan;
	bool run;

	lockdep_assert_held(&runl->mutex);
	/* runl->list changes only under the mutex too (add and del). */
	list_for_each_entry(chan, &runl->list, head) {
		if (chan->on && chan->desc.sched != entity)
			nvkm_vgpu_nouveau_runl_set_on(runl, chan, false);
	}
	list_for_each_entry(chan, &runl->list, head) {
		spin_lock_irq(&runl->lock);
		run = chan->desc.sched == entity && chan->queued && !chan->errored;
		spin_unlock_irq(&runl->lock);
		if (run)
			nvkm_vgpu_nouveau_runl_set_on(runl, chan, true);
	}
}

/* Whether @chan's GPFIFO has entries the GPU has not fetched. */
static bool nvkm_vgpu_nouveau_runl_userd_busy(struct nvkm_vgpu_nouveau_runl *runl,
					      struct nvkm_vgpu_nouveau_chan *chan)
{
	u32 gp[2];

	/* GP_GET then GP_PUT; unreadable USERD counts as busy. */
	if (nvkm_vgpu_nouveau_fb_rw(runl->chans->fb, chan->desc.fb_base +
				    chan->desc.userd + NVKM_VGPU_USERD_GP_GET,
				    gp, sizeof(gp), false))
		return true;
	return gp[0] != gp[1];
}

/*
 * Under runl->mutex: read the USERDs of the slice's channels on the
 * runlist; the idle ones leave the manager's queue. Returns whether any
 * of the vGPU's channels has work left.
 */
static bool nvkm_vgpu_nouveau_runl_poll(struct nvkm_vgpu_nouveau_runl *runl)
{
	struct nvkm_vgpu_sched_entity *entity = runl->slice.entity;
	struct nvkm_vgpu_nouveau_chan *chan;
	bool any = false, busy;

	lockdep_assert_held(&runl->mutex);
	list_for_each_entry(chan, &runl->list, head) {
		if (chan->desc.sched != entity)
			continue;
		if (chan->on) {
			spin_lock_irq(&runl->lock);
			chan->kicked = false;
			spin_unlock_irq(&runl->lock);
			busy = nvkm_vgpu_nouveau_runl_userd_busy(runl, chan);
			spin_lock_irq(&runl->lock);
			if (chan->errored || (!busy && !chan->kicked))
				nvkm_vgpu_nouveau_runl_unqueue_locked(runl, chan);
			spin_unlock_irq(&runl->lock);
		}
		spin_lock_irq(&runl->lock);
		any |= chan->queued;
		spin_unlock_irq(&runl->lock);
	}
	return any;
}

/* The first queued channel's runlist scheduler, or NULL. */
static struct nvkm_vgpu_sched *
nvkm_vgpu_nouveau_runl_sched_locked(struct nvkm_vgpu_nouveau_runl *runl)
{
	struct nvkm_vgpu_nouveau_chan *chan;

	lockdep_assert_held(&runl->lock);
	list_for_each_entry(chan, &runl->list, head) {
		if (chan->queued)
			return nvkm_vgpu_sched_entity_runlist(chan->desc.sched);
	}
	return NULL;
}

/* Under runl->mutex: the slice's busy time up to @now; work @pending from now. */
static void nvkm_vgpu_nouveau_runl_account(struct nvkm_vgpu_nouveau_runl *runl,
					   u64 now, bool pending)
{
	lockdep_assert_held(&runl->mutex);
	if (runl->pending)
		runl->slice_busy_ns += now - runl->last_ns;
	runl->last_ns = now;
	runl->pending = pending;
}

/* Under runl->mutex: end the slice, telling the manager what it ran. */
static void nvkm_vgpu_nouveau_runl_slice_end(struct nvkm_vgpu_nouveau_runl *runl,
					     u64 now, bool work_left)
{
	lockdep_assert_held(&runl->mutex);
	if (!runl->slice.entity)
		return;
	nvkm_vgpu_sched_slice_done(&runl->slice, now, runl->slice_busy_ns,
				   work_left);
	runl->slice.entity = NULL;
	runl->slice.idle_ns = 0;
	runl->slice_busy_ns = 0;
}

/*
 * Under runl->mutex: @chan leaves its vGPU's slice for good (reset,
 * destroy). The slice ends here: it may outlive no channel of its vGPU,
 * whose entity the manager may free once the last one is destroyed.
 */
static void nvkm_vgpu_nouveau_runl_slice_drop(struct nvkm_vgpu_nouveau_runl *runl,
					      struct nvkm_vgpu_nouveau_chan *chan)
{
	u64 now = ktime_get_ns();

	lockdep_assert_held(&runl->mutex);
	if (runl->slice.entity != chan->desc.sched)
		return;
	nvkm_vgpu_nouveau_runl_account(runl, now, false);
	nvkm_vgpu_nouveau_runl_slice_end(runl, now, false);
}

/*
 * One round of the thread under runl->mutex. Returns how long to sleep
 * before the next (0: until a kick).
 */
static u64 nvkm_vgpu_nouveau_runl_round(struct nvkm_vgpu_nouveau_runl *runl)
{
	struct nvkm_vgpu_sched_slice *slice = &runl->slice;
	struct nvkm_vgpu_sched *sched;
	u64 now = ktime_get_ns();
	bool work;

	lockdep_assert_held(&runl->mutex);
	if (slice->entity) {
		work = nvkm_vgpu_nouveau_runl_poll(runl);
		nvkm_vgpu_nouveau_runl_account(runl, now, work);
		if (work && now < slice->end_ns) {
			/* A channel preempted or kicked since goes back on. */
			nvkm_vgpu_nouveau_runl_switch(runl, slice->entity);
			return min_t(u64, slice->end_ns - now,
				     NVKM_VGPU_NOUVEAU_RUNL_POLL_NS);
		}
		nvkm_vgpu_nouveau_runl_slice_end(runl, now, work);
	}

	spin_lock_irq(&runl->lock);
	sched = nvkm_vgpu_nouveau_runl_sched_locked(runl);
	spin_unlock_irq(&runl->lock);
	if (sched) {
		nvkm_vgpu_sched_pick(sched, now, slice);
		runl->slice_busy_ns = 0;
		runl->last_ns = now;
		runl->pending = !!slice->entity;
	} else {
		memset(slice, 0, sizeof(*slice));
	}
	nvkm_vgpu_nouveau_runl_switch(runl, slice->entity);
	if (!slice->entity)
		return slice->idle_ns;
	return min_t(u64, slice->end_ns > now ? slice->end_ns - now : 0,
		     NVKM_VGPU_NOUVEAU_RUNL_POLL_NS) ?: 1;
}

static int nvkm_vgpu_nouveau_runl_thread(void *data)
{
	struct nvkm_vgpu_nouveau_runl *runl = data;
	unsigned long gen;
	u64 sleep_ns;

	while (!kthread_should_stop()) {
		spin_lock_irq(&runl->lock);
		gen = runl->gen;
		spin_unlock_irq(&runl->lock);

		mutex_lock(&runl->mutex);
		sleep_ns = nvkm_vgpu_nouveau_runl_round(runl);
		mutex_unlock(&runl->mutex);

		if (sleep_ns)
			wait_event_interruptible_hrtimeout(runl->wq,
							   READ_ONCE(runl->gen) != gen ||
							   kthread_should_stop(),
							   ns_to_ktime(sleep_ns));
		else
			wait_event_interruptible(runl->wq,
						 READ_ONCE(runl->gen) != gen ||
						 kthread_should_stop());
	}
	return 0;
}

/**
 * nvkm_vgpu_nouveau_runl_get() - NVKM runlist @id with its thread, made at
 * its first channel
 * @chans: the GPU's channels; the caller holds their mutex
 * @id: NVKM's runlist ID
 *
 * Return: the runlist, or an ERR_PTR (-ENOMEM, or the thread's error).
 */
struct nvkm_vgpu_nouveau_runl *
nvkm_vgpu_nouveau_runl_get(struct nvkm_vgpu_nouveau_chans *chans, int id)
{
	struct nvkm_vgpu_nouveau_runl *runl;
	int ret;

	lockdep_assert_held(&chans->mutex);
	runl = xa_load(&chans->runls, id);
	if (runl)
		return runl;

	runl = kzalloc(sizeof(*runl), GFP_KERNEL);
	if (!runl)
		return ERR_PTR(-ENOMEM);
	runl->chans = chans;
	runl->id = id;
	init_waitqueue_head(&runl->wq);
	mutex_init(&runl->mutex);
	spin_lock_init(&runl->lock);
	INIT_LIST_HEAD(&runl->list);
	runl->thread = kthread_run(nvkm_vgpu_nouveau_runl_thread, runl,
				   "nvkm_nv/runl%d", id);
	if (IS_ERR(runl->thread)) {
		ret = PTR_ERR(runl->thread);
		goto err_free;
	}
	ret = xa_err(xa_store(&chans->runls, id, runl, GFP_KERNEL));
	if (ret)
		goto err_stop;
	return runl;

err_stop:
	kthread_stop(runl->thread);
err_free:
	mutex_destroy(&runl->mutex);
	kfree(runl);
	dev_err(chans->dev, "nvkm_vgpu_nouveau: no scheduler thread for runlist %d: %d\n",
		id, ret);
	return ERR_PTR(ret);
}

/**
 * nvkm_vgpu_nouveau_runl_free() - stop a runlist's thread and free it
 * @runl: with no channel left
 */
void nvkm_vgpu_nouveau_runl_free(struct nvkm_vgpu_nouveau_runl *runl)
{
	WARN_ON(!list_empty(&runl->list));
	kthread_stop(runl->thread);
	mutex_destroy(&runl->mutex);
	kfree(runl);
}

/**
 * nvkm_vgpu_nouveau_runl_add() - a new channel, off the runlist and idle
 * @runl: its runlist
 * @chan: the channel
 */
void nvkm_vgpu_nouveau_runl_add(struct nvkm_vgpu_nouveau_runl *runl,
				struct nvkm_vgpu_nouveau_chan *chan)
{
	mutex_lock(&runl->mutex);
	spin_lock_irq(&runl->lock);
	list_add_tail(&chan->head, &runl->list);
	spin_unlock_irq(&runl->lock);
	mutex_unlock(&runl->mutex);
}

/**
 * nvkm_vgpu_nouveau_runl_del() - take a channel off the runlist for good
 * @runl: its runlist
 * @chan: the channel; the thread does not look at it once this returns
 */
void nvkm_vgpu_nouveau_runl_del(struct nvkm_vgpu_nouveau_runl *runl,
				struct nvkm_vgpu_nouveau_chan *chan)
{
	mutex_lock(&runl->mutex);
	nvkm_vgpu_nouveau_runl_set_on(runl, chan, false);
	nvkm_vgpu_nouveau_runl_slice_drop(runl, chan);
	spin_lock_irq(&runl->lock);
	nvkm_vgpu_nouveau_runl_unqueue_locked(runl, chan);
	list_del_init(&chan->head);
	nvkm_vgpu_nouveau_runl_wake_locked(runl);
	spin_unlock_irq(&runl->lock);
	mutex_unlock(&runl->mutex);
}

/**
 * nvkm_vgpu_nouveau_runl_kick() - @chan's GP_PUT may have moved
 * @runl: its runlist
 * @chan: the channel
 *
 * Never sleeps: any context.
 */
void nvkm_vgpu_nouveau_runl_kick(struct nvkm_vgpu_nouveau_runl *runl,
				 struct nvkm_vgpu_nouveau_chan *chan)
{
	unsigned long flags;

	spin_lock_irqsave(&runl->lock, flags);
	if (!chan->errored) {
		chan->kicked = true;
		nvkm_vgpu_nouveau_runl_queue_locked(runl, chan);
		if (chan->on)
			nvkm_vgpu_chan_kick(chan->nvchan);
		nvkm_vgpu_nouveau_runl_wake_locked(runl);
	}
	spin_unlock_irqrestore(&runl->lock, flags);
}

/**
 * nvkm_vgpu_nouveau_runl_take_off() - preempt @chan off its engine and
 * the runlist; the thread puts it back while it has work and its vGPU
 * the slice
 * @runl: its runlist
 * @chan: the channel
 */
void nvkm_vgpu_nouveau_runl_take_off(struct nvkm_vgpu_nouveau_runl *runl,
				     struct nvkm_vgpu_nouveau_chan *chan)
{
	mutex_lock(&runl->mutex);
	nvkm_vgpu_nouveau_runl_set_on(runl, chan, false);
	mutex_unlock(&runl->mutex);
	spin_lock_irq(&runl->lock);
	nvkm_vgpu_nouveau_runl_wake_locked(runl);
	spin_unlock_irq(&runl->lock);
}

/**
 * nvkm_vgpu_nouveau_runl_errored() - nouveau stopped @chan
 * @runl: its runlist
 * @chan: the channel
 *
 * From nouveau's error notification: any context.
 */
void nvkm_vgpu_nouveau_runl_errored(struct nvkm_vgpu_nouveau_runl *runl,
				    struct nvkm_vgpu_nouveau_chan *chan)
{
	unsigned long flags;

	spin_lock_irqsave(&runl->lock, flags);
	chan->errored = true;
	nvkm_vgpu_nouveau_runl_unqueue_locked(runl, chan);
	nvkm_vgpu_nouveau_runl_wake_locked(runl);
	spin_unlock_irqrestore(&runl->lock, flags);
}

/**
 * nvkm_vgpu_nouveau_runl_reset() - put @chan back as it was made: off the
 * runlist, USERD cleared, idle, no error
 * @runl: its runlist
 * @chan: the channel
 */
void nvkm_vgpu_nouveau_runl_reset(struct nvkm_vgpu_nouveau_runl *runl,
				  struct nvkm_vgpu_nouveau_chan *chan)
{
	mutex_lock(&runl->mutex);
	nvkm_vgpu_nouveau_runl_set_on(runl, chan, false);
	nvkm_vgpu_nouveau_runl_slice_drop(runl, chan);
	nvkm_vgpu_chan_reset(chan->nvchan);
	spin_lock_irq(&runl->lock);
	nvkm_vgpu_nouveau_runl_unqueue_locked(runl, chan);
	chan->kicked = false;
	chan->errored = false;
	chan->timed_out = false;
	nvkm_vgpu_nouveau_runl_wake_locked(runl);
	spin_unlock_irq(&runl->lock);
	mutex_unlock(&runl->mutex);
}

/**
 * nvkm_vgpu_nouveau_runl_timed_out() - whether @chan was stopped because
 * a preemption off the runlist timed out
 * @runl: its runlist
 * @chan: the channel
 *
 * Waits for a switch in progress, so that an error nouveau reported from
 * within it is told apart.
 *
 * Return: true for NVKM_VGPU_CHAN_ERR_TIMEOUT.
 */
bool nvkm_vgpu_nouveau_runl_timed_out(struct nvkm_vgpu_nouveau_runl *runl,
				      struct nvkm_vgpu_nouveau_chan *chan)
{
	bool timed_out;

	mutex_lock(&runl->mutex);
	spin_lock_irq(&runl->lock);
	timed_out = chan->timed_out;
	spin_unlock_irq(&runl->lock);
	mutex_unlock(&runl->mutex);
	return timed_out;
}

/**
 * nvkm_vgpu_nouveau_runl_is_on() - whether @chan is on NVKM's runlist
 * @runl: its runlist
 * @chan: the channel
 *
 * Any context.
 *
 * Return: true while the thread has it on the runlist.
 */
bool nvkm_vgpu_nouveau_runl_is_on(struct nvkm_vgpu_nouveau_runl *runl,
				  struct nvkm_vgpu_nouveau_chan *chan)
{
	unsigned long flags;
	bool on;

	spin_lock_irqsave(&runl->lock, flags);
	on = chan->on;
	spin_unlock_irqrestore(&runl->lock, flags);
	return on;
}
