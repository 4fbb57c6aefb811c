// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated GPU's engines: one kernel thread per engine of the classes
 * channels run on (GR runs NVKM_VGPU_CLASS_SIM_BUSY, CE runs
 * NVKM_VGPU_CLASS_COPY; the geometry's engines[] says how many of each),
 * named "nvkm_sim<N>/gr<i>" and "nvkm_sim<N>/ce<i>", each with the runlist
 * of its channels.
 *
 * Scheduling. The manager decides, the engine executes. A kick puts a
 * channel on its runlist and tells the manager its vGPU has work
 * (nvkm_vgpu_sched_enqueue()). With no slice, the thread asks the manager
 * which vGPU runs and until when (nvkm_vgpu_sched_pick()); during the
 * slice it takes the first channel of that vGPU nothing holds, moves it to
 * the tail and gives it a turn (nvkm_vgpu_sim_chan_turn()). The slice ends
 * at the first method boundary past its end, or when none of its vGPU's
 * channels can run; the thread then reports the engine time the turns
 * took (nvkm_vgpu_sched_slice_done()) and asks again. A share policy may
 * answer "nothing for N ns": the engine idles that long, or until a kick.
 * A turn runs until:
 *  - the GPFIFO is empty: the channel leaves the runlist, unless it was
 *    kicked during the turn;
 *  - a semaphore acquire is not satisfied: the channel stays on the
 *    runlist, parked, and its next turn polls the acquire again. When
 *    every channel on the runlist has been polled in vain since the last
 *    progress, the thread sleeps %NVKM_VGPU_SIM_ENGINE_POLL_US (or until a
 *    kick) before polling again: it never spins a CPU;
 *  - the slice is over, or its own timeslice (desc->timeslice_us) is over
 *    while another channel is on the runlist, or chan_preempt, chan_reset
 *    or chan_destroy asks it off: it switches at the next method boundary,
 *    keeping its place inside the push buffer segment, and resumes
 *    exactly there;
 *  - an error stops it: it leaves the runlist until chan_reset.
 *
 * A method that cannot stop half way (a busy launch, a copy) checks between
 * its steps (at most 1 ms or %NVKM_VGPU_SIM_ENGINE_BOUNCE bytes apart):
 * once a switch is asked for (a hold, the slice over while the manager
 * says the runlist is contended, or the channel's timeslice over while
 * another channel that is not parked waits), the method may run on for
 * the slice's preemption timeout; past that the channel stops with
 * NVKM_VGPU_CHAN_ERR_TIMEOUT. So no work holds an engine from another
 * channel, or another vGPU, for more than its timeslice plus its
 * preemption timeout (and one step). A reset or destroy ends the method at
 * once, reporting nothing.
 *
 * Waiting (a busy launch, a copy faster than the preset's bandwidth) is an
 * hrtimer sleep of at most 1 ms at a time, never a spin.
 *
 * Locking: each engine's spinlock (engine_types.h) guards its runlist, its
 * slice and the scheduling fields of its channels (chan_types.h). Only the
 * manager's scheduler lock nests inside it: no memory access, host op or
 * sleep happens under it.
 * Kicks take it with interrupts saved, so a kick may come from any
 * context; everything else takes it with interrupts off. A channel's
 * execution state has no lock: it belongs to whoever runs the channel
 * (chan_types.h). Holders wait on the engine's off_wq for the channel to
 * leave the thread, which it does at most one step after the request;
 * that wait includes a host op the thread may be making for the channel,
 * so the manager must not hold, across chan_preempt, chan_reset or
 * chan_destroy, a lock its host ops take.
 */
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../preset.h"
#include "chan.h"
#include "engine.h"

/* How long a thread whose channels all wait on semaphores sleeps. */
#define NVKM_VGPU_SIM_ENGINE_POLL_US 200
#define NVKM_VGPU_SIM_ENGINE_POLL \
	ns_to_ktime(NVKM_VGPU_SIM_ENGINE_POLL_US * NSEC_PER_USEC)
/* Longest sleep between two checks of a waiting method. */
#define NVKM_VGPU_SIM_ENGINE_STEP_NS NSEC_PER_MSEC

/* N of the threads' names "nvkm_sim<N>/..."; the IDA locks itself. */
static DEFINE_IDA(nvkm_vgpu_sim_engine_ids);

static const char *const nvkm_vgpu_sim_engine_names[NVKM_VGPU_ENGINE_NR] = {
	[NVKM_VGPU_ENGINE_GR] = "gr",
	[NVKM_VGPU_ENGINE_CE] = "ce",
};

/**
 * nvkm_vgpu_sim_engine_class() - the class an engine runs
 * @type: the engine's class
 *
 * Return: NVKM_VGPU_CLASS_SIM_BUSY for GR, NVKM_VGPU_CLASS_COPY for CE,
 * 0 for an engine class that runs no channels on the simulated GPU.
 */
u32 nvkm_vgpu_sim_engine_class(enum nvkm_vgpu_engine type)
{
	switch (type) {
	case NVKM_VGPU_ENGINE_GR:
		return NVKM_VGPU_CLASS_SIM_BUSY;
	case NVKM_VGPU_ENGINE_CE:
		return NVKM_VGPU_CLASS_COPY;
	default:
		return 0;
	}
}

static void nvkm_vgpu_sim_engine_set_waiting_locked(struct nvkm_vgpu_sim_engine *eng,
						    struct nvkm_vgpu_sim_chan *chan,
						    bool waiting)
{
	lockdep_assert_held(&eng->lock);
	if (chan->waiting == waiting)
		return;
	chan->waiting = waiting;
	if (chan->queued)
		WRITE_ONCE(eng->nr_ready, eng->nr_ready + (waiting ? -1 : 1));
}

static void nvkm_vgpu_sim_engine_enqueue_locked(struct nvkm_vgpu_sim_engine *eng,
						struct nvkm_vgpu_sim_chan *chan)
{
	lockdep_assert_held(&eng->lock);
	if (chan->queued)
		return;
	list_add_tail(&chan->runq_node, &eng->runq);
	chan->queued = true;
	nvkm_vgpu_sched_enqueue(chan->desc.sched, ktime_get_ns());
	WRITE_ONCE(eng->nr_queued, eng->nr_queued + 1);
	if (!chan->waiting)
		WRITE_ONCE(eng->nr_ready, eng->nr_ready + 1);
}

static void nvkm_vgpu_sim_engine_dequeue_locked(struct nvkm_vgpu_sim_engine *eng,
						struct nvkm_vgpu_sim_chan *chan)
{
	lockdep_assert_held(&eng->lock);
	nvkm_vgpu_sim_engine_set_waiting_locked(eng, chan, false);
	if (!chan->queued)
		return;
	list_del_init(&chan->runq_node);
	chan->queued = false;
	nvkm_vgpu_sched_dequeue(chan->desc.sched, ktime_get_ns());
	WRITE_ONCE(eng->nr_queued, eng->nr_queued - 1);
	WRITE_ONCE(eng->nr_ready, eng->nr_ready - 1);
}

/* The first channel of @entity's vGPU on the runlist nothing holds. */
static struct nvkm_vgpu_sim_chan *
nvkm_vgpu_sim_engine_pick_locked(struct nvkm_vgpu_sim_engine *eng,
				 struct nvkm_vgpu_sched_entity *entity)
{
	struct nvkm_vgpu_sim_chan *chan;

	lockdep_assert_held(&eng->lock);
	list_for_each_entry(chan, &eng->runq, runq_node) {
		if (chan->desc.sched == entity && !chan->holds)
			return chan;
	}
	return NULL;
}

/* The slice is over: tell the manager what it ran. */
static void nvkm_vgpu_sim_engine_slice_end_locked(struct nvkm_vgpu_sim_engine *eng,
						  u64 now, bool work_left)
{
	lockdep_assert_held(&eng->lock);
	if (!eng->slice.entity)
		return;
	nvkm_vgpu_sched_slice_done(&eng->slice, now, eng->slice_busy_ns,
				   work_left);
	WRITE_ONCE(eng->slice.entity, NULL);
	eng->slice_busy_ns = 0;
}

/* No slice: ask the manager for one, for the vGPUs on the runlist. */
static void nvkm_vgpu_sim_engine_slice_start_locked(struct nvkm_vgpu_sim_engine *eng,
						    u64 now)
{
	struct nvkm_vgpu_sim_chan *first;
	struct nvkm_vgpu_sched_slice slice;

	lockdep_assert_held(&eng->lock);
	first = list_first_entry_or_null(&eng->runq, struct nvkm_vgpu_sim_chan,
					 runq_node);
	if (eng->slice.entity)
		return;
	if (!first) {
		/* Nothing queued: sleep until a kick, not a stale idle time. */
		eng->slice.idle_ns = 0;
		return;
	}
	nvkm_vgpu_sched_pick(nvkm_vgpu_sched_entity_runlist(first->desc.sched),
			     now, &slice);
	eng->slice = slice;
	eng->slice_busy_ns = 0;
}

/* A turn of @chan ended with @turn: where it goes now. */
static void nvkm_vgpu_sim_engine_turn_done_locked(struct nvkm_vgpu_sim_engine *eng,
						  struct nvkm_vgpu_sim_chan *chan,
						  enum nvkm_vgpu_sim_turn turn)
{
	lockdep_assert_held(&eng->lock);
	switch (turn) {
	case NVKM_VGPU_SIM_TURN_IDLE:
		nvkm_vgpu_sim_engine_set_waiting_locked(eng, chan, false);
		if (!chan->pending)
			nvkm_vgpu_sim_engine_dequeue_locked(eng, chan);
		break;
	case NVKM_VGPU_SIM_TURN_WAIT:
		nvkm_vgpu_sim_engine_set_waiting_locked(eng, chan, true);
		break;
	case NVKM_VGPU_SIM_TURN_SWITCH:
		nvkm_vgpu_sim_engine_set_waiting_locked(eng, chan, false);
		break;
	case NVKM_VGPU_SIM_TURN_ERROR:
		/* nvkm_vgpu_sim_engine_stop_chan() took it off. */
		break;
	}
}

/*
 * Sleeps until a kick or a hold's end; with @timeout_ns, at most that long
 * (a poll period, or the idle time a share policy asked for).
 */
static void nvkm_vgpu_sim_engine_idle(struct nvkm_vgpu_sim_engine *eng,
				      unsigned long gen, u64 timeout_ns)
{
	if (timeout_ns)
		wait_event_interruptible_hrtimeout(eng->wq,
						   READ_ONCE(eng->gen) != gen ||
						   kthread_should_stop(),
						   ns_to_ktime(timeout_ns));
	else
		wait_event_interruptible(eng->wq, READ_ONCE(eng->gen) != gen ||
					 kthread_should_stop());
}

static int nvkm_vgpu_sim_engine_thread(void *data)
{
	struct nvkm_vgpu_sim_engine *eng = data;
	/* Turns in a row that polled a parked channel in vain. */
	unsigned int vain = 0;
	/* Slices in a row that found none of their vGPU's channels free. */
	unsigned int empty = 0;

	while (!kthread_should_stop()) {
		struct nvkm_vgpu_sim_chan *chan;
		enum nvkm_vgpu_sim_turn turn;
		unsigned long gen;
		u64 now, idle_ns;

		spin_lock_irq(&eng->lock);
		gen = eng->gen;
		now = ktime_get_ns();
		if (eng->slice.entity && now >= eng->slice.end_ns)
			nvkm_vgpu_sim_engine_slice_end_locked(eng, now, true);
		nvkm_vgpu_sim_engine_slice_start_locked(eng, now);
		idle_ns = eng->slice.entity ? 0 : eng->slice.idle_ns;
		chan = NULL;
		if (eng->slice.entity)
			chan = nvkm_vgpu_sim_engine_pick_locked(eng, eng->slice.entity);
		if (!chan && eng->slice.entity) {
			/* Held channels only: give the others a go first. */
			nvkm_vgpu_sim_engine_slice_end_locked(eng, now, false);
			if (++empty <= eng->nr_queued) {
				spin_unlock_irq(&eng->lock);
				continue;
			}
		}
		if (!chan || (chan->waiting && vain >= eng->nr_queued)) {
			if (chan) {
				nvkm_vgpu_sim_engine_slice_end_locked(eng, now, false);
				idle_ns = NVKM_VGPU_SIM_ENGINE_POLL_US * NSEC_PER_USEC;
			}
			spin_unlock_irq(&eng->lock);
			nvkm_vgpu_sim_engine_idle(eng, gen, idle_ns);
			vain = 0;
			empty = 0;
			continue;
		}
		empty = 0;
		list_move_tail(&chan->runq_node, &eng->runq);
		chan->pending = false;
		WRITE_ONCE(eng->running, chan);
		spin_unlock_irq(&eng->lock);

		turn = nvkm_vgpu_sim_chan_turn(chan);

		spin_lock_irq(&eng->lock);
		now = ktime_get_ns();
		if (eng->slice.entity)
			eng->slice_busy_ns += now - chan->exec.turn_start_ns;
		if (turn == NVKM_VGPU_SIM_TURN_WAIT && !chan->exec.progress) {
			vain++;
			/* Parked in vain: another vGPU with work goes first. */
			if (nvkm_vgpu_sched_contended(&eng->slice))
				nvkm_vgpu_sim_engine_slice_end_locked(eng, now,
								      false);
		} else {
			vain = 0;
		}
		nvkm_vgpu_sim_engine_turn_done_locked(eng, chan, turn);
		WRITE_ONCE(eng->running, NULL);
		spin_unlock_irq(&eng->lock);
		/* @chan may be freed from here on. */
		wake_up_all(&eng->off_wq);
		cond_resched();
	}
	return 0;
}

/**
 * nvkm_vgpu_sim_engine_find() - an engine by class and index
 * @engines: the GPU's engines
 * @type: the engine class
 * @index: which engine of the class (the runlist)
 *
 * Return: the engine, or NULL when the GPU has no such engine or the
 * class runs no channels.
 */
struct nvkm_vgpu_sim_engine *
nvkm_vgpu_sim_engine_find(struct nvkm_vgpu_sim_engines *engines,
			  enum nvkm_vgpu_engine type, u32 index)
{
	if ((unsigned int)type >= NVKM_VGPU_ENGINE_NR ||
	    !engines->engine[type] || index >= engines->count[type])
		return NULL;
	return &engines->engine[type][index];
}

/**
 * nvkm_vgpu_sim_engine_kick() - put a channel on its runlist
 * @chan: the channel, whose GP_PUT may have moved
 *
 * Marks the channel pending, queues it unless it is stopped on an error,
 * and wakes the engine's thread. Never sleeps; any context.
 */
void nvkm_vgpu_sim_engine_kick(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_engine *eng = chan->engine;
	unsigned long flags;

	spin_lock_irqsave(&eng->lock, flags);
	chan->pending = true;
	if (!chan->stopped)
		nvkm_vgpu_sim_engine_enqueue_locked(eng, chan);
	WRITE_ONCE(eng->gen, eng->gen + 1);
	spin_unlock_irqrestore(&eng->lock, flags);
	wake_up(&eng->wq);
}

static bool nvkm_vgpu_sim_engine_runs(struct nvkm_vgpu_sim_engine *eng,
				      struct nvkm_vgpu_sim_chan *chan)
{
	bool runs;

	spin_lock_irq(&eng->lock);
	runs = eng->running == chan;
	spin_unlock_irq(&eng->lock);
	return runs;
}

/**
 * nvkm_vgpu_sim_engine_hold() - keep a channel off its engine
 * @chan: the channel
 * @kill: end its turn at once, even inside a method, reporting nothing
 *	(a reset or destroy); otherwise at the next method boundary, or by
 *	the preemption timeout inside a long method
 *
 * Returns once the engine's thread no longer runs @chan; it will not run
 * it again until nvkm_vgpu_sim_engine_unhold(). Sleeps.
 */
void nvkm_vgpu_sim_engine_hold(struct nvkm_vgpu_sim_chan *chan, bool kill)
{
	struct nvkm_vgpu_sim_engine *eng = chan->engine;

	spin_lock_irq(&eng->lock);
	WRITE_ONCE(chan->holds, chan->holds + 1);
	if (kill)
		WRITE_ONCE(chan->kill, true);
	spin_unlock_irq(&eng->lock);
	wait_event(eng->off_wq, !nvkm_vgpu_sim_engine_runs(eng, chan));
}

/**
 * nvkm_vgpu_sim_engine_drop() - forget a held channel's scheduling state
 * @chan: a channel held by nvkm_vgpu_sim_engine_hold()
 *
 * Takes it off the runlist and clears its pending kick, its parking, its
 * error stop and its kill: it runs again only once kicked.
 */
void nvkm_vgpu_sim_engine_drop(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_engine *eng = chan->engine;

	spin_lock_irq(&eng->lock);
	nvkm_vgpu_sim_engine_dequeue_locked(eng, chan);
	chan->pending = false;
	WRITE_ONCE(chan->stopped, false);
	WRITE_ONCE(chan->kill, false);
	/* The slice may outlive no channel of its vGPU: it ends here. */
	if (eng->slice.entity == chan->desc.sched)
		nvkm_vgpu_sim_engine_slice_end_locked(eng, ktime_get_ns(), false);
	spin_unlock_irq(&eng->lock);
}

/**
 * nvkm_vgpu_sim_engine_unhold() - let a held channel run again
 * @chan: a channel held by nvkm_vgpu_sim_engine_hold()
 *
 * If it is still on the runlist, its engine's thread gets back to it.
 */
void nvkm_vgpu_sim_engine_unhold(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_engine *eng = chan->engine;

	spin_lock_irq(&eng->lock);
	WRITE_ONCE(chan->holds, chan->holds - 1);
	WRITE_ONCE(eng->gen, eng->gen + 1);
	spin_unlock_irq(&eng->lock);
	wake_up(&eng->wq);
}

/**
 * nvkm_vgpu_sim_engine_stop_chan() - a running channel stopped on an error
 * @chan: the channel, in its turn
 *
 * It leaves the runlist, and kicks do not bring it back until chan_reset.
 * Called before the error is reported, so no kick can slip in between.
 */
void nvkm_vgpu_sim_engine_stop_chan(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_engine *eng = chan->engine;

	spin_lock_irq(&eng->lock);
	WRITE_ONCE(chan->stopped, true);
	nvkm_vgpu_sim_engine_dequeue_locked(eng, chan);
	spin_unlock_irq(&eng->lock);
}

/**
 * nvkm_vgpu_sim_engine_turn_start() - a channel's turn begins
 * @chan: the channel
 *
 * Starts its timeslice; no switch has been asked for yet.
 */
void nvkm_vgpu_sim_engine_turn_start(struct nvkm_vgpu_sim_chan *chan)
{
	chan->exec.turn_start_ns = ktime_get_ns();
	chan->exec.slice_end_ns = chan->exec.turn_start_ns +
				  (u64)chan->desc.timeslice_us * NSEC_PER_USEC;
	/* The thread set the slice before the turn; a test has none. */
	chan->exec.preempt_timeout_ns = READ_ONCE(chan->engine->slice.entity) ?
		chan->engine->slice.preempt_timeout_ns :
		(u64)chan->desc.preempt_timeout_us * NSEC_PER_USEC;
	chan->exec.switch_requested = false;
	chan->exec.progress = false;
}

/* Another channel on the runlist is ready to run (not parked). */
static bool nvkm_vgpu_sim_engine_others_ready(struct nvkm_vgpu_sim_chan *chan)
{
	unsigned int mine = chan->queued && !chan->waiting;

	return READ_ONCE(chan->engine->nr_ready) > mine;
}

/**
 * nvkm_vgpu_sim_engine_should_switch() - end the turn at this boundary?
 * @chan: the running channel, between two methods
 *
 * Return: true when something holds the channel, its vGPU's slice is
 * over, or its own timeslice is over and another channel (parked ones
 * included, so they get polled) is on the runlist.
 */
bool nvkm_vgpu_sim_engine_should_switch(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_engine *eng = chan->engine;
	unsigned int mine = chan->queued;
	u64 now;

	if (READ_ONCE(chan->holds) || READ_ONCE(chan->kill))
		return true;
	now = ktime_get_ns();
	if (READ_ONCE(eng->slice.entity) && now >= eng->slice.end_ns)
		return true;
	if (now < chan->exec.slice_end_ns)
		return false;
	return READ_ONCE(eng->nr_queued) > mine;
}

/* The slice is over and the manager wants the engine for another vGPU. */
static bool nvkm_vgpu_sim_engine_slice_wanted(struct nvkm_vgpu_sim_engine *eng,
					      u64 now)
{
	return READ_ONCE(eng->slice.entity) && now >= eng->slice.end_ns &&
	       nvkm_vgpu_sched_contended(&eng->slice);
}

/**
 * nvkm_vgpu_sim_engine_check() - may a long method go on?
 * @chan: the running channel, inside a method that cannot stop half way
 *
 * Notes when a switch is first asked for: a hold, the slice over while
 * the runlist is contended, or the channel's timeslice over while another
 * channel is ready.
 *
 * Return: 0 to go on; -EINTR when a reset or destroy kills the turn;
 * -ETIMEDOUT when a switch was asked for more than the preemption timeout
 * ago.
 */
int nvkm_vgpu_sim_engine_check(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_chan_exec *exec = &chan->exec;
	u64 now;

	if (READ_ONCE(chan->kill))
		return -EINTR;
	now = ktime_get_ns();
	if (!exec->switch_requested) {
		if (READ_ONCE(chan->holds) ||
		    nvkm_vgpu_sim_engine_slice_wanted(chan->engine, now) ||
		    (now >= exec->slice_end_ns &&
		     nvkm_vgpu_sim_engine_others_ready(chan))) {
			exec->switch_requested = true;
			exec->switch_request_ns = now;
		}
		return 0;
	}
	if (now - exec->switch_request_ns > exec->preempt_timeout_ns)
		return -ETIMEDOUT;
	return 0;
}

/**
 * nvkm_vgpu_sim_engine_wait_until() - keep a channel's engine busy
 * @chan: the running channel, inside a method
 * @deadline_ns: until when (ktime_get_ns())
 *
 * Sleeps (hrtimer, at most 1 ms at a time, never spinning) until
 * @deadline_ns, checking with nvkm_vgpu_sim_engine_check() before each
 * sleep.
 *
 * Return: 0 at the deadline, or the check's -EINTR or -ETIMEDOUT.
 */
int nvkm_vgpu_sim_engine_wait_until(struct nvkm_vgpu_sim_chan *chan,
				    u64 deadline_ns)
{
	for (;;) {
		ktime_t step;
		u64 now;
		int ret;

		ret = nvkm_vgpu_sim_engine_check(chan);
		if (ret)
			return ret;
		now = ktime_get_ns();
		if (now >= deadline_ns)
			return 0;
		step = ns_to_ktime(min_t(u64, deadline_ns - now,
					 NVKM_VGPU_SIM_ENGINE_STEP_NS));
		/*
		 * Not counted as load; any wake-up just checks again. No
		 * timer slack: a late wake-up is engine time nobody asked for.
		 */
		set_current_state(TASK_IDLE);
		schedule_hrtimeout_range(&step, 0, HRTIMER_MODE_REL);
	}
}

static int nvkm_vgpu_sim_engine_init(struct nvkm_vgpu_sim_engine *eng,
				     struct nvkm_vgpu_sim_engines *engines,
				     enum nvkm_vgpu_engine type, u32 index,
				     u64 copy_bytes_per_s)
{
	spin_lock_init(&eng->lock);
	INIT_LIST_HEAD(&eng->runq);
	init_waitqueue_head(&eng->wq);
	init_waitqueue_head(&eng->off_wq);
	eng->copy_bytes_per_s = copy_bytes_per_s;
	eng->type = type;
	eng->index = index;
	eng->engines = engines;
	eng->bounce = kvmalloc(NVKM_VGPU_SIM_ENGINE_BOUNCE, GFP_KERNEL);
	return eng->bounce ? 0 : -ENOMEM;
}

/**
 * nvkm_vgpu_sim_engines_init() - make a simulated GPU's engines
 * @engines: zeroed; kept by the caller until nvkm_vgpu_sim_engines_fini()
 * @vram: the GPU's framebuffer, which channels reach
 * @preset: the board: its geometry says how many engines of each class,
 *	and its copy bandwidth how fast copies go
 *
 * Makes the engines of the classes that run channels (GR and CE), with
 * empty runlists and no threads: channels can be made and run turn by
 * turn (KUnit), and nvkm_vgpu_sim_engines_start() gives each engine its
 * thread.
 *
 * Return: 0, or -ENOMEM with nothing left behind.
 */
int nvkm_vgpu_sim_engines_init(struct nvkm_vgpu_sim_engines *engines,
			       struct nvkm_vgpu_sim_vram *vram,
			       const struct nvkm_vgpu_sim_preset *preset)
{
	enum nvkm_vgpu_engine type;
	u32 i;
	int ret;

	engines->vram = vram;
	engines->id = -1;
	for (type = 0; type < NVKM_VGPU_ENGINE_NR; type++) {
		u32 count = preset->geo->engines[type];

		if (!nvkm_vgpu_sim_engine_class(type) || !count)
			continue;
		engines->engine[type] = kcalloc(count, sizeof(**engines->engine),
						GFP_KERNEL);
		if (!engines->engine[type]) {
			ret = -ENOMEM;
			goto err_fini;
		}
		engines->count[type] = count;
		for (i = 0; i < count; i++) {
			ret = nvkm_vgpu_sim_engine_init(&engines->engine[type][i],
							engines, type, i,
							preset->copy_bytes_per_s);
			if (ret)
				goto err_fini;
		}
	}
	return 0;

err_fini:
	nvkm_vgpu_sim_engines_fini(engines);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_engines_init);

/**
 * nvkm_vgpu_sim_engines_fini() - free a simulated GPU's engines
 * @engines: from nvkm_vgpu_sim_engines_init(), threads stopped, every
 *	channel deleted
 */
void nvkm_vgpu_sim_engines_fini(struct nvkm_vgpu_sim_engines *engines)
{
	enum nvkm_vgpu_engine type;
	u32 i;

	for (type = 0; type < NVKM_VGPU_ENGINE_NR; type++) {
		if (!engines->engine[type])
			continue;
		for (i = 0; i < engines->count[type]; i++) {
			struct nvkm_vgpu_sim_engine *eng = &engines->engine[type][i];

			/* A partly made array is zeroed past its last engine. */
			if (!eng->engines)
				break;
			WARN_ON_ONCE(!list_empty(&eng->runq));
			kvfree(eng->bounce);
		}
		kfree(engines->engine[type]);
		engines->engine[type] = NULL;
		engines->count[type] = 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_engines_fini);

/**
 * nvkm_vgpu_sim_engines_start() - give each engine its thread
 * @engines: from nvkm_vgpu_sim_engines_init()
 *
 * Return: 0, or the errno of ida_alloc() or kthread_run(), with no thread
 * left running.
 */
int nvkm_vgpu_sim_engines_start(struct nvkm_vgpu_sim_engines *engines)
{
	enum nvkm_vgpu_engine type;
	u32 i;
	int ret;

	ret = ida_alloc(&nvkm_vgpu_sim_engine_ids, GFP_KERNEL);
	if (ret < 0)
		return ret;
	engines->id = ret;
	for (type = 0; type < NVKM_VGPU_ENGINE_NR; type++) {
		for (i = 0; i < engines->count[type]; i++) {
			struct nvkm_vgpu_sim_engine *eng = &engines->engine[type][i];
			struct task_struct *thread;

			thread = kthread_run(nvkm_vgpu_sim_engine_thread, eng,
					     "nvkm_sim%d/%s%u", engines->id,
					     nvkm_vgpu_sim_engine_names[type], i);
			if (IS_ERR(thread)) {
				nvkm_vgpu_sim_engines_stop(engines);
				return PTR_ERR(thread);
			}
			eng->thread = thread;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_engines_start);

/**
 * nvkm_vgpu_sim_engines_stop() - stop every engine's thread
 * @engines: from nvkm_vgpu_sim_engines_start() (or one that failed); every
 *	channel deleted
 */
void nvkm_vgpu_sim_engines_stop(struct nvkm_vgpu_sim_engines *engines)
{
	enum nvkm_vgpu_engine type;
	u32 i;

	for (type = 0; type < NVKM_VGPU_ENGINE_NR; type++) {
		for (i = 0; i < engines->count[type]; i++) {
			struct nvkm_vgpu_sim_engine *eng = &engines->engine[type][i];

			if (!eng->thread)
				continue;
			WARN_ON_ONCE(!list_empty(&eng->runq));
			kthread_stop(eng->thread);
			eng->thread = NULL;
		}
	}
	if (engines->id >= 0)
		ida_free(&nvkm_vgpu_sim_engine_ids, engines->id);
	engines->id = -1;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_engines_stop);
