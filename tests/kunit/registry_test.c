// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the GPU registry.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>

#include "../../vgpu_mgr/alloc.h"
#include "../../vgpu_mgr/registry.h"
#include "fixtures.h"

static void test_register_then_get_returns_same_gpu(struct kunit *test)
{
	struct nvkm_vgpu_gpu *gpu = nvkm_vgpu_test_gpu(test, &nvkm_vgpu_board_tiny);
	/* The registry's reference and the mdev parent's. */
	unsigned int refs = kref_read(&gpu->kref);
	struct nvkm_vgpu_gpu *found = nvkm_vgpu_gpu_get(gpu->id);

	KUNIT_EXPECT_EQ(test, refs, 2);
	KUNIT_EXPECT_PTR_EQ(test, found, gpu);
	KUNIT_EXPECT_EQ(test, kref_read(&gpu->kref), refs + 1);
	nvkm_vgpu_gpu_put(found);
	KUNIT_EXPECT_EQ(test, kref_read(&gpu->kref), refs);
}

static void test_get_unknown_id_is_null(struct kunit *test)
{
	struct nvkm_vgpu_gpu *gpu = nvkm_vgpu_test_gpu(test, &nvkm_vgpu_board_tiny);

	KUNIT_EXPECT_NULL(test, nvkm_vgpu_gpu_get(gpu->id + 1000));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_gpu_get(U32_MAX));
}

static void test_two_gpus_get_distinct_ids_and_names(struct kunit *test)
{
	u32 before = nvkm_vgpu_registry_count();
	struct nvkm_vgpu_gpu *a = nvkm_vgpu_test_gpu(test, &nvkm_vgpu_board_tiny);
	struct nvkm_vgpu_gpu *b = nvkm_vgpu_test_gpu(test, &nvkm_vgpu_board_h100_80gb);

	KUNIT_EXPECT_NE(test, a->id, b->id);
	KUNIT_EXPECT_STRNEQ(test, a->name, b->name);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_registry_count(), before + 2);
	KUNIT_EXPECT_STREQ(test, b->catalogue->types[0].name, "h100-1c");
}

static void test_unregister_hides_gpu_from_lookup(struct kunit *test)
{
	struct device *dev = nvkm_vgpu_test_dev(test);
	u32 before = nvkm_vgpu_registry_count();
	struct nvkm_vgpu_gpu *gpu;
	u32 id;

	gpu = nvkm_vgpu_gpu_register(dev, &nvkm_vgpu_test_ops,
				     &nvkm_vgpu_board_tiny, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, gpu);
	id = gpu->id;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_registry_count(), before + 1);
	nvkm_vgpu_gpu_unregister(gpu);
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_gpu_get(id));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_gpu_find(dev));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_registry_count(), before);
}

static void test_reference_outlives_unregister(struct kunit *test)
{
	struct device *dev = nvkm_vgpu_test_dev(test);
	struct nvkm_vgpu_gpu *gpu, *held;
	unsigned int i;

	gpu = nvkm_vgpu_gpu_register(dev, &nvkm_vgpu_test_ops,
				     &nvkm_vgpu_board_a16_16gb, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, gpu);
	held = nvkm_vgpu_gpu_get(gpu->id);
	KUNIT_ASSERT_PTR_EQ(test, held, gpu);
	nvkm_vgpu_gpu_unregister(gpu);

	/* Still readable: KASAN would flag a use after free here. */
	KUNIT_EXPECT_STREQ(test, held->board, "a16");
	KUNIT_EXPECT_STREQ(test, held->catalogue->types[0].name, "a16-1c");
	/*
	 * The mdev parent's device holds the other reference until its
	 * release, which CONFIG_DEBUG_KOBJECT_RELEASE delays by up to 4 s.
	 */
	for (i = 0; i < 200 && kref_read(&held->kref) > 1; i++)
		msleep(50);
	KUNIT_EXPECT_EQ(test, kref_read(&held->kref), 1);
	nvkm_vgpu_gpu_put(held);
}

