// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the scheduler's policies (vgpu_mgr/sched/): the shares
 * they deliver over many slices, weights, a policy switch, idle vGPUs, and
 * the knobs that set a slice's length. Time is simulated: each test drives
 * the scheduler the way a backend's engine does (pick, run the slice,
 * slice_done) on a clock of its own, so thousands of slices take no time.
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/time64.h>

#include "../../vgpu_mgr/parent_types.h"
#include "../../vgpu_mgr/sched/policy.h"
#include "../../vgpu_mgr/sched/sched.h"

#define MAX_VGPUS	8
#define QUANTUM_US	2000

/**
 * struct sched_fixture - a GPU's schedulers and vGPUs on its GR runlist
 * @sg: the GPU's scheduling (1 GR, 1 CE)
 * @sched: the GR runlist's scheduler
 * @owner: the vGPUs
 * @e: their entities on @sched
 * @busy: whether each vGPU has work (one queued channel) now
 * @ran_ns: engine time each vGPU ran while the test counted
 * @idle_ns: engine time nothing ran while the test counted
 * @now: the simulated clock
 * @lost_permille: of each slice, what the engine loses to switching, in
 *	1/1000: the slice takes its whole length, its vGPU is charged the rest
 * @n: vGPUs
 */
struct sched_fixture {
	struct nvkm_vgpu_sched_gpu *sg;
	struct nvkm_vgpu_sched *sched;
	struct nvkm_vgpu_sched_vgpu *owner[MAX_VGPUS];
	struct nvkm_vgpu_sched_entity *e[MAX_VGPUS];
	bool busy[MAX_VGPUS];
	u64 ran_ns[MAX_VGPUS];
	u64 idle_ns;
	u64 now;
	u32 lost_permille;
	unsigned int n;
};

static void fixture_exit(struct kunit *test)
{
	struct sched_fixture *f = test->priv;
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		if (f->busy[i])
			nvkm_vgpu_sched_dequeue(f->e[i], f->now);
		nvkm_vgpu_sched_detach(f->e[i]);
		nvkm_vgpu_sched_vgpu_del(f->owner[i]);
	}
	nvkm_vgpu_sched_gpu_del(f->sg);
}

/* A GPU with @n vGPUs of the given type weights, all with a channel on GR. */
static struct sched_fixture *fixture_new(struct kunit *test, unsigned int n,
					 const u32 *weights, int policy)
{
	struct nvkm_vgpu_geometry geo = {
		.engines = { [NVKM_VGPU_ENGINE_GR] = 1, [NVKM_VGPU_ENGINE_CE] = 1 },
	};
	struct sched_fixture *f;
	unsigned int i;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->sg = nvkm_vgpu_sched_gpu_new(&geo);
	KUNIT_ASSERT_NOT_NULL(test, f->sg);
	KUNIT_ASSERT_EQ(test, f->sg->nr, 2U);
	test->priv = f;
	f->sched = nvkm_vgpu_sched_find(f->sg, NVKM_VGPU_ENGINE_GR, 0);
	KUNIT_ASSERT_NOT_NULL(test, f->sched);
	KUNIT_ASSERT_STREQ(test, f->sched->name, "gr0");
	nvkm_vgpu_sched_gpu_set_policy(f->sg, policy);
	f->now = ktime_get_ns();
	for (i = 0; i < n; i++) {
		f->owner[i] = nvkm_vgpu_sched_vgpu_new(f->sg, "v", weights[i],
						       QUANTUM_US);
		KUNIT_ASSERT_NOT_NULL(test, f->owner[i]);
		f->e[i] = nvkm_vgpu_sched_vgpu_entity(f->owner[i],
						      NVKM_VGPU_ENGINE_GR, 0);
		KUNIT_ASSERT_NOT_NULL(test, f->e[i]);
		nvkm_vgpu_sched_attach(f->e[i]);
		f->n++;
	}
	return f;
}

static void set_busy(struct sched_fixture *f, unsigned int i, bool busy)
{
	if (f->busy[i] == busy)
		return;
	f->busy[i] = busy;
	if (busy)
		nvkm_vgpu_sched_enqueue(f->e[i], f->now);
	else
		nvkm_vgpu_sched_dequeue(f->e[i], f->now);
}

static int index_of(struct sched_fixture *f, struct nvkm_vgpu_sched_entity *e)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (f->e[i] == e)
			return i;
	return -1;
}

