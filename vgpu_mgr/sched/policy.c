// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling policy: which vGPU runs next on a runlist, and for how long.
 * Pure arithmetic over one runlist's entities; the caller holds the
 * runlist's lock (sched.c), or owns the structures outright (KUnit).
 *
 * best_effort  work conserving round robin: the first entity with work
 *              after the last one picked, for its quantum.
 * equal_share  every vGPU with channels on the runlist is owed 1/N of the
 *              engine's wall-clock time, busy or not.
 * fixed_share  every such vGPU is owed weight / (sum of their weights).
 *
 * The share policies keep a credit per entity: it accrues at the entity's
 * share of the wall clock and is spent by the engine time the entity's
 * slices used. Among the entities with work, the one owed most for its
 * weight (credit / weight) runs, if it is owed anything (credit >= 0), so
 * engine time nobody was charged for (switch costs) is missed by each in
 * proportion to its share; when none is owed anything, the engine idles
 * until the first is: an idle vGPU's share is not given to others. An
 * entity with no work keeps at most one quantum of credit, so time it did
 * not use is lost, not saved up. A slice overrun (a method that cannot
 * stop) is charged in full and paid back by later slices, so shares hold
 * over many slices whatever the quantum.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/time64.h>
#include <kunit/visibility.h>

#include "../parent_types.h"
#include "policy.h"

/**
 * nvkm_vgpu_sched_weight() - a vGPU's fixed-share weight now
 * @owner: the vGPU's knobs
 *
 * Return: the weight written in sysfs, else its type's, at least 1.
 */
u32 nvkm_vgpu_sched_weight(const struct nvkm_vgpu_sched_vgpu *owner)
{
	u32 w = READ_ONCE(owner->weight);

	return max(w ? w : owner->type_weight, 1U);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_weight);

/**
 * nvkm_vgpu_sched_quantum_ns() - the length of a vGPU's slices now
 * @sg: the GPU's scheduling
 * @owner: the vGPU's knobs
 *
 * Return: the vGPU's execution quantum if set, else the GPU's time slice
 * if set, else the type's default, in ns.
 */
u64 nvkm_vgpu_sched_quantum_ns(const struct nvkm_vgpu_sched_gpu *sg,
			       const struct nvkm_vgpu_sched_vgpu *owner)
{
	u32 us = READ_ONCE(owner->exec_quantum_us);

	if (!us)
		us = READ_ONCE(sg->timeslice_us);
	if (!us)
		us = owner->type_timeslice_us;
	return (u64)max(us, 1U) * NSEC_PER_USEC;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_quantum_ns);

/**
 * nvkm_vgpu_sched_preempt_timeout_ns() - a vGPU's preemption timeout now
 * @owner: the vGPU's knobs
 *
 * Return: the timeout written in sysfs, else the default, in ns.
 */
u64 nvkm_vgpu_sched_preempt_timeout_ns(const struct nvkm_vgpu_sched_vgpu *owner)
{
	u32 us = READ_ONCE(owner->preempt_timeout_us);

	return (u64)(us ? us : NVKM_VGPU_SCHED_PREEMPT_TIMEOUT_US) *
	       NSEC_PER_USEC;
}

static bool nvkm_vgpu_sched_is_share(int policy)
{
	return policy == NVKM_VGPU_SCHED_EQUAL_SHARE ||
	       policy == NVKM_VGPU_SCHED_FIXED_SHARE;
}

/* The entity's weight under @policy, and the runlist's total of them. */
static u32 nvkm_vgpu_sched_policy_weight(const struct nvkm_vgpu_sched_entity *e,
					 int policy)
{
	return policy == NVKM_VGPU_SCHED_FIXED_SHARE ?
	       nvkm_vgpu_sched_weight(e->owner) : 1;
}

static u64 nvkm_vgpu_sched_total_weight(const struct nvkm_vgpu_sched *sched,
					int policy)
{
	const struct nvkm_vgpu_sched_entity *e;
	u64 total = 0;

	list_for_each_entry(e, &sched->entities, node)
		total += nvkm_vgpu_sched_policy_weight(e, policy);
	return total;
}

/**
 * nvkm_vgpu_sched_share_ppm() - the share of the engine a vGPU is owed
 * @sched: the runlist
 * @entity: the vGPU's entity on it
 * @policy: the policy in force
 *
 * Return: parts per million of the engine's time: weight over the total
 * weight of the vGPUs with channels on the runlist under fixed_share, one
 * over their number under equal_share; 0 under best_effort (no share is
 * promised) and for a vGPU with no channel there.
 */