static void test_unregistered_gpu_gives_no_slice(struct kunit *test)
{
	struct device *dev = nvkm_vgpu_test_dev(test);
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_gpu *gpu, *held;

	gpu = nvkm_vgpu_gpu_register(dev, &nvkm_vgpu_test_ops,
				     &nvkm_vgpu_board_tiny, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, gpu);
	held = nvkm_vgpu_gpu_get(gpu->id);
	type = &held->catalogue->types[0];
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(&held->alloc, type),
			type->max_instances);
	nvkm_vgpu_gpu_unregister(gpu);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(&held->alloc, type), 0);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_slice_new(&held->alloc, type,
						    NVKM_VGPU_PLACEMENT_ANY)),
			-ENODEV);
	nvkm_vgpu_gpu_put(held);
}

static void test_find_by_device(struct kunit *test)
{
	struct nvkm_vgpu_gpu *gpu = nvkm_vgpu_test_gpu(test, &nvkm_vgpu_board_tiny);
	struct nvkm_vgpu_gpu *found = nvkm_vgpu_gpu_find(gpu->dev);

	KUNIT_EXPECT_PTR_EQ(test, found, gpu);
	nvkm_vgpu_gpu_put(found);
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_gpu_find(nvkm_vgpu_test_dev(test)));
}

static void test_same_device_twice_is_eexist(struct kunit *test)
{
	struct nvkm_vgpu_gpu *gpu = nvkm_vgpu_test_gpu(test, &nvkm_vgpu_board_tiny);
	u32 before = nvkm_vgpu_registry_count();
	struct nvkm_vgpu_gpu *again;

	again = nvkm_vgpu_gpu_register(gpu->dev, &nvkm_vgpu_test_ops,
				       &nvkm_vgpu_board_tiny, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(again), -EEXIST);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_registry_count(), before);
}

