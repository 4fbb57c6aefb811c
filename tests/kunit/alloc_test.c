// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the slice allocator.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/prandom.h>
#include <linux/sizes.h>

#include "../../vgpu_mgr/alloc.h"
#include "../../vgpu_mgr/catalogue.h"
#include "fixtures.h"

#define ANY NVKM_VGPU_PLACEMENT_ANY

static const struct nvkm_vgpu_geometry *const boards[] = {
	&nvkm_vgpu_board_h100_80gb, &nvkm_vgpu_board_l40s_48gb,
	&nvkm_vgpu_board_a16_16gb, &nvkm_vgpu_board_tiny,
};

KUNIT_ARRAY_PARAM(board, boards, nvkm_vgpu_test_board_desc);

struct fixture {
	struct nvkm_vgpu_alloc *alloc;
	struct nvkm_vgpu_catalogue *cat;
};

static struct fixture setup(struct kunit *test,
			    const struct nvkm_vgpu_geometry *geo)
{
	struct fixture f = {
		.cat = nvkm_vgpu_test_catalogue(test, geo),
		.alloc = nvkm_vgpu_test_alloc(test, geo),
	};
	return f;
}

static struct nvkm_vgpu_slice *must_new(struct kunit *test,
					struct nvkm_vgpu_alloc *alloc,
					const struct nvkm_vgpu_type *type,
					u32 placement)
{
	struct nvkm_vgpu_slice *slice = nvkm_vgpu_slice_new(alloc, type, placement);

	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, slice, "%s at %u", type->name,
					 placement);
	return slice;
}

static bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static void test_fill_h100_with_1c_until_enospc(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "h100-1c");
	u32 i;

	for (i = 0; i < 80; i++) {
		KUNIT_ASSERT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 80 - i);
		must_new(test, f.alloc, t, ANY);
	}
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, t, ANY)),
			-ENOSPC);
}

static void test_full_gpu_slices_never_overlap(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_a16_16gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "a16-1q");
	struct nvkm_vgpu_slice *s[16];
	u32 i, j;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = must_new(test, f.alloc, t, ANY);
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		for (j = i + 1; j < ARRAY_SIZE(s); j++) {
			KUNIT_EXPECT_FALSE(test, ranges_overlap(s[i]->fb_offset,
								s[i]->fb_size,
								s[j]->fb_offset,
								s[j]->fb_size));
			KUNIT_EXPECT_FALSE(test, ranges_overlap(s[i]->chid_base,
								s[i]->chid_count,
								s[j]->chid_base,
								s[j]->chid_count));
			KUNIT_EXPECT_NE(test, s[i]->id, s[j]->id);
		}
	}
}

static void test_slices_aligned_and_inside_usable_fb(struct kunit *test)
{
	const struct nvkm_vgpu_geometry *geo =
		*(const struct nvkm_vgpu_geometry *const *)test->param_value;
	struct fixture f = setup(test, geo);
	u32 i, p;

	for (i = 0; i < f.cat->count; i++) {
		const struct nvkm_vgpu_type *t = &f.cat->types[i];

		/* Every placement of every type, one at a time. */
		for (p = 0; p < t->max_instances; p++) {
			struct nvkm_vgpu_slice *s = must_new(test, f.alloc, t, p);

			KUNIT_EXPECT_TRUE(test, IS_ALIGNED(s->fb_offset, SZ_2M));
			KUNIT_EXPECT_GE(test, s->fb_offset, geo->fb_reserved);
			KUNIT_EXPECT_LE(test, s->fb_offset + s->fb_size,
					geo->fb_size);
			KUNIT_EXPECT_EQ(test, s->chid_base % s->chid_count, 0);
			KUNIT_EXPECT_EQ(test, s->fb_size, t->fb_size);
			KUNIT_EXPECT_EQ(test, s->placement, p);
			nvkm_vgpu_slice_del(f.alloc, s);
		}
	}
}

static void test_last_placement_ends_inside_fb(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "h100-1c");
	struct nvkm_vgpu_slice *s = must_new(test, f.alloc, t, 79);

	KUNIT_EXPECT_EQ(test, s->fb_offset, 480ULL * SZ_1M + 79ULL * 1012 * SZ_1M);
	KUNIT_EXPECT_LE(test, s->fb_offset + s->fb_size, 81559ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 79);
}

