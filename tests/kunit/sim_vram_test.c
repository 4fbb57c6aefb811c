// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the simulated GPU backend: its sparse framebuffer
 * (nvkm_glue/sim/vram.c) and its board presets (nvkm_glue/sim/preset.c).
 *
 * The budget cases assume no other simulated framebuffer holds pages while
 * the suite runs (nvkm_vgpu_sim.ko loaded, no vGPU touching FB).
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../../nvkm_glue/sim/preset.h"
#include "../../nvkm_glue/sim/vram.h"
#include "../../vgpu_mgr/geometry.h"

#define TEST_FB_SIZE SZ_16M
/* Pages in a 1 MiB budget. */
#define TEST_CAP_PAGES (SZ_1M / PAGE_SIZE)

static void vram_fini_action(void *vram)
{
	nvkm_vgpu_sim_vram_fini(vram);
}

static struct device *test_dev(struct kunit *test)
{
	static atomic_t serial = ATOMIC_INIT(0);
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "nvkm-vgpu-sim-test-%d",
		 atomic_inc_return(&serial));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	return dev;
}

/* An empty framebuffer of @size, finished when the test ends. */
static struct nvkm_vgpu_sim_vram *vram_new(struct kunit *test, u64 size)
{
	struct nvkm_vgpu_sim_vram *vram;

	vram = kunit_kzalloc(test, sizeof(*vram), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vram);
	nvkm_vgpu_sim_vram_init(vram, test_dev(test), size);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, vram_fini_action, vram));
	return vram;
}

static void put_page_action(void *page)
{
	put_page(page);
}

/* fb_page(), with the reference it returns put when the test ends. */
static struct page *touch(struct kunit *test, struct nvkm_vgpu_sim_vram *vram,
			  u64 offset, bool alloc)
{
	struct page *page = nvkm_vgpu_sim_vram_page(vram, offset, alloc);

	if (!IS_ERR_OR_NULL(page))
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, put_page_action,
							  page));
	return page;
}

static void fill(struct page *page, u8 byte)
{
	void *va = kmap_local_page(page);

	memset(va, byte, PAGE_SIZE);
	kunmap_local(va);
}

static bool filled_with(struct page *page, u8 byte)
{
	void *va = kmap_local_page(page);
	bool ret = !memchr_inv(va, byte, PAGE_SIZE);

	kunmap_local(va);
	return ret;
}

static void cap_restore_action(void *old)
{
	WRITE_ONCE(nvkm_vgpu_sim_vram_cap_mib, (unsigned int)(uintptr_t)old);
}

/* Set the host budget to @mib until the test ends. */
static void set_cap(struct kunit *test, unsigned int mib)
{
	uintptr_t old = READ_ONCE(nvkm_vgpu_sim_vram_cap_mib);

	WRITE_ONCE(nvkm_vgpu_sim_vram_cap_mib, mib);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, cap_restore_action,
						  (void *)old));
}

static void vgpu_cap_restore_action(void *old)
{
	WRITE_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib, (unsigned int)(uintptr_t)old);
}

/* Set the per-vGPU budget to @mib until the test ends. */
static void set_vgpu_cap(struct kunit *test, unsigned int mib)
{
	uintptr_t old = READ_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib);

	WRITE_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib, mib);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, vgpu_cap_restore_action,
						  (void *)old));
}

struct reservation {
	struct nvkm_vgpu_sim_vram *vram;
	u64 offset;
	u64 size;
};

/* Scrubs and releases a range, as the manager does when a vGPU goes. */
static void release_action(void *data)
{
	struct reservation *r = data;

	nvkm_vgpu_sim_vram_scrub(r->vram, r->offset, r->size);
	nvkm_vgpu_sim_vram_release(r->vram, r->offset);
}

