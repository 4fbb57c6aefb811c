// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler of a GPU's runlists: one per physical engine that runs
 * channels (GR, CE), each with the vGPUs that have channels on it. The
 * backend executes (its engine runs one vGPU's channels for a slice); the
 * manager decides, here, which vGPU and for how long, by the policy in
 * force (policy.c), and keeps the accounting sysfs, debugfs and the
 * tracepoints show.
 *
 * The backend's calls (nvkm_vgpu_sched_enqueue(), _dequeue(), _pick(),
 * _slice_done(), _contended()) come under its own engine lock, from any
 * context: each runlist's lock is a spinlock taken with interrupts saved,
 * and nothing sleeps or takes another lock under it but the log's.
 * Knobs are single words written with WRITE_ONCE() and read at the next
 * decision, so a change takes effect within one slice.
 */
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "../parent_types.h"
#include "policy.h"
#include "sched.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* The classes whose engines run channels, in the order of the runlists. */
static const struct {
	enum nvkm_vgpu_engine type;
	const char *name;
} nvkm_vgpu_sched_classes[] = {
	{ NVKM_VGPU_ENGINE_GR, "gr" },
	{ NVKM_VGPU_ENGINE_CE, "ce" },
};

static void nvkm_vgpu_sched_log(struct nvkm_vgpu_sched *sched,
				enum nvkm_vgpu_sched_event event,
				const struct nvkm_vgpu_sched_entity *e,
				u64 t_ns, u64 value_ns)
{
	struct nvkm_vgpu_sched_gpu *sg = sched->gpu;
	struct nvkm_vgpu_sched_log_entry *l;
	unsigned long flags;

	spin_lock_irqsave(&sg->log_lock, flags);
	l = &sg->log[sg->log_head];
	l->t_ns = t_ns;
	l->value_us = div_u64(value_ns, NSEC_PER_USEC);
	l->event = event;
	strscpy(l->engine, sched->name, sizeof(l->engine));
	strscpy(l->vgpu, e ? e->owner->name : "-", sizeof(l->vgpu));
	sg->log_head = (sg->log_head + 1) % NVKM_VGPU_SCHED_LOG_LEN;
	if (sg->log_count < NVKM_VGPU_SCHED_LOG_LEN)
		sg->log_count++;
	spin_unlock_irqrestore(&sg->log_lock, flags);
}

/**
 * nvkm_vgpu_sched_gpu_new() - the schedulers of a GPU's runlists
 * @geo: the GPU's geometry: one runlist per GR and per CE engine
 *
 * Starts under best_effort with each type's default time slice.
 *
 * Return: the GPU's scheduling, or NULL when out of memory.
 */
struct nvkm_vgpu_sched_gpu *nvkm_vgpu_sched_gpu_new(const struct nvkm_vgpu_geometry *geo)
{
	struct nvkm_vgpu_sched_gpu *sg;
	u32 nr = 0, i, c, n = 0;

	for (c = 0; c < ARRAY_SIZE(nvkm_vgpu_sched_classes); c++)
		nr += geo->engines[nvkm_vgpu_sched_classes[c].type];
	sg = kzalloc(struct_size(sg, sched, nr), GFP_KERNEL);
	if (!sg)
		return NULL;
	sg->nr = nr;
	sg->policy = NVKM_VGPU_SCHED_BEST_EFFORT;
	spin_lock_init(&sg->log_lock);
	for (c = 0; c < ARRAY_SIZE(nvkm_vgpu_sched_classes); c++) {
		enum nvkm_vgpu_engine type = nvkm_vgpu_sched_classes[c].type;

		for (i = 0; i < geo->engines[type]; i++, n++) {
			struct nvkm_vgpu_sched *sched = &sg->sched[n];

			spin_lock_init(&sched->lock);
			INIT_LIST_HEAD(&sched->entities);
			sched->gpu = sg;
			sched->type = type;
			sched->index = i;
			snprintf(sched->name, sizeof(sched->name), "%s%u",
				 nvkm_vgpu_sched_classes[c].name, i);
		}
	}
	return sg;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_gpu_new);

/**
 * nvkm_vgpu_sched_gpu_del() - free a GPU's schedulers
 * @sg: from nvkm_vgpu_sched_gpu_new(), every vGPU's knobs freed, debugfs
 *	gone
 */
void nvkm_vgpu_sched_gpu_del(struct nvkm_vgpu_sched_gpu *sg)
{
	u32 i;

	if (!sg)
		return;
	for (i = 0; i < sg->nr; i++)
		WARN_ON(!list_empty(&sg->sched[i].entities));
	kfree(sg);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_gpu_del);