static void test_free_out_of_order_then_refill_holes(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_tiny);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "tiny-1c");
	struct nvkm_vgpu_slice *s[4], *again;
	u32 i;

	for (i = 0; i < 4; i++)
		s[i] = must_new(test, f.alloc, t, ANY);
	nvkm_vgpu_slice_del(f.alloc, s[2]);
	nvkm_vgpu_slice_del(f.alloc, s[0]);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 2);

	again = must_new(test, f.alloc, t, ANY);
	KUNIT_EXPECT_EQ(test, again->placement, 0);
	again = must_new(test, f.alloc, t, ANY);
	KUNIT_EXPECT_EQ(test, again->placement, 2);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 0);
}

static void test_delete_restores_availability(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_l40s_48gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "l40s-8q");
	struct nvkm_vgpu_slice *s = must_new(test, f.alloc, t, ANY);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 5);
	nvkm_vgpu_slice_del(f.alloc, s);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 6);
}

static void test_explicit_placement_is_honoured(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "h100-10c");
	struct nvkm_vgpu_slice *s = must_new(test, f.alloc, t, 5);

	KUNIT_EXPECT_EQ(test, s->placement, 5);
	KUNIT_EXPECT_EQ(test, s->fb_offset, 480ULL * SZ_1M + 5 * t->fb_size);
	s = must_new(test, f.alloc, t, ANY);
	KUNIT_EXPECT_EQ(test, s->placement, 0);
}

static void test_placement_out_of_range_is_einval(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "h100-10c");

	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, t, 8)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, t, 1000)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 8);
}

static void test_taken_placement_is_ebusy(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "h100-10c");

	must_new(test, f.alloc, t, 3);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, t, 3)), -EBUSY);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 7);
}

static void test_equal_mode_refuses_a_second_type(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *small = nvkm_vgpu_test_type(test, f.cat, "h100-1c");
	const struct nvkm_vgpu_type *big = nvkm_vgpu_test_type(test, f.cat, "h100-40c");

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_mode(f.alloc),
			NVKM_VGPU_PLACEMENT_EQUAL);
	must_new(test, f.alloc, small, ANY);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, big), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, big, ANY)),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, small), 79);
}

static void test_equal_mode_frees_type_when_empty(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *small = nvkm_vgpu_test_type(test, f.cat, "h100-1c");
	const struct nvkm_vgpu_type *big = nvkm_vgpu_test_type(test, f.cat, "h100-40c");
	struct nvkm_vgpu_slice *s = must_new(test, f.alloc, small, ANY);

	nvkm_vgpu_slice_del(f.alloc, s);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, big), 2);
	must_new(test, f.alloc, big, ANY);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, small), 0);
}

static void test_mode_switch_refused_while_slices_exist(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_tiny);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "tiny-1c");
	struct nvkm_vgpu_slice *s = must_new(test, f.alloc, t, ANY);

	KUNIT_EXPECT_EQ(test,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_MIXED),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_mode(f.alloc),
			NVKM_VGPU_PLACEMENT_EQUAL);
	/* Setting the mode it already has is no switch. */
	KUNIT_EXPECT_EQ(test,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_EQUAL),
			0);
	nvkm_vgpu_slice_del(f.alloc, s);
	KUNIT_EXPECT_EQ(test,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_MIXED),
			0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_mode(f.alloc),
			NVKM_VGPU_PLACEMENT_MIXED);
}

static void test_unknown_mode_is_einval(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_tiny);

	KUNIT_EXPECT_EQ(test,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_NR),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_set_mode(f.alloc, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_mode(f.alloc),
			NVKM_VGPU_PLACEMENT_EQUAL);
}

