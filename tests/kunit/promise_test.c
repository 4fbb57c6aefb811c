// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite: available_instances is a promise create keeps.
 *
 * For every board preset and a few hundred random geometries the manager
 * accepts, every type in both placement modes: on an empty GPU, create
 * succeeds exactly as many times as nvkm_vgpu_alloc_available() said and
 * then fails with -ENOSPC, and every slice it made is one a vGPU can be
 * built on (its BAR0 register file, with a doorbell per channel, accepts
 * it). A type the catalogue offers but create refuses is what this
 * catches: channel counts above NVKM_VGPU_DOORBELL_MAX did exactly that.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../../vgpu_mgr/alloc.h"
#include "../../vgpu_mgr/bar0.h"
#include "../../vgpu_mgr/catalogue.h"
#include "../../vgpu_mgr/geometry.h"
#include "fixtures.h"

#define RANDOM_GEOMETRIES 200

static const struct nvkm_vgpu_geometry *const presets[] = {
	&nvkm_vgpu_board_h100_80gb, &nvkm_vgpu_board_l40s_48gb,
	&nvkm_vgpu_board_a16_16gb, &nvkm_vgpu_board_tiny,
};

/* A vGPU can be built on @slice: its register file takes the geometry. */
static bool slice_builds_a_vgpu(const struct nvkm_vgpu_slice *slice)
{
	struct nvkm_vgpu_bar0_info info = {
		.fb_size = slice->fb_size,
		.chid_count = slice->chid_count,
		.engines = 1,
	};
	struct nvkm_vgpu_bar0 bar0 = {};

	if (nvkm_vgpu_bar0_init(&bar0, &info))
		return false;
	nvkm_vgpu_bar0_fini(&bar0);
	return true;
}

/* Creates @type until refused on an empty GPU in @mode; 0 if all held. */
static int fill_once(struct kunit *test, struct device *dev,
		     const struct nvkm_vgpu_geometry *geo,
		     const struct nvkm_vgpu_type *type,
		     enum nvkm_vgpu_placement_mode mode)
{
	struct nvkm_vgpu_alloc *alloc;
	struct nvkm_vgpu_slice **slices, *s;
	u32 avail, n = 0;
	int ret = 0;