/* Reserves a range, released when the test ends; the reserve's errno. */
static int reserve(struct kunit *test, struct nvkm_vgpu_sim_vram *vram,
		   u64 offset, u64 size, struct reservation **out)
{
	struct reservation *r;
	int ret;

	ret = nvkm_vgpu_sim_vram_reserve(vram, offset, size);
	if (ret)
		return ret;
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	*r = (struct reservation){ .vram = vram, .offset = offset, .size = size };
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, release_action, r));
	if (out)
		*out = r;
	return 0;
}

/* Touch pages from @first on until the budget refuses; count them. */
static unsigned int touch_until_refused(struct kunit *test,
					struct nvkm_vgpu_sim_vram *vram,
					unsigned long first)
{
	unsigned int n;

	for (n = 0; n <= TEST_CAP_PAGES; n++) {
		struct page *page = touch(test, vram,
					  (u64)(first + n) << PAGE_SHIFT, true);

		if (IS_ERR(page)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(page), -ENOMEM);
			break;
		}
		KUNIT_ASSERT_NOT_NULL(test, page);
	}
	return n;
}

static void test_untouched_page_is_null_without_alloc(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);

	KUNIT_EXPECT_NULL(test, touch(test, vram, 0, false));
	KUNIT_EXPECT_NULL(test, touch(test, vram, SZ_8M, false));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), 0);
}

static void test_first_touch_allocates_one_zeroed_page(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);
	struct page *page = touch(test, vram, SZ_1M, true);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, page);
	KUNIT_EXPECT_TRUE(test, filled_with(page, 0));
	/* One reference for the framebuffer, one for us. */
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 2);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), PAGE_SIZE);

	fill(page, 0xa5);
	KUNIT_EXPECT_PTR_EQ(test, touch(test, vram, SZ_1M, false), page);
	KUNIT_EXPECT_PTR_EQ(test, touch(test, vram, SZ_1M, true), page);
	KUNIT_EXPECT_TRUE(test, filled_with(page, 0xa5));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), PAGE_SIZE);
}

static void test_bad_offsets_are_einval(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);
	const u64 bad[] = { 1, PAGE_SIZE - 1, SZ_1M + 8, TEST_FB_SIZE,
			    TEST_FB_SIZE + PAGE_SIZE, U64_MAX & PAGE_MASK };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(touch(test, vram, bad[i], true)),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, PTR_ERR(touch(test, vram, bad[i], false)),
				-EINVAL);
	}
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), 0);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, touch(test, vram,
						 TEST_FB_SIZE - PAGE_SIZE, true));
}

static void test_scrub_drops_only_the_pages_in_range(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);
	struct page *below, *inside, *above;

	below = touch(test, vram, SZ_1M - PAGE_SIZE, true);
	inside = touch(test, vram, SZ_1M, true);
	above = touch(test, vram, SZ_2M, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, below);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, inside);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, above);
	fill(below, 1);
	fill(above, 3);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, SZ_1M, SZ_1M), 0);
	KUNIT_EXPECT_NULL(test, touch(test, vram, SZ_1M, false));
	KUNIT_EXPECT_PTR_EQ(test, touch(test, vram, SZ_1M - PAGE_SIZE, false),
			    below);
	KUNIT_EXPECT_PTR_EQ(test, touch(test, vram, SZ_2M, false), above);
	KUNIT_EXPECT_TRUE(test, filled_with(below, 1));
	KUNIT_EXPECT_TRUE(test, filled_with(above, 3));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), 2 * PAGE_SIZE);
}

static void test_scrubbed_page_reads_as_zero_and_lives_while_referenced(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);
	struct page *old, *fresh;

	old = touch(test, vram, 0, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, old);
	fill(old, 0x5a);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, 0, TEST_FB_SIZE), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), 0);
	KUNIT_EXPECT_NULL(test, touch(test, vram, 0, false));
	/* Our reference keeps the old page, and its bytes, alive. */
	KUNIT_EXPECT_EQ(test, page_ref_count(old), 1);
	KUNIT_EXPECT_TRUE(test, filled_with(old, 0x5a));

	fresh = touch(test, vram, 0, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fresh);
	KUNIT_EXPECT_PTR_NE(test, fresh, old);
	KUNIT_EXPECT_TRUE(test, filled_with(fresh, 0));
}