static void test_mixed_mode_holds_different_sizes(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *c40 = nvkm_vgpu_test_type(test, f.cat, "h100-40c");
	const struct nvkm_vgpu_type *c20 = nvkm_vgpu_test_type(test, f.cat, "h100-20c");
	const struct nvkm_vgpu_type *c10 = nvkm_vgpu_test_type(test, f.cat, "h100-10c");

	KUNIT_ASSERT_EQ(test, 0,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_MIXED));
	must_new(test, f.alloc, c40, ANY);	/* first half */
	must_new(test, f.alloc, c20, ANY);	/* third quarter */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, c40), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, c20), 1);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, c10), 2);
	must_new(test, f.alloc, c10, ANY);
	must_new(test, f.alloc, c10, ANY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, c10, ANY)),
			-ENOSPC);
}

static void test_mixed_small_slice_blocks_whole_gpu_type(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *c1 = nvkm_vgpu_test_type(test, f.cat, "h100-1c");
	const struct nvkm_vgpu_type *c80 = nvkm_vgpu_test_type(test, f.cat, "h100-80c");
	const struct nvkm_vgpu_type *c40 = nvkm_vgpu_test_type(test, f.cat, "h100-40c");

	KUNIT_ASSERT_EQ(test, 0,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_MIXED));
	must_new(test, f.alloc, c1, 79);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, c80), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, c40), 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, c40, 1)),
			-EBUSY);
}

/*
 * The contract available_instances rests on: for every type, create
 * succeeds exactly nvkm_vgpu_alloc_available() times and then fails with
 * -ENOSPC, whatever mixed placement came before.
 */
static void test_available_is_exact_after_random_mixing(struct kunit *test)
{
	const struct nvkm_vgpu_geometry *geo =
		*(const struct nvkm_vgpu_geometry *const *)test->param_value;
	struct fixture f = setup(test, geo);
	struct nvkm_vgpu_slice *extra[128];
	struct rnd_state rnd;
	u32 round, i, n, avail;

	prandom_seed_state(&rnd, 0x6e766b6dULL);
	KUNIT_ASSERT_EQ(test, 0,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_MIXED));
	for (round = 0; round < 12; round++) {
		const struct nvkm_vgpu_type *t =
			&f.cat->types[prandom_u32_state(&rnd) % f.cat->count];
		struct nvkm_vgpu_slice *s;

		s = nvkm_vgpu_slice_new(f.alloc, t,
					prandom_u32_state(&rnd) % t->max_instances);
		if (IS_ERR(s))
			KUNIT_EXPECT_TRUE(test, PTR_ERR(s) == -EBUSY ||
					  PTR_ERR(s) == -ENOSPC);

		for (i = 0; i < f.cat->count; i++) {
			const struct nvkm_vgpu_type *probe = &f.cat->types[i];

			avail = nvkm_vgpu_alloc_available(f.alloc, probe);
			KUNIT_ASSERT_LE(test, avail, (u32)ARRAY_SIZE(extra));
			for (n = 0; n < avail; n++) {
				extra[n] = nvkm_vgpu_slice_new(f.alloc, probe, ANY);
				KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(extra[n]),
						       "%s: %u of %u", probe->name,
						       n, avail);
			}
			KUNIT_EXPECT_EQ_MSG(test,
					    PTR_ERR(nvkm_vgpu_slice_new(f.alloc, probe, ANY)),
					    -ENOSPC, "%s past %u", probe->name, avail);
			while (n--)
				nvkm_vgpu_slice_del(f.alloc, extra[n]);
			KUNIT_EXPECT_EQ(test,
					nvkm_vgpu_alloc_available(f.alloc, probe),
					avail);
		}
	}
}