u32 nvkm_vgpu_sched_share_ppm(const struct nvkm_vgpu_sched *sched,
			      const struct nvkm_vgpu_sched_entity *entity,
			      int policy)
{
	u64 total;

	if (!nvkm_vgpu_sched_is_share(policy) || !entity->nr_chans)
		return 0;
	total = nvkm_vgpu_sched_total_weight(sched, policy);
	if (!total)
		return 0;
	return div64_u64((u64)nvkm_vgpu_sched_policy_weight(entity, policy) *
			 1000000, total);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_share_ppm);

/**
 * nvkm_vgpu_sched_accrue() - credit every entity for the time gone by
 * @sched: the runlist
 * @now: the time (ktime_get_ns())
 * @policy: the policy in force; best_effort keeps no credit
 *
 * Called before the set of entities or their work changes, and at every
 * decision: each entity gains its share of the time since it last
 * accrued; one with no work keeps at most a quantum.
 */
void nvkm_vgpu_sched_accrue(struct nvkm_vgpu_sched *sched, u64 now,
			    int policy)
{
	struct nvkm_vgpu_sched_entity *e;
	u64 total;

	if (!nvkm_vgpu_sched_is_share(policy))
		return;
	total = nvkm_vgpu_sched_total_weight(sched, policy);
	list_for_each_entry(e, &sched->entities, node) {
		/* 0: credit starts now (a new entity, a policy switch). */
		u64 gone = e->accrued_ns && now > e->accrued_ns ?
			   now - e->accrued_ns : 0;
		s64 cap;

		e->accrued_ns = now;
		if (!total)
			continue;
		e->credit_ns += div64_u64(gone *
					  nvkm_vgpu_sched_policy_weight(e, policy),
					  total);
		if (!e->nr_queued) {
			cap = nvkm_vgpu_sched_quantum_ns(sched->gpu, e->owner);
			e->credit_ns = min(e->credit_ns, cap);
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_accrue);

/**
 * nvkm_vgpu_sched_policy_reset() - forget every entity's credit
 * @sched: the runlist
 *
 * For a policy switch: the new policy starts from even, its credits
 * accruing from the runlist's next decision on.
 */
void nvkm_vgpu_sched_policy_reset(struct nvkm_vgpu_sched *sched)
{
	struct nvkm_vgpu_sched_entity *e;

	list_for_each_entry(e, &sched->entities, node) {
		e->credit_ns = 0;
		e->accrued_ns = 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_policy_reset);

/* @a is owed more than @b for its weight: a.credit / a.w > b.credit / b.w. */
static bool nvkm_vgpu_sched_owed_more(const struct nvkm_vgpu_sched_entity *a,
				      const struct nvkm_vgpu_sched_entity *b,
				      int policy)
{
	return a->credit_ns * nvkm_vgpu_sched_policy_weight(b, policy) >
	       b->credit_ns * nvkm_vgpu_sched_policy_weight(a, policy);
}

/**
 * nvkm_vgpu_sched_policy_pick() - the entity whose slice comes next
 * @sched: the runlist
 * @now: the time
 * @policy: the policy in force
 * @idle_ns: set when nothing may run but some entity has work: how long
 *	until the first such is owed time again; 0 otherwise
 *
 * Return: the entity, moved to the tail of the round-robin order, or NULL.
 */
struct nvkm_vgpu_sched_entity *
nvkm_vgpu_sched_policy_pick(struct nvkm_vgpu_sched *sched, u64 now,
			    int policy, u64 *idle_ns)
{
	struct nvkm_vgpu_sched_entity *e, *best = NULL;
	u64 total, wait = U64_MAX;

	*idle_ns = 0;
	if (!nvkm_vgpu_sched_is_share(policy)) {
		list_for_each_entry(e, &sched->entities, node) {
			if (e->nr_queued) {
				best = e;
				break;
			}
		}
	} else {
		nvkm_vgpu_sched_accrue(sched, now, policy);
		total = nvkm_vgpu_sched_total_weight(sched, policy);
		list_for_each_entry(e, &sched->entities, node) {
			u64 w;

			if (!e->nr_queued)
				continue;
			if (e->credit_ns >= 0) {
				if (!best || nvkm_vgpu_sched_owed_more(e, best, policy))
					best = e;
				continue;
			}
			/* Owed time again once -credit has accrued. */
			w = nvkm_vgpu_sched_policy_weight(e, policy);
			wait = min(wait, div64_u64((u64)-e->credit_ns * total +
						   w - 1, w));
		}
		if (!best && wait != U64_MAX)
			*idle_ns = max(wait, 1ULL);
	}
	if (best)
		list_move_tail(&best->node, &sched->entities);
	return best;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sched_policy_pick);