static void test_scrub_refuses_bad_ranges(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, touch(test, vram, 0, true));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, 1, PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, 0,
						       TEST_FB_SIZE + PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, TEST_FB_SIZE,
						       PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, PAGE_SIZE,
						       U64_MAX & PAGE_MASK),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, 0, 0), 0);
	/* Nothing was dropped by a refused scrub. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), PAGE_SIZE);
}

static void test_budget_refuses_new_pages_but_not_touched_ones(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);
	struct page *page;

	set_cap(test, 1);
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, vram, 0), TEST_CAP_PAGES);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), SZ_1M);

	page = touch(test, vram, 0, true);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, page);

	/* A scrubbed page goes back to the budget. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_scrub(vram, 0, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, vram, TEST_CAP_PAGES), 1);
}

/*
 * A reserved range has a budget nobody else can spend: another tenant
 * using up the rest of the cap does not cost it a single page.
 */
static void test_reserved_range_is_never_denied_by_others(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);
	struct nvkm_vgpu_sim_vram *other = vram_new(test, TEST_FB_SIZE);

	set_cap(test, 2);
	set_vgpu_cap(test, 1);
	KUNIT_ASSERT_EQ(test, 0, reserve(test, vram, 0, SZ_2M, NULL));
	KUNIT_ASSERT_EQ(test, 0, reserve(test, other, 0, SZ_1M, NULL));

	/* The other GPU's range and everything unreserved spend what is left. */
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, other, 0), TEST_CAP_PAGES);
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, vram, SZ_2M >> PAGE_SHIFT), 0);

	/* Still, every page of this range's own budget is there. */
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, vram, 0), TEST_CAP_PAGES);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(vram), SZ_1M);
}

/* What the cap cannot promise is refused up front, not at first touch. */
static void test_reserve_refuses_what_the_cap_cannot_cover(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram = vram_new(test, TEST_FB_SIZE);

	set_cap(test, 1);
	set_vgpu_cap(test, 1);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_reserve(vram, 0, SZ_1M), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_reserve(vram, SZ_1M, SZ_1M),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_reserve(vram, 1, SZ_1M), -EINVAL);
	nvkm_vgpu_sim_vram_release(vram, 0);

	/* Released, the budget serves the next range. */
	KUNIT_EXPECT_EQ(test, reserve(test, vram, SZ_1M, SZ_1M, NULL), 0);

	/* With room in the cap, an overlap is still refused. */
	set_cap(test, 4);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_reserve(vram, 0, SZ_2M), -EEXIST);
}

static void test_two_gpus_share_one_budget(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *a = vram_new(test, TEST_FB_SIZE);
	struct nvkm_vgpu_sim_vram *b = vram_new(test, TEST_FB_SIZE);
	unsigned int i;

	set_cap(test, 1);
	for (i = 0; i < TEST_CAP_PAGES / 4; i++)
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test,
					     touch(test, a, (u64)i << PAGE_SHIFT, true));
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, b, 0),
			TEST_CAP_PAGES - TEST_CAP_PAGES / 4);
	KUNIT_EXPECT_EQ(test, PTR_ERR(touch(test, a, SZ_8M, true)), -ENOMEM);
}

#define RACE_PAGES 64

struct race {
	struct nvkm_vgpu_sim_vram *vram;
	struct completion go;
	struct page *got[2][RACE_PAGES];
};

struct racer {
	struct race *race;
	int who;
	struct completion done;
};

static int race_fn(void *data)
{
	struct racer *racer = data;
	struct race *race = racer->race;
	int i;

	wait_for_completion(&race->go);
	for (i = 0; i < RACE_PAGES; i++)
		race->got[racer->who][i] =
			nvkm_vgpu_sim_vram_page(race->vram, (u64)i << PAGE_SHIFT,
						true);
	complete(&racer->done);
	return 0;
}