static void test_channel_ids_can_run_out_before_fb(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_tiny);
	const struct nvkm_vgpu_type *c1 = nvkm_vgpu_test_type(test, f.cat, "tiny-1c");
	struct nvkm_vgpu_type narrow = {
		.name = "tiny-narrow", .fb_size = SZ_2M, .max_instances = 8,
		.chids = 8,
	};
	u32 i;

	KUNIT_ASSERT_EQ(test, 0,
			nvkm_vgpu_alloc_set_mode(f.alloc, NVKM_VGPU_PLACEMENT_MIXED));
	/* 16 of the 64 channel IDs go to a slice far from the narrow slots. */
	must_new(test, f.alloc, c1, 3);
	/* 8 free FB slots, but only 48 / 8 = 6 free channel blocks. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, &narrow), 6);
	for (i = 0; i < 6; i++)
		must_new(test, f.alloc, &narrow, ANY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, &narrow, ANY)),
			-ENOSPC);
}

static void test_null_or_foreign_type_is_einval(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_tiny);
	struct nvkm_vgpu_catalogue *h100 =
		nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *big = nvkm_vgpu_test_type(test, h100, "h100-80c");

	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, NULL, ANY)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, big, ANY)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, big), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, NULL), 0);
}

static void test_zero_size_type_is_einval(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_tiny);
	struct nvkm_vgpu_type t = f.cat->types[0];

	t.fb_size = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, &t, ANY)),
			-EINVAL);
	t = f.cat->types[0];
	t.chids = 3;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, &t, ANY)),
			-EINVAL);
	t = f.cat->types[0];
	t.max_instances = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, &t, ANY)),
			-EINVAL);
}

static void test_closed_allocator_refuses_new_slices(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_tiny);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "tiny-1q");
	struct nvkm_vgpu_slice *s = must_new(test, f.alloc, t, ANY);

	nvkm_vgpu_alloc_close(f.alloc);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_alloc_available(f.alloc, t), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_slice_new(f.alloc, t, ANY)),
			-ENODEV);
	/* A slice made before the close still goes back cleanly. */
	nvkm_vgpu_slice_del(f.alloc, s);
	KUNIT_EXPECT_EQ(test, f.alloc->nr_slices, 0);
}

static void test_chid_ranges_are_type_sized(struct kunit *test)
{
	struct fixture f = setup(test, &nvkm_vgpu_board_h100_80gb);
	const struct nvkm_vgpu_type *t = nvkm_vgpu_test_type(test, f.cat, "h100-5c");
	struct nvkm_vgpu_slice *a = must_new(test, f.alloc, t, ANY);
	struct nvkm_vgpu_slice *b = must_new(test, f.alloc, t, ANY);

	/* prev_pow2(2048 / 16) = 128 */
	KUNIT_EXPECT_EQ(test, a->chid_count, 128);
	KUNIT_EXPECT_EQ(test, a->chid_base, 0);
	KUNIT_EXPECT_EQ(test, b->chid_base, 128);
}

static struct kunit_case nvkm_vgpu_alloc_cases[] = {
	KUNIT_CASE(test_fill_h100_with_1c_until_enospc),
	KUNIT_CASE(test_full_gpu_slices_never_overlap),
	KUNIT_CASE_PARAM(test_slices_aligned_and_inside_usable_fb, board_gen_params),
	KUNIT_CASE(test_last_placement_ends_inside_fb),
	KUNIT_CASE(test_free_out_of_order_then_refill_holes),
	KUNIT_CASE(test_delete_restores_availability),
	KUNIT_CASE(test_explicit_placement_is_honoured),
	KUNIT_CASE(test_placement_out_of_range_is_einval),
	KUNIT_CASE(test_taken_placement_is_ebusy),
	KUNIT_CASE(test_equal_mode_refuses_a_second_type),
	KUNIT_CASE(test_equal_mode_frees_type_when_empty),
	KUNIT_CASE(test_mode_switch_refused_while_slices_exist),
	KUNIT_CASE(test_unknown_mode_is_einval),
	KUNIT_CASE(test_mixed_mode_holds_different_sizes),
	KUNIT_CASE(test_mixed_small_slice_blocks_whole_gpu_type),
	KUNIT_CASE_PARAM(test_available_is_exact_after_random_mixing, board_gen_params),
	KUNIT_CASE(test_channel_ids_can_run_out_before_fb),
	KUNIT_CASE(test_null_or_foreign_type_is_einval),
	KUNIT_CASE(test_zero_size_type_is_einval),
	KUNIT_CASE(test_closed_allocator_refuses_new_slices),
	KUNIT_CASE(test_chid_ranges_are_type_sized),
	{}
};

static struct kunit_suite nvkm_vgpu_alloc_suite = {
	.name = "nvkm_vgpu_alloc",
	.test_cases = nvkm_vgpu_alloc_cases,
};

kunit_test_suite(nvkm_vgpu_alloc_suite);