	alloc = kzalloc(sizeof(*alloc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, alloc);
	KUNIT_ASSERT_EQ(test, 0,
			nvkm_vgpu_alloc_init(alloc, dev, geo));
	KUNIT_ASSERT_EQ(test, 0, nvkm_vgpu_alloc_set_mode(alloc, mode));

	avail = nvkm_vgpu_alloc_available(alloc, type);
	slices = kcalloc(avail + 1, sizeof(*slices), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slices);
	for (;;) {
		s = nvkm_vgpu_slice_new(alloc, type, NVKM_VGPU_PLACEMENT_ANY);
		if (IS_ERR(s))
			break;
		if (!slice_builds_a_vgpu(s)) {
			KUNIT_FAIL(test, "%s (%s): slice %u with %u channels builds no vGPU",
				   type->name, nvkm_vgpu_placement_names[mode],
				   n, s->chid_count);
			ret = -EINVAL;
		}
		if (n == avail) {
			nvkm_vgpu_slice_del(alloc, s);
			n++;
			break;
		}
		slices[n++] = s;
	}
	if (n != avail || PTR_ERR(s) != -ENOSPC) {
		KUNIT_FAIL(test,
			   "%s (%s) on %llu MiB/%u CHIDs: available %u, created %u, then %ld",
			   type->name, nvkm_vgpu_placement_names[mode],
			   geo->fb_size >> 20, geo->chid_count, avail, n,
			   IS_ERR(s) ? PTR_ERR(s) : 0L);
		ret = -EINVAL;
	}
	n = min(n, avail);
	while (n--)
		nvkm_vgpu_slice_del(alloc, slices[n]);
	kfree(slices);
	nvkm_vgpu_alloc_fini(alloc);
	kfree(alloc);
	return ret;
}

/* Every type of @geo in both modes; returns the number of types checked. */
static u32 check_geometry(struct kunit *test, struct device *dev,
			  const struct nvkm_vgpu_geometry *geo)
{
	struct nvkm_vgpu_catalogue *cat;
	u32 i, checked = 0;

	cat = nvkm_vgpu_catalogue_new(geo);
	if (IS_ERR(cat))
		return 0;
	for (i = 0; i < cat->count; i++) {
		if (fill_once(test, dev, geo, &cat->types[i],
			      NVKM_VGPU_PLACEMENT_EQUAL) ||
		    fill_once(test, dev, geo, &cat->types[i],
			      NVKM_VGPU_PLACEMENT_MIXED))
			break;
		checked++;
	}
	nvkm_vgpu_catalogue_del(cat);
	return checked;
}

static void test_presets_keep_their_promise(struct kunit *test)
{
	struct device *dev = nvkm_vgpu_test_dev(test);
	u32 i;

	for (i = 0; i < ARRAY_SIZE(presets); i++)
		KUNIT_EXPECT_GT_MSG(test, check_geometry(test, dev, presets[i]), 0u,
				    "%s", presets[i]->board);
}

static u32 rnd_range(struct rnd_state *rnd, u32 lo, u32 hi)
{
	return lo + prandom_u32_state(rnd) % (hi - lo + 1);
}

static void test_random_geometries_keep_their_promise(struct kunit *test)
{
	struct device *dev = nvkm_vgpu_test_dev(test);
	struct nvkm_vgpu_geometry geo;
	struct rnd_state rnd;
	u32 i, accepted = 0, types = 0, many_chids = 0;

	prandom_seed_state(&rnd, 0x70726f6dULL);
	for (i = 0; i < RANDOM_GEOMETRIES; i++) {
		u32 gib = rnd_range(&rnd, 1, 96);
		u32 checked;

		geo = nvkm_vgpu_board_tiny;
		geo.board = "rand";
		geo.fb_size = (u64)gib * SZ_1G + (u64)rnd_range(&rnd, 0, 255) * SZ_2M;
		geo.fb_reserved = (u64)rnd_range(&rnd, 0, 255) * SZ_2M;
		geo.fb_nominal_gib = rnd_range(&rnd, 0, 1) ? 0 : gib;
		/* Powers of two and odd counts, some far past the doorbells. */
		geo.chid_count = rnd_range(&rnd, 0, 1) ?
				 1u << rnd_range(&rnd, 0, 17) :
				 rnd_range(&rnd, 1, 100000);
		geo.engines[NVKM_VGPU_ENGINE_CE] = rnd_range(&rnd, 0, 4);
		geo.display = rnd_range(&rnd, 0, 1);
		if (nvkm_vgpu_geometry_check(&geo))
			continue;
		accepted++;
		many_chids += geo.chid_count > NVKM_VGPU_DOORBELL_MAX;
		checked = check_geometry(test, dev, &geo);
		if (!checked)
			KUNIT_FAIL(test, "geometry %u (%llu MiB, %u CHIDs) failed",
				   i, geo.fb_size >> 20, geo.chid_count);
		types += checked;
		cond_resched();
	}
	kunit_info(test, "%u of %u random geometries accepted, %u with more CHIDs than doorbells, %u types checked in both modes\n",
		   accepted, RANDOM_GEOMETRIES, many_chids, types);
	KUNIT_EXPECT_GE(test, accepted, RANDOM_GEOMETRIES / 2);
	KUNIT_EXPECT_GT(test, many_chids, 0u);
}

static struct kunit_case nvkm_vgpu_promise_cases[] = {
	KUNIT_CASE(test_presets_keep_their_promise),
	KUNIT_CASE_SLOW(test_random_geometries_keep_their_promise),
	{}
};

static struct kunit_suite nvkm_vgpu_promise_suite = {
	.name = "nvkm_vgpu_promise",
	.test_cases = nvkm_vgpu_promise_cases,
};

kunit_test_suite(nvkm_vgpu_promise_suite);