static void test_racing_first_touches_get_the_same_page(struct kunit *test)
{
	struct race *race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	struct racer racers[2];
	struct task_struct *task[2];
	int i, same = 0;

	KUNIT_ASSERT_NOT_NULL(test, race);
	race->vram = vram_new(test, SZ_1M);
	init_completion(&race->go);
	for (i = 0; i < 2; i++) {
		racers[i] = (struct racer){ .race = race, .who = i };
		init_completion(&racers[i].done);
		task[i] = kthread_run(race_fn, &racers[i], "sim-vram-race%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task[i]));
		get_task_struct(task[i]);
	}
	complete_all(&race->go);
	/*
	 * A kthread stopped before it first runs never calls its function:
	 * wait for both racers to finish before stopping them.
	 */
	for (i = 0; i < 2; i++) {
		wait_for_completion(&racers[i].done);
		kthread_stop(task[i]);
		put_task_struct(task[i]);
	}

	for (i = 0; i < RACE_PAGES; i++) {
		if (!IS_ERR_OR_NULL(race->got[0][i]) &&
		    race->got[0][i] == race->got[1][i])
			same++;
		if (!IS_ERR_OR_NULL(race->got[0][i]))
			put_page(race->got[0][i]);
		if (!IS_ERR_OR_NULL(race->got[1][i]))
			put_page(race->got[1][i]);
	}
	KUNIT_EXPECT_EQ(test, same, RACE_PAGES);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_sim_vram_used(race->vram),
			RACE_PAGES * PAGE_SIZE);
}

static void test_fini_returns_the_budget_and_spares_referenced_pages(struct kunit *test)
{
	struct nvkm_vgpu_sim_vram *vram, *again;
	struct page *kept;

	set_cap(test, 1);
	vram = kunit_kzalloc(test, sizeof(*vram), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vram);
	nvkm_vgpu_sim_vram_init(vram, test_dev(test), TEST_FB_SIZE);
	kept = touch(test, vram, 0, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, kept);
	fill(kept, 0x77);
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, vram, 1),
			TEST_CAP_PAGES - 1);
	nvkm_vgpu_sim_vram_fini(vram);

	/* The pages the test holds are ours alone now. */
	KUNIT_EXPECT_EQ(test, page_ref_count(kept), 1);
	KUNIT_EXPECT_TRUE(test, filled_with(kept, 0x77));
	again = vram_new(test, TEST_FB_SIZE);
	KUNIT_EXPECT_EQ(test, touch_until_refused(test, again, 0), TEST_CAP_PAGES);
}

static struct kunit_case nvkm_vgpu_sim_vram_cases[] = {
	KUNIT_CASE(test_untouched_page_is_null_without_alloc),
	KUNIT_CASE(test_first_touch_allocates_one_zeroed_page),
	KUNIT_CASE(test_bad_offsets_are_einval),
	KUNIT_CASE(test_scrub_drops_only_the_pages_in_range),
	KUNIT_CASE(test_scrubbed_page_reads_as_zero_and_lives_while_referenced),
	KUNIT_CASE(test_scrub_refuses_bad_ranges),
	KUNIT_CASE(test_budget_refuses_new_pages_but_not_touched_ones),
	KUNIT_CASE(test_two_gpus_share_one_budget),
	KUNIT_CASE(test_reserved_range_is_never_denied_by_others),
	KUNIT_CASE(test_reserve_refuses_what_the_cap_cannot_cover),
	KUNIT_CASE(test_racing_first_touches_get_the_same_page),
	KUNIT_CASE(test_fini_returns_the_budget_and_spares_referenced_pages),
	{}
};

static struct kunit_suite nvkm_vgpu_sim_vram_suite = {
	.name = "nvkm_vgpu_sim_vram",
	.test_cases = nvkm_vgpu_sim_vram_cases,
};

static const char * const preset_names[] = {
	"h100-80gb", "l40s-48gb", "a16-16gb", "tiny",
};