/* Runs the engine for @ns of simulated time: every slice used in full. */
static void run_for(struct kunit *test, struct sched_fixture *f, u64 ns)
{
	u64 end = f->now + ns;

	memset(f->ran_ns, 0, sizeof(f->ran_ns));
	f->idle_ns = 0;
	while (f->now < end) {
		struct nvkm_vgpu_sched_slice slice;
		u64 len, busy;
		int i;

		nvkm_vgpu_sched_pick(f->sched, f->now, &slice);
		if (!slice.entity) {
			/* Nothing runnable at all: the engine waits for work. */
			KUNIT_ASSERT_NE(test, slice.idle_ns, 0ULL);
			len = min(slice.idle_ns, end - f->now);
			f->idle_ns += len;
			f->now += len;
			continue;
		}
		i = index_of(f, slice.entity);
		KUNIT_ASSERT_GE(test, i, 0);
		KUNIT_ASSERT_TRUE(test, f->busy[i]);
		KUNIT_ASSERT_EQ(test, slice.start_ns, f->now);
		len = slice.end_ns - slice.start_ns;
		busy = len - div_u64(len * f->lost_permille, 1000);
		f->ran_ns[i] += busy;
		f->now += len;
		nvkm_vgpu_sched_slice_done(&slice, f->now, busy, true);
		KUNIT_ASSERT_NULL(test, slice.entity);
	}
}

/* @part of @whole in tenths of a percent. */
static u64 permille(u64 part, u64 whole)
{
	return div64_u64(part * 1000 + whole / 2, whole);
}

static void expect_shares(struct kunit *test, struct sched_fixture *f,
			  const u32 *want_permille, u32 tolerance)
{
	u64 total = f->idle_ns;
	unsigned int i;

	for (i = 0; i < f->n; i++)
		total += f->ran_ns[i];
	for (i = 0; i < f->n; i++) {
		s64 got = permille(f->ran_ns[i], total);
		s64 off = got - want_permille[i];

		KUNIT_EXPECT_LE_MSG(test, abs(off), (s64)tolerance,
				    "vGPU %u: %lld permille, want %u", i, got,
				    want_permille[i]);
	}
}

static void test_fixed_share_one_to_nine(struct kunit *test)
{
	static const u32 w[] = { 1, 9 }, want[] = { 100, 900 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_FIXED_SHARE);

	set_busy(f, 0, true);
	set_busy(f, 1, true);
	run_for(test, f, 10 * NSEC_PER_SEC);
	expect_shares(test, f, want, 2);
	KUNIT_EXPECT_EQ(test, f->idle_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_share_ppm(f->sched, f->e[0],
							NVKM_VGPU_SCHED_FIXED_SHARE),
			100000U);
}

static void test_fixed_share_weights_one_two_three_four(struct kunit *test)
{
	static const u32 w[] = { 1, 2, 3, 4 }, want[] = { 100, 200, 300, 400 };
	struct sched_fixture *f = fixture_new(test, 4, w,
					      NVKM_VGPU_SCHED_FIXED_SHARE);
	unsigned int i;

	for (i = 0; i < 4; i++)
		set_busy(f, i, true);
	run_for(test, f, 10 * NSEC_PER_SEC);
	expect_shares(test, f, want, 2);
}

static void test_lost_time_is_missed_in_proportion(struct kunit *test)
{
	static const u32 w[] = { 1, 9 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_FIXED_SHARE);
	u64 busy;

	/* A tenth of every slice lost to switching, charged to nobody. */
	f->lost_permille = 100;
	set_busy(f, 0, true);
	set_busy(f, 1, true);
	run_for(test, f, 10 * NSEC_PER_SEC);
	busy = f->ran_ns[0] + f->ran_ns[1];
	/* Each keeps its share of what ran: 1:9, not 1:9 less the same. */
	KUNIT_EXPECT_LE(test, abs((s64)permille(f->ran_ns[0], busy) - 100), 2LL);
	KUNIT_EXPECT_LE(test, abs((s64)permille(f->ran_ns[1], busy) - 900), 2LL);
}

static void test_sysfs_weight_overrides_the_type(struct kunit *test)
{
	static const u32 w[] = { 5, 5 }, want[] = { 250, 750 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_FIXED_SHARE);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_weight(f->owner[0]), 5U);
	WRITE_ONCE(f->owner[1]->weight, 15);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_weight(f->owner[1]), 15U);
	set_busy(f, 0, true);
	set_busy(f, 1, true);
	run_for(test, f, 5 * NSEC_PER_SEC);
	expect_shares(test, f, want, 2);
	/* 0 gives the type's back. */
	WRITE_ONCE(f->owner[1]->weight, 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_weight(f->owner[1]), 5U);
}