/**
 * nvkm_vgpu_sched_gpu_set_policy() - switch a GPU's policy, live
 * @sg: the GPU's scheduling
 * @policy: an &enum nvkm_vgpu_sched_policy, checked by the caller
 *
 * Every runlist's next decision follows it; the credits of the share
 * policies start from even.
 */
void nvkm_vgpu_sched_gpu_set_policy(struct nvkm_vgpu_sched_gpu *sg, int policy)
{
	unsigned long flags;
	u32 i;

	WRITE_ONCE(sg->policy, policy);
	for (i = 0; i < sg->nr; i++) {
		struct nvkm_vgpu_sched *sched = &sg->sched[i];

		spin_lock_irqsave(&sched->lock, flags);
		nvkm_vgpu_sched_policy_reset(sched);
		spin_unlock_irqrestore(&sched->lock, flags);
	}
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_gpu_set_policy);

/**
 * nvkm_vgpu_sched_gpu_policy() - a GPU's policy now
 * @sg: the GPU's scheduling
 *
 * Return: the &enum nvkm_vgpu_sched_policy in force.
 */
int nvkm_vgpu_sched_gpu_policy(const struct nvkm_vgpu_sched_gpu *sg)
{
	return READ_ONCE(sg->policy);
}

/**
 * nvkm_vgpu_sched_gpu_timeslice_us() - a GPU's time slice now
 * @sg: the GPU's scheduling
 *
 * Return: the slice in microseconds, 0 for each type's default.
 */
u32 nvkm_vgpu_sched_gpu_timeslice_us(const struct nvkm_vgpu_sched_gpu *sg)
{
	return READ_ONCE(sg->timeslice_us);
}

/**
 * nvkm_vgpu_sched_gpu_set_timeslice() - set a GPU's time slice, live
 * @sg: the GPU's scheduling
 * @us: the slice in microseconds, 0 for each type's default
 */
void nvkm_vgpu_sched_gpu_set_timeslice(struct nvkm_vgpu_sched_gpu *sg, u32 us)
{
	WRITE_ONCE(sg->timeslice_us, us);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_gpu_set_timeslice);

/**
 * nvkm_vgpu_sched_find() - a runlist's scheduler
 * @sg: the GPU's scheduling
 * @type: the engine class
 * @index: the runlist within the class
 *
 * Return: the scheduler, or NULL when the GPU has no such runlist.
 */