static void preset_desc(const char * const *name, char *desc)
{
	strscpy(desc, *name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(preset, preset_names, preset_desc);

static void test_preset_is_a_geometry_the_manager_accepts(struct kunit *test)
{
	const char * const *name = test->param_value;
	const struct nvkm_vgpu_sim_preset *preset;

	preset = nvkm_vgpu_sim_preset_find(*name);
	KUNIT_ASSERT_NOT_NULL(test, preset);
	KUNIT_EXPECT_STREQ(test, preset->name, *name);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(preset->geo), 0);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(preset->geo->fb_size));
	KUNIT_EXPECT_EQ(test, preset->geo->vendor_id, 0x10de);
	/* PCI revision ID a1 and a chipset number in bits 28:20. */
	KUNIT_EXPECT_EQ(test, preset->geo->boot0 & 0xff, 0xa1);
	KUNIT_EXPECT_NE(test, preset->geo->boot0 & 0x1ff00000, 0);
}

static void test_h100_preset_is_the_reference_board(struct kunit *test)
{
	const struct nvkm_vgpu_sim_preset *h100 =
		nvkm_vgpu_sim_preset_find("h100-80gb");

	KUNIT_ASSERT_NOT_NULL(test, h100);
	KUNIT_EXPECT_STREQ(test, h100->geo->board, "h100");
	KUNIT_EXPECT_EQ(test, h100->geo->fb_nominal_gib, 80);
	KUNIT_EXPECT_EQ(test, h100->geo->fb_size, 81559ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, h100->geo->fb_reserved, 480ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, h100->geo->chid_count, 2048);
	KUNIT_EXPECT_EQ(test, h100->geo->bar0_size, SZ_16M);
	KUNIT_EXPECT_EQ(test, h100->geo->bar1_size, 128ULL * SZ_1G);
	KUNIT_EXPECT_EQ(test, h100->geo->bar3_size, SZ_32M);
	KUNIT_EXPECT_EQ(test, h100->geo->device_id, 0x2330);
	KUNIT_EXPECT_EQ(test, h100->geo->subsystem_vendor_id, 0x10de);
	KUNIT_EXPECT_EQ(test, h100->geo->subsystem_id, 0x16c1);
	KUNIT_EXPECT_EQ(test, h100->geo->engines[NVKM_VGPU_ENGINE_GR], 1);
	KUNIT_EXPECT_EQ(test, h100->geo->engines[NVKM_VGPU_ENGINE_CE], 10);
	KUNIT_EXPECT_EQ(test, h100->geo->engines[NVKM_VGPU_ENGINE_NVDEC], 7);
	KUNIT_EXPECT_EQ(test, h100->geo->engines[NVKM_VGPU_ENGINE_NVENC], 0);
	KUNIT_EXPECT_EQ(test, h100->geo->engines[NVKM_VGPU_ENGINE_NVJPG], 7);
	KUNIT_EXPECT_EQ(test, h100->geo->engines[NVKM_VGPU_ENGINE_OFA], 1);
	KUNIT_EXPECT_FALSE(test, h100->geo->display);
}

static void test_preset_names_match_whole_words_only(struct kunit *test)
{
	KUNIT_EXPECT_NOT_NULL(test, nvkm_vgpu_sim_preset_find("tiny\n"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_sim_preset_find("tiny\n\n"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_sim_preset_find("tiny x"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_sim_preset_find("h100"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_sim_preset_find("TINY"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_sim_preset_find(""));
}

static struct kunit_case nvkm_vgpu_sim_preset_cases[] = {
	KUNIT_CASE_PARAM(test_preset_is_a_geometry_the_manager_accepts,
			 preset_gen_params),
	KUNIT_CASE(test_h100_preset_is_the_reference_board),
	KUNIT_CASE(test_preset_names_match_whole_words_only),
	{}
};

static struct kunit_suite nvkm_vgpu_sim_preset_suite = {
	.name = "nvkm_vgpu_sim_preset",
	.test_cases = nvkm_vgpu_sim_preset_cases,
};

kunit_test_suites(&nvkm_vgpu_sim_vram_suite, &nvkm_vgpu_sim_preset_suite);

MODULE_DESCRIPTION("KUnit tests for the nvkm-vgpu simulated GPU backend");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