static void test_equal_share_leaves_an_idle_share_unused(struct kunit *test)
{
	static const u32 w[] = { 1, 4, 9 }, want[] = { 333, 333, 0 };
	s64 idle;
	struct sched_fixture *f = fixture_new(test, 3, w,
					      NVKM_VGPU_SCHED_EQUAL_SHARE);

	set_busy(f, 0, true);
	set_busy(f, 1, true);
	run_for(test, f, 10 * NSEC_PER_SEC);
	expect_shares(test, f, want, 3);
	/* The idle vGPU's third is left idle, not given away. */
	idle = permille(f->idle_ns, 10 * NSEC_PER_SEC);
	KUNIT_EXPECT_LE(test, abs(idle - 333), 3LL);
}

static void test_best_effort_gives_an_idle_share_away(struct kunit *test)
{
	static const u32 w[] = { 1, 9, 1 }, want[] = { 500, 500, 0 };
	struct sched_fixture *f = fixture_new(test, 3, w,
					      NVKM_VGPU_SCHED_BEST_EFFORT);

	set_busy(f, 0, true);
	set_busy(f, 1, true);
	run_for(test, f, 2 * NSEC_PER_SEC);
	expect_shares(test, f, want, 2);
	KUNIT_EXPECT_EQ(test, f->idle_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_share_ppm(f->sched, f->e[0],
							NVKM_VGPU_SCHED_BEST_EFFORT),
			0U);
}

static void test_policy_switch_takes_effect(struct kunit *test)
{
	static const u32 w[] = { 1, 9 };
	static const u32 fixed[] = { 100, 900 }, equal[] = { 500, 500 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_FIXED_SHARE);

	set_busy(f, 0, true);
	set_busy(f, 1, true);
	run_for(test, f, 4 * NSEC_PER_SEC);
	expect_shares(test, f, fixed, 2);
	nvkm_vgpu_sched_gpu_set_policy(f->sg, NVKM_VGPU_SCHED_EQUAL_SHARE);
	run_for(test, f, 4 * NSEC_PER_SEC);
	expect_shares(test, f, equal, 2);
	nvkm_vgpu_sched_gpu_set_policy(f->sg, NVKM_VGPU_SCHED_FIXED_SHARE);
	run_for(test, f, 4 * NSEC_PER_SEC);
	expect_shares(test, f, fixed, 2);
}

static void test_idle_time_is_not_saved_up(struct kunit *test)
{
	static const u32 w[] = { 1, 1 }, half[] = { 500, 500 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_FIXED_SHARE);
	static const u32 alone[] = { 500, 0 };

	set_busy(f, 0, true);
	run_for(test, f, 2 * NSEC_PER_SEC);
	/* Its half, and not the idle vGPU's half. */
	expect_shares(test, f, alone, 2);
	/* The idle one wakes: from its first slice on, halves. */
	set_busy(f, 1, true);
	run_for(test, f, 100 * NSEC_PER_MSEC);
	expect_shares(test, f, half, 20);
	KUNIT_EXPECT_EQ(test, f->idle_ns, 0ULL);
}

static void test_idle_runlist_waits_for_work(struct kunit *test)
{
	static const u32 w[] = { 1, 1 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_EQUAL_SHARE);
	struct nvkm_vgpu_sched_slice slice;

	/* Nothing queued: no slice, and no timed idle either. */
	nvkm_vgpu_sched_pick(f->sched, f->now, &slice);
	KUNIT_EXPECT_NULL(test, slice.entity);
	KUNIT_EXPECT_EQ(test, slice.idle_ns, 0ULL);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_sched_contended(&slice));
}