static void test_missing_arguments_are_einval(struct kunit *test)
{
	struct device *dev = nvkm_vgpu_test_dev(test);
	struct nvkm_vgpu_backend_ops nameless = nvkm_vgpu_test_ops;
	struct nvkm_vgpu_backend_ops no_scrub = nvkm_vgpu_test_ops;
	struct nvkm_vgpu_backend_ops no_kick = nvkm_vgpu_test_ops;
	struct nvkm_vgpu_backend_ops older = nvkm_vgpu_test_ops;

	nameless.name = NULL;
	no_scrub.fb_scrub = NULL;
	no_kick.chan_kick = NULL;
	older.version = NVKM_VGPU_BACKEND_VERSION - 1;

	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(NULL, &nvkm_vgpu_test_ops,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(dev, NULL,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(dev, &nameless,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(dev, &no_scrub,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(dev, &no_kick,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(dev, &older,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(dev, &nvkm_vgpu_test_ops,
						       NULL, NULL)),
			-EINVAL);
}

static int test_fb_rw(void *priv, u64 offset, void *buf, size_t len,
		      bool write)
{
	return -EINVAL;
}

static void test_exactly_one_of_fb_page_and_fb_rw_is_taken(struct kunit *test)
{
	struct nvkm_vgpu_backend_ops both = nvkm_vgpu_test_ops;
	struct nvkm_vgpu_backend_ops neither = nvkm_vgpu_test_ops;
	u32 before = nvkm_vgpu_registry_count();
	struct nvkm_vgpu_backend_ops *rw_only;
	struct nvkm_vgpu_gpu *gpu;

	both.fb_rw = test_fb_rw;
	neither.fb_page = NULL;
	/* Outlives the test's body: the GPU is unregistered after it. */
	rw_only = kunit_kmalloc(test, sizeof(*rw_only), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rw_only);
	*rw_only = nvkm_vgpu_test_ops;
	rw_only->fb_page = NULL;
	rw_only->fb_rw = test_fb_rw;

	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(nvkm_vgpu_test_dev(test),
						       &both,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(nvkm_vgpu_test_dev(test),
						       &neither,
						       &nvkm_vgpu_board_tiny, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_registry_count(), before);

	/* fb_page alone is every other fixture's GPU; fb_rw alone too. */
	gpu = nvkm_vgpu_test_gpu_ops(test, &nvkm_vgpu_board_tiny, rw_only, NULL);
	KUNIT_EXPECT_PTR_EQ(test, gpu->ops,
			    (const struct nvkm_vgpu_backend_ops *)rw_only);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_registry_count(), before + 1);
}

static void test_bad_geometry_registers_nothing(struct kunit *test)
{
	struct nvkm_vgpu_geometry geo = nvkm_vgpu_board_tiny;
	struct device *dev = nvkm_vgpu_test_dev(test);
	u32 before = nvkm_vgpu_registry_count();

	geo.chid_count = 0;
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(nvkm_vgpu_gpu_register(dev, &nvkm_vgpu_test_ops,
						       &geo, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_registry_count(), before);
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_gpu_find(dev));
}

static void test_priv_is_handed_back(struct kunit *test)
{
	struct nvkm_vgpu_gpu *gpu = nvkm_vgpu_test_gpu(test, &nvkm_vgpu_board_tiny);

	KUNIT_EXPECT_PTR_EQ(test, nvkm_vgpu_gpu_priv(gpu), (void *)test);
}

static void test_geometry_is_copied(struct kunit *test)
{
	struct nvkm_vgpu_geometry geo = nvkm_vgpu_board_tiny;
	char board[] = "tiny";
	struct nvkm_vgpu_gpu *gpu;

	geo.board = board;
	gpu = nvkm_vgpu_test_gpu(test, &geo);
	board[0] = 'x';
	geo.chid_count = 1;
	KUNIT_EXPECT_STREQ(test, gpu->geo.board, "tiny");
	KUNIT_EXPECT_PTR_NE(test, gpu->geo.board, (const char *)board);
	KUNIT_EXPECT_EQ(test, gpu->geo.chid_count, 64);
}

struct lookup_race {
	u32 id;
	struct completion started;
	unsigned long lookups;
	unsigned long hits;
};

static int lookup_race_fn(void *data)
{
	struct lookup_race *race = data;
	struct nvkm_vgpu_gpu *gpu;

	complete(&race->started);
	while (!kthread_should_stop()) {
		gpu = nvkm_vgpu_gpu_get(race->id);
		race->lookups++;
		if (gpu) {
			race->hits++;
			/* Touch the GPU: a freed one is a KASAN report. */
			if (gpu->catalogue->count == 0)
				race->hits = 0;
			nvkm_vgpu_gpu_put(gpu);
		}
		cond_resched();
	}
	return 0;
}

static void test_lookups_race_unregister_safely(struct kunit *test)
{
	struct device *dev = nvkm_vgpu_test_dev(test);
	struct lookup_race race = {};
	struct task_struct *task;
	struct nvkm_vgpu_gpu *gpu;
	int round;

	for (round = 0; round < 20; round++) {
		gpu = nvkm_vgpu_gpu_register(dev, &nvkm_vgpu_test_ops,
					     &nvkm_vgpu_board_tiny, NULL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, gpu);
		race.id = gpu->id;
		init_completion(&race.started);
		task = kthread_run(lookup_race_fn, &race, "nvkm-vgpu-race");
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		wait_for_completion(&race.started);
		usleep_range(100, 200);
		nvkm_vgpu_gpu_unregister(gpu);
		usleep_range(100, 200);
		kthread_stop(task);
		KUNIT_EXPECT_NULL(test, nvkm_vgpu_gpu_get(race.id));
	}
	KUNIT_EXPECT_GT(test, race.lookups, 0UL);
	KUNIT_EXPECT_GT(test, race.hits, 0UL);
}

static struct kunit_case nvkm_vgpu_registry_cases[] = {
	KUNIT_CASE(test_register_then_get_returns_same_gpu),
	KUNIT_CASE(test_get_unknown_id_is_null),
	KUNIT_CASE(test_two_gpus_get_distinct_ids_and_names),
	KUNIT_CASE(test_unregister_hides_gpu_from_lookup),
	KUNIT_CASE(test_reference_outlives_unregister),
	KUNIT_CASE(test_unregistered_gpu_gives_no_slice),
	KUNIT_CASE(test_find_by_device),
	KUNIT_CASE(test_same_device_twice_is_eexist),
	KUNIT_CASE(test_missing_arguments_are_einval),
	KUNIT_CASE(test_exactly_one_of_fb_page_and_fb_rw_is_taken),
	KUNIT_CASE(test_bad_geometry_registers_nothing),
	KUNIT_CASE(test_priv_is_handed_back),
	KUNIT_CASE(test_geometry_is_copied),
	KUNIT_CASE(test_lookups_race_unregister_safely),
	{}
};

static struct kunit_suite nvkm_vgpu_registry_suite = {
	.name = "nvkm_vgpu_registry",
	.test_cases = nvkm_vgpu_registry_cases,
};

kunit_test_suite(nvkm_vgpu_registry_suite);