struct nvkm_vgpu_sched *nvkm_vgpu_sched_find(struct nvkm_vgpu_sched_gpu *sg,
					     enum nvkm_vgpu_engine type,
					     u32 index)
{
	u32 i;

	for (i = 0; i < sg->nr; i++)
		if (sg->sched[i].type == type && sg->sched[i].index == index)
			return &sg->sched[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_find);

/**
 * nvkm_vgpu_sched_vgpu_new() - a vGPU's knobs and entities
 * @sg: its GPU's scheduling
 * @name: the vGPU's name for the log and traces (copied)
 * @type_weight: its type's fixed-share weight
 * @type_timeslice_us: its type's default time slice
 *
 * Return: the knobs, all at their defaults, with one entity per runlist,
 * none attached; NULL when out of memory.
 */
struct nvkm_vgpu_sched_vgpu *nvkm_vgpu_sched_vgpu_new(struct nvkm_vgpu_sched_gpu *sg,
						      const char *name,
						      u32 type_weight,
						      u32 type_timeslice_us)
{
	struct nvkm_vgpu_sched_vgpu *owner;
	u32 i;

	owner = kzalloc(struct_size(owner, ent, sg->nr), GFP_KERNEL);
	if (!owner)
		return NULL;
	strscpy(owner->name, name, sizeof(owner->name));
	owner->type_weight = type_weight;
	owner->type_timeslice_us = type_timeslice_us;
	owner->nr = sg->nr;
	for (i = 0; i < sg->nr; i++) {
		owner->ent[i].sched = &sg->sched[i];
		owner->ent[i].owner = owner;
		INIT_LIST_HEAD(&owner->ent[i].node);
	}
	return owner;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_vgpu_new);

/**
 * nvkm_vgpu_sched_vgpu_del() - free a vGPU's knobs and entities
 * @owner: from nvkm_vgpu_sched_vgpu_new(), none attached; NULL is ignored
 */
void nvkm_vgpu_sched_vgpu_del(struct nvkm_vgpu_sched_vgpu *owner)
{
	u32 i;

	if (!owner)
		return;
	for (i = 0; i < owner->nr; i++)
		WARN_ON(owner->ent[i].nr_chans);
	kfree(owner);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_vgpu_del);

/**
 * nvkm_vgpu_sched_vgpu_entity() - a vGPU's entity on a runlist
 * @owner: the vGPU's knobs
 * @type: the engine class
 * @index: the runlist within the class
 *
 * Return: the entity, or NULL when the GPU has no such runlist.
 */
struct nvkm_vgpu_sched_entity *
nvkm_vgpu_sched_vgpu_entity(struct nvkm_vgpu_sched_vgpu *owner,
			    enum nvkm_vgpu_engine type, u32 index)
{
	u32 i;

	for (i = 0; i < owner->nr; i++)
		if (owner->ent[i].sched->type == type &&
		    owner->ent[i].sched->index == index)
			return &owner->ent[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_vgpu_entity);

/**
 * nvkm_vgpu_sched_attach() - a vGPU has one more channel on a runlist
 * @entity: its entity there
 *
 * Its first channel puts it among the runlist's vGPUs, owed nothing yet.
 */
void nvkm_vgpu_sched_attach(struct nvkm_vgpu_sched_entity *entity)
{
	struct nvkm_vgpu_sched *sched = entity->sched;
	u64 now = ktime_get_ns();
	unsigned long flags;

	spin_lock_irqsave(&sched->lock, flags);
	if (!entity->nr_chans++) {
		nvkm_vgpu_sched_accrue(sched, now, READ_ONCE(sched->gpu->policy));
		list_add_tail(&entity->node, &sched->entities);
		WRITE_ONCE(sched->nr_attached, sched->nr_attached + 1);
		entity->credit_ns = 0;
		entity->accrued_ns = 0;
	}
	spin_unlock_irqrestore(&sched->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_attach);

/**
 * nvkm_vgpu_sched_detach() - a vGPU has one channel less on a runlist
 * @entity: its entity there; the channel is destroyed (not queued)
 */
void nvkm_vgpu_sched_detach(struct nvkm_vgpu_sched_entity *entity)
{
	struct nvkm_vgpu_sched *sched = entity->sched;
	unsigned long flags;

	spin_lock_irqsave(&sched->lock, flags);
	if (!WARN_ON(!entity->nr_chans) && !--entity->nr_chans) {
		nvkm_vgpu_sched_accrue(sched, ktime_get_ns(),
				       READ_ONCE(sched->gpu->policy));
		list_del_init(&entity->node);
		WRITE_ONCE(sched->nr_attached, sched->nr_attached - 1);
		WARN_ON(entity->nr_queued);
		entity->wait_start_ns = 0;
		entity->work_left = false;
		if (sched->last == entity)
			sched->last = NULL;
	}
	spin_unlock_irqrestore(&sched->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_detach);

/**
 * nvkm_vgpu_sched_entity_runlist() - the runlist of an entity
 * @entity: a channel's nvkm_vgpu_chan_desc.sched
 *
 * Return: the runlist's scheduler, for nvkm_vgpu_sched_pick().
 */
struct nvkm_vgpu_sched *
nvkm_vgpu_sched_entity_runlist(const struct nvkm_vgpu_sched_entity *entity)
{
	return entity->sched;
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_sched_entity_runlist);

/**
 * nvkm_vgpu_sched_enqueue() - a channel of a vGPU has work on its runlist
 * @entity: the channel's nvkm_vgpu_chan_desc.sched
 * @now: ktime_get_ns()
 *
 * The backend calls it once per channel it queues, and
 * nvkm_vgpu_sched_dequeue() once when it takes the channel off: the vGPU
 * waits to run while any of its channels is queued. Any context.
 */
void nvkm_vgpu_sched_enqueue(struct nvkm_vgpu_sched_entity *entity, u64 now)
{
	struct nvkm_vgpu_sched *sched = entity->sched;
	unsigned long flags;

	spin_lock_irqsave(&sched->lock, flags);
	if (!entity->nr_queued) {
		/* Accrued while idle (capped) before it counts as busy. */
		nvkm_vgpu_sched_accrue(sched, now, READ_ONCE(sched->gpu->policy));
		WRITE_ONCE(sched->nr_runnable, sched->nr_runnable + 1);
		if (!entity->wait_start_ns)
			entity->wait_start_ns = now;
	}
	WRITE_ONCE(entity->nr_queued, entity->nr_queued + 1);
	spin_unlock_irqrestore(&sched->lock, flags);
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_sched_enqueue);

/**
 * nvkm_vgpu_sched_dequeue() - a channel of a vGPU left its runlist
 * @entity: the channel's nvkm_vgpu_chan_desc.sched
 * @now: ktime_get_ns()
 *
 * See nvkm_vgpu_sched_enqueue(). Any context.
 */
void nvkm_vgpu_sched_dequeue(struct nvkm_vgpu_sched_entity *entity, u64 now)
{
	struct nvkm_vgpu_sched *sched = entity->sched;
	unsigned long flags;

	spin_lock_irqsave(&sched->lock, flags);
	if (!WARN_ON(!entity->nr_queued) && entity->nr_queued == 1) {
		nvkm_vgpu_sched_accrue(sched, now, READ_ONCE(sched->gpu->policy));
		WRITE_ONCE(sched->nr_runnable, sched->nr_runnable - 1);
		entity->wait_start_ns = 0;
	}
	if (entity->nr_queued)
		WRITE_ONCE(entity->nr_queued, entity->nr_queued - 1);
	spin_unlock_irqrestore(&sched->lock, flags);
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_sched_dequeue);

static u32 nvkm_vgpu_sched_hist_bucket(u64 wait_ns)
{
	u64 us = div_u64(wait_ns, NSEC_PER_USEC);

	if (!us)
		return 0;
	return min_t(u32, ilog2(us), NVKM_VGPU_SCHED_HIST_BUCKETS - 1);
}

/**
 * nvkm_vgpu_sched_pick() - which vGPU runs next on a runlist
 * @sched: the runlist (nvkm_vgpu_sched_entity_runlist())
 * @now: ktime_get_ns()
 * @slice: filled in: the vGPU and its slice, or no vGPU and how long to
 *	stay idle
 *
 * The backend calls it whenever its engine has no slice: at start, and
 * after each nvkm_vgpu_sched_slice_done(). Any context.
 */
void nvkm_vgpu_sched_pick(struct nvkm_vgpu_sched *sched, u64 now,
			  struct nvkm_vgpu_sched_slice *slice)
{
	struct nvkm_vgpu_sched_gpu *sg = sched->gpu;
	struct nvkm_vgpu_sched_entity *e, *last;
	unsigned long flags;
	u64 idle_ns, quantum;

	memset(slice, 0, sizeof(*slice));
	spin_lock_irqsave(&sched->lock, flags);
	e = nvkm_vgpu_sched_policy_pick(sched, now, READ_ONCE(sg->policy),
					&idle_ns);
	if (!e) {
		slice->idle_ns = idle_ns;
		if (idle_ns)
			nvkm_vgpu_sched_log(sched, NVKM_VGPU_SCHED_EV_IDLE, NULL,
					    now, idle_ns);
		spin_unlock_irqrestore(&sched->lock, flags);
		return;
	}
	last = sched->last;
	if (last && last != e && last->work_left) {
		last->stats.preemptions++;
		trace_nvkm_vgpu_preempt(sched->name, last->owner->name,
					e->owner->name);
		nvkm_vgpu_sched_log(sched, NVKM_VGPU_SCHED_EV_PREEMPT, last,
				    now, 0);
	}
	if (last)
		last->work_left = false;
	if (e->wait_start_ns) {
		e->stats.wait_hist[nvkm_vgpu_sched_hist_bucket(now - e->wait_start_ns)]++;
		e->wait_start_ns = 0;
	}
	e->stats.slices++;
	quantum = nvkm_vgpu_sched_quantum_ns(sg, e->owner);
	slice->entity = e;
	slice->start_ns = now;
	slice->end_ns = now + quantum;
	slice->preempt_timeout_ns = nvkm_vgpu_sched_preempt_timeout_ns(e->owner);
	sched->last = e;
	trace_nvkm_vgpu_slice_start(sched->name, e->owner->name, quantum);
	nvkm_vgpu_sched_log(sched, NVKM_VGPU_SCHED_EV_RUN, e, now, quantum);
	spin_unlock_irqrestore(&sched->lock, flags);
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_sched_pick);

/**
 * nvkm_vgpu_sched_slice_done() - a slice is over
 * @slice: from nvkm_vgpu_sched_pick(), with a vGPU; its vGPU is cleared
 * @now: ktime_get_ns()
 * @busy_ns: engine time the vGPU's channels ran in the slice
 * @work_left: the slice ended by time (or a switch) with work left
 *
 * Charges @busy_ns to the vGPU. Any context.
 */
void nvkm_vgpu_sched_slice_done(struct nvkm_vgpu_sched_slice *slice, u64 now,
				u64 busy_ns, bool work_left)
{
	struct nvkm_vgpu_sched_entity *e = slice->entity;
	struct nvkm_vgpu_sched *sched;
	unsigned long flags;

	if (!e)
		return;
	sched = e->sched;
	spin_lock_irqsave(&sched->lock, flags);
	e->stats.busy_ns += busy_ns;
	e->credit_ns -= busy_ns;
	e->work_left = work_left && e->nr_queued;
	if (e->nr_queued && !e->wait_start_ns)
		e->wait_start_ns = now;
	trace_nvkm_vgpu_slice_end(sched->name, e->owner->name, busy_ns,
				  e->work_left);
	nvkm_vgpu_sched_log(sched, NVKM_VGPU_SCHED_EV_END, e, now, busy_ns);
	spin_unlock_irqrestore(&sched->lock, flags);
	slice->entity = NULL;
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_sched_slice_done);

/**
 * nvkm_vgpu_sched_contended() - must a slice that is over end now?
 * @slice: the running slice
 *
 * Return: true when another vGPU has work on the runlist, or a share
 * policy is in force and another vGPU has channels there (its share must
 * be kept free). A method that cannot stop is then asked to, and stopped
 * after the slice's preemption timeout. Lock-free; any context.
 */
bool nvkm_vgpu_sched_contended(const struct nvkm_vgpu_sched_slice *slice)
{
	const struct nvkm_vgpu_sched_entity *e = slice->entity;
	const struct nvkm_vgpu_sched *sched;
	int policy;

	if (!e)
		return false;
	sched = e->sched;
	if (READ_ONCE(sched->nr_runnable) > (READ_ONCE(e->nr_queued) ? 1U : 0U))
		return true;
	policy = READ_ONCE(sched->gpu->policy);
	return policy != NVKM_VGPU_SCHED_BEST_EFFORT &&
	       READ_ONCE(sched->nr_attached) > 1;
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_sched_contended);

/**
 * nvkm_vgpu_sched_count_reset() - a channel of the vGPU was reset
 * @entity: the channel's entity
 */
void nvkm_vgpu_sched_count_reset(struct nvkm_vgpu_sched_entity *entity)
{
	unsigned long flags;

	spin_lock_irqsave(&entity->sched->lock, flags);
	entity->stats.resets++;
	spin_unlock_irqrestore(&entity->sched->lock, flags);
}

/**
 * nvkm_vgpu_sched_count_timeout() - a channel outran its preemption timeout
 * @entity: the channel's entity
 */
void nvkm_vgpu_sched_count_timeout(struct nvkm_vgpu_sched_entity *entity)
{
	unsigned long flags;

	spin_lock_irqsave(&entity->sched->lock, flags);
	entity->stats.timeouts++;
	spin_unlock_irqrestore(&entity->sched->lock, flags);
}

/**
 * nvkm_vgpu_sched_read() - a vGPU's accounting on one runlist
 * @entity: its entity there
 * @stats: filled with a consistent copy
 * @share_ppm: set to the share it is owed now (nvkm_vgpu_sched_share_ppm())
 */
void nvkm_vgpu_sched_read(struct nvkm_vgpu_sched_entity *entity,
			  struct nvkm_vgpu_sched_stats *stats, u32 *share_ppm)
{
	struct nvkm_vgpu_sched *sched = entity->sched;
	unsigned long flags;

	spin_lock_irqsave(&sched->lock, flags);
	*stats = entity->stats;
	*share_ppm = nvkm_vgpu_sched_share_ppm(sched, entity,
					       READ_ONCE(sched->gpu->policy));
	spin_unlock_irqrestore(&sched->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_read);

/**
 * nvkm_vgpu_sched_hist_percentile_us() - a percentile of wait-to-run
 * @stats: accounting with its histogram
 * @pct: the percentile, 1 to 100
 *
 * Return: the upper bound in microseconds of the bucket the percentile
 * falls in (2^(k+1) for bucket k), 0 when nothing waited yet.
 */
u32 nvkm_vgpu_sched_hist_percentile_us(const struct nvkm_vgpu_sched_stats *stats,
				       u32 pct)
{
	u64 total = 0, seen = 0, want;
	u32 k;

	for (k = 0; k < NVKM_VGPU_SCHED_HIST_BUCKETS; k++)
		total += stats->wait_hist[k];
	if (!total)
		return 0;
	want = div_u64(total * pct + 99, 100);
	for (k = 0; k < NVKM_VGPU_SCHED_HIST_BUCKETS; k++) {
		seen += stats->wait_hist[k];
		if (seen >= want)
			break;
	}
	return 2U << min_t(u32, k, NVKM_VGPU_SCHED_HIST_BUCKETS - 1);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_hist_percentile_us);