static void test_quantum_knobs(struct kunit *test)
{
	static const u32 w[] = { 1, 1 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_BEST_EFFORT);
	struct nvkm_vgpu_sched_slice slice;

	set_busy(f, 0, true);
	/* The type's default, */
	nvkm_vgpu_sched_pick(f->sched, f->now, &slice);
	KUNIT_EXPECT_PTR_EQ(test, slice.entity, f->e[0]);
	KUNIT_EXPECT_EQ(test, slice.end_ns - slice.start_ns,
			(u64)QUANTUM_US * NSEC_PER_USEC);
	KUNIT_EXPECT_EQ(test, slice.preempt_timeout_ns,
			(u64)NVKM_VGPU_SCHED_PREEMPT_TIMEOUT_US * NSEC_PER_USEC);
	/* alone with work and best effort: not contended, */
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_sched_contended(&slice));
	nvkm_vgpu_sched_slice_done(&slice, f->now, 0, false);
	/* the GPU's time slice over it, the vGPU's quantum over both. */
	nvkm_vgpu_sched_gpu_set_timeslice(f->sg, 7000);
	nvkm_vgpu_sched_pick(f->sched, f->now, &slice);
	KUNIT_EXPECT_EQ(test, slice.end_ns - slice.start_ns, 7 * NSEC_PER_MSEC);
	nvkm_vgpu_sched_slice_done(&slice, f->now, 0, false);
	WRITE_ONCE(f->owner[0]->exec_quantum_us, 11000);
	WRITE_ONCE(f->owner[0]->preempt_timeout_us, 5000);
	nvkm_vgpu_sched_pick(f->sched, f->now, &slice);
	KUNIT_EXPECT_EQ(test, slice.end_ns - slice.start_ns, 11 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, slice.preempt_timeout_ns, 5 * NSEC_PER_MSEC);
	/* Another vGPU with work makes the runlist contended. */
	set_busy(f, 1, true);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_sched_contended(&slice));
	nvkm_vgpu_sched_slice_done(&slice, f->now, 0, false);
}

static void test_preemptions_and_waits_are_counted(struct kunit *test)
{
	static const u32 w[] = { 1, 1 };
	struct sched_fixture *f = fixture_new(test, 2, w,
					      NVKM_VGPU_SCHED_BEST_EFFORT);
	struct nvkm_vgpu_sched_stats st;
	u32 share;

	set_busy(f, 0, true);
	set_busy(f, 1, true);
	run_for(test, f, 100 * QUANTUM_US * NSEC_PER_USEC);
	nvkm_vgpu_sched_read(f->e[0], &st, &share);
	/* Alternating slices: each vGPU half of them, each one preempted. */
	KUNIT_EXPECT_EQ(test, st.slices, 50ULL);
	KUNIT_EXPECT_EQ(test, st.busy_ns, 50ULL * QUANTUM_US * NSEC_PER_USEC);
	KUNIT_EXPECT_GE(test, st.preemptions, 49ULL);
	/* Each wait one quantum: bucket [1024, 2048) us. */
	KUNIT_EXPECT_GE(test, st.wait_hist[10], 49ULL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_hist_percentile_us(&st, 99),
			2048U);
}

static void test_histogram_percentiles(struct kunit *test)
{
	struct nvkm_vgpu_sched_stats st = {};

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_hist_percentile_us(&st, 50), 0U);
	st.wait_hist[0] = 90;
	st.wait_hist[5] = 9;
	st.wait_hist[NVKM_VGPU_SCHED_HIST_BUCKETS - 1] = 1;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_hist_percentile_us(&st, 50), 2U);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_hist_percentile_us(&st, 90), 2U);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_hist_percentile_us(&st, 99), 64U);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sched_hist_percentile_us(&st, 100),
			2U << (NVKM_VGPU_SCHED_HIST_BUCKETS - 1));
}

static struct kunit_case nvkm_vgpu_sched_cases[] = {
	KUNIT_CASE(test_fixed_share_one_to_nine),
	KUNIT_CASE(test_fixed_share_weights_one_two_three_four),
	KUNIT_CASE(test_lost_time_is_missed_in_proportion),
	KUNIT_CASE(test_sysfs_weight_overrides_the_type),
	KUNIT_CASE(test_equal_share_leaves_an_idle_share_unused),
	KUNIT_CASE(test_best_effort_gives_an_idle_share_away),
	KUNIT_CASE(test_policy_switch_takes_effect),
	KUNIT_CASE(test_idle_time_is_not_saved_up),
	KUNIT_CASE(test_idle_runlist_waits_for_work),
	KUNIT_CASE(test_quantum_knobs),
	KUNIT_CASE(test_preemptions_and_waits_are_counted),
	KUNIT_CASE(test_histogram_percentiles),
	{}
};

static struct kunit_suite nvkm_vgpu_sched_suite = {
	.name = "nvkm_vgpu_sched",
	.exit = fixture_exit,
	.test_cases = nvkm_vgpu_sched_cases,
};

kunit_test_suite(nvkm_vgpu_sched_suite);
