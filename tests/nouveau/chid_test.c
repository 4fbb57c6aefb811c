// SPDX-License-Identifier: GPL-2.0
/*
 * nvkm_chid, nouveau's channel ID allocator (nvkm/engine/fifo/chid.c),
 * with patch 0003's nvkm_chid_reserve() and nvkm_chid_unreserve().
 */
#include <kunit/test.h>

#include <core/event.h>
#include <engine/fifo/chid.h>

#define NR 64

static void chid_test_unref(void *data)
{
	struct nvkm_chid *chid = data;

	nvkm_chid_unref(&chid);
}

static struct nvkm_chid *chid_test_new(struct kunit *test, int first,
				       int count)
{
	struct nvkm_chid *chid = NULL;

	KUNIT_ASSERT_EQ(test, nvkm_chid_new(NULL, NULL, NR, first, count,
					    &chid), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, chid_test_unref,
							chid), 0);
	return chid;
}

static void test_get_never_returns_a_reserved_id(struct kunit *test)
{
	struct nvkm_chid *chid = chid_test_new(test, 0, NR);
	int i;

	KUNIT_ASSERT_EQ(test, nvkm_chid_reserve(chid, NR / 2, NR / 2), 0);
	for (i = 0; i < NR / 2; i++)
		KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), i);
	KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), -1);
}

static void test_reserve_over_a_used_id_fails_and_changes_nothing(struct kunit *test)
{
	struct nvkm_chid *chid = chid_test_new(test, 0, NR);
	spinlock_t data_lock; /* nouveau's channel data lock, for nvkm_chid_put() */
	int id;

	spin_lock_init(&data_lock);
	/* nouveau holds IDs 0-2; 2 is inside the asked range. */
	KUNIT_ASSERT_EQ(test, nvkm_chid_get(chid, chid), 0);
	KUNIT_ASSERT_EQ(test, nvkm_chid_get(chid, chid), 1);
	KUNIT_ASSERT_EQ(test, nvkm_chid_get(chid, chid), 2);
	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, 2, 8), -EBUSY);
	/* All or nothing: 3-9 are still free. */
	KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), 3);
	/* Once 2 and 3 are back, the range can be reserved. */
	nvkm_chid_put(chid, 2, &data_lock);
	nvkm_chid_put(chid, 3, &data_lock);
	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, 2, 8), 0);
	id = nvkm_chid_get(chid, chid);
	KUNIT_EXPECT_EQ(test, id, 10);
}

static void test_reserve_outside_the_allocator_is_invalid(struct kunit *test)
{
	struct nvkm_chid *chid = chid_test_new(test, 0, NR);

	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, -1, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, NR - 1, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, 1, INT_MAX), -EINVAL);
	/* The last ID alone is fine, and nothing else was taken. */
	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, NR - 1, 1), 0);
	KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), 0);
}

static void test_unreserve_gives_exactly_the_range_back(struct kunit *test)
{
	struct nvkm_chid *chid = chid_test_new(test, 0, NR);
	int i;

	KUNIT_ASSERT_EQ(test, nvkm_chid_reserve(chid, 0, NR), 0);
	KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), -1);
	/* Back: 16-31 only (the RFC's loops freed [first, count)). */
	nvkm_chid_unreserve(chid, 16, 16);
	for (i = 16; i < 32; i++)
		KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), i);
	KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), -1);
}

static void test_ids_outside_the_allocators_window_are_busy(struct kunit *test)
{
	/* nvkm_chid_new(first 8, count 16): 0-7 and 24-63 are never given. */
	struct nvkm_chid *chid = chid_test_new(test, 8, 16);

	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, 20, 8), -EBUSY);
	KUNIT_EXPECT_EQ(test, nvkm_chid_reserve(chid, 16, 8), 0);
	KUNIT_EXPECT_EQ(test, nvkm_chid_get(chid, chid), 8);
}

static struct kunit_case nvkm_chid_test_cases[] = {
	KUNIT_CASE(test_get_never_returns_a_reserved_id),
	KUNIT_CASE(test_reserve_over_a_used_id_fails_and_changes_nothing),
	KUNIT_CASE(test_reserve_outside_the_allocator_is_invalid),
	KUNIT_CASE(test_unreserve_gives_exactly_the_range_back),
	KUNIT_CASE(test_ids_outside_the_allocators_window_are_busy),
	{}
};

static struct kunit_suite nvkm_chid_test_suite = {
	.name = "nvkm_vgpu_nouveau_chid",
	.test_cases = nvkm_chid_test_cases,
};

kunit_test_suite(nvkm_chid_test_suite);
