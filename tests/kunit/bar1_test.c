// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for BAR1's pread/pwrite path, nvkm_vgpu_bar1_rw(), through
 * each of the backend contract's two FB accessors: fb_rw (a kernel buffer,
 * for FB without struct page) and fb_page (FB pages). A GPU of a test
 * backend is registered with the manager; its FB is one vmalloc()ed slice
 * of 3 MiB, so BAR1 is 4 MiB with 1 MiB past the slice. The user's buffer
 * is anonymous memory mapped into the test's own mm, so copies from and to
 * user memory, and their faults, are real.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../../vgpu_mgr/alloc_types.h"
#include "../../vgpu_mgr/gpu_types.h"
#include "../../vgpu_mgr/vgpu.h"
#include "fixtures.h"

/* Where the slice sits in the GPU's FB: above the tiny board's reserve. */
#define TEST_FB_OFFSET (70ULL * SZ_1M)
#define TEST_FB_SIZE (3 * SZ_1M)
#define TEST_BAR1_SIZE SZ_4M
#define TEST_USER_SIZE SZ_512K

/**
 * struct test_fb - the test backend's FB: the slice and nothing else
 * @bytes: the slice's bytes, FB [TEST_FB_OFFSET, + TEST_FB_SIZE)
 * @fail_from: FB offset from which every access fails with -EIO
 * @outside: accesses outside the slice, which the manager must never make
 */
struct test_fb {
	u8 *bytes;
	u64 fail_from;
	unsigned int outside;
};

static bool test_fb_inside(struct test_fb *fb, u64 offset, size_t len)
{
	if (offset < TEST_FB_OFFSET || len > TEST_FB_SIZE ||
	    offset - TEST_FB_OFFSET > TEST_FB_SIZE - len) {
		fb->outside++;
		return false;
	}
	return true;
}

static int test_fb_rw(void *priv, u64 offset, void *buf, size_t len,
		      bool write)
{
	struct test_fb *fb = priv;
	u8 *at = fb->bytes + (offset - TEST_FB_OFFSET);

	if (!len || !test_fb_inside(fb, offset, len))
		return -EINVAL;
	if (offset + len > fb->fail_from)
		return -EIO;
	if (write)
		memcpy(at, buf, len);
	else
		memcpy(buf, at, len);
	return 0;
}

static struct page *test_fb_page(void *priv, u64 offset, bool alloc)
{
	struct test_fb *fb = priv;
	struct page *page;

	if (!PAGE_ALIGNED(offset) || !test_fb_inside(fb, offset, PAGE_SIZE))
		return ERR_PTR(-EINVAL);
	if (offset >= fb->fail_from)
		return ERR_PTR(-EIO);
	page = vmalloc_to_page(fb->bytes + (offset - TEST_FB_OFFSET));
	get_page(page);
	return page;
}

enum test_accessor { TEST_FB_RW, TEST_FB_PAGE };

static const enum test_accessor test_accessors[] = { TEST_FB_RW, TEST_FB_PAGE };

static void test_accessor_desc(const enum test_accessor *a, char *desc)
{
	strscpy(desc, *a == TEST_FB_RW ? "fb_rw" : "fb_page",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(test_accessor, test_accessors, test_accessor_desc);

/**
 * struct test_bar1 - a vGPU as far as BAR1's read and write see it
 * @vgpu: its GPU and its slice only; nothing else of it is set
 * @slice: the slice, made by hand (a real one would be 1 GiB or more)
 * @fb: the test backend's FB
 * @user: the user's buffer, TEST_USER_SIZE bytes
 */
struct test_bar1 {
	struct nvkm_vgpu vgpu;
	struct nvkm_vgpu_slice slice;
	struct test_fb fb;
	char __user *user;
};

static void test_vfree(void *p)
{
	vfree(p);
}

static struct test_bar1 *test_bar1_new(struct kunit *test)
{
	const enum test_accessor *a = test->param_value;
	struct nvkm_vgpu_backend_ops *ops;
	struct test_bar1 *t;
	unsigned long addr;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	ops = kunit_kmalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	t->fb.bytes = vzalloc(TEST_FB_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, t->fb.bytes);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, test_vfree,
							   t->fb.bytes));
	t->fb.fail_from = U64_MAX;

	*ops = nvkm_vgpu_test_ops;
	ops->fb_page = *a == TEST_FB_PAGE ? test_fb_page : NULL;
	ops->fb_rw = *a == TEST_FB_RW ? test_fb_rw : NULL;
	t->vgpu.gpu = nvkm_vgpu_test_gpu_ops(test, &nvkm_vgpu_board_tiny, ops,
					     &t->fb);
	t->slice.fb_offset = TEST_FB_OFFSET;
	t->slice.fb_size = TEST_FB_SIZE;
	t->vgpu.slice = &t->slice;
	t->vgpu.bar1_size = TEST_BAR1_SIZE;

	addr = kunit_vm_mmap(test, NULL, 0, TEST_USER_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
			     0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr) || !addr);
	t->user = (char __user *)addr;
	return t;
}

/* A byte of the pattern, never 0, for FB or user offset @i. */
static u8 test_pattern(u64 i, u8 seed)
{
	return (u8)(i * 31 + i / 251 + seed) | 1;
}

static void test_fill(u8 *p, size_t len, u64 from, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = test_pattern(from + i, seed);
}

/* The index of the first byte of @p not the pattern from @from, or @len. */
static size_t test_first_off(const u8 *p, size_t len, u64 from, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != test_pattern(from + i, seed))
			return i;
	return len;
}

static size_t test_first_nonzero(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return i;
	return len;
}

/* The user's buffer, read back into a kernel buffer of the test's. */
static u8 *test_user_read(struct kunit *test, struct test_bar1 *t, size_t len)
{
	u8 *k = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_EQ(test, copy_from_user(k, t->user, len), 0);
	return k;
}

static void test_user_fill(struct kunit *test, struct test_bar1 *t,
			   size_t len, u8 seed)
{
	u8 *k = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	if (seed)
		test_fill(k, len, 0, seed);
	else
		memset(k, 0xa5, len);
	KUNIT_ASSERT_EQ(test, copy_to_user(t->user, k, len), 0);
}

static void test_read_is_the_fb_then_zeros_past_the_slice(struct kunit *test)
{
	struct test_bar1 *t = test_bar1_new(test);
	/* Unaligned, across many passes, 100000 bytes past the slice. */
	u64 pos = TEST_FB_SIZE - 200001;
	size_t count = 300001;
	u8 *got;

	test_fill(t->fb.bytes, TEST_FB_SIZE, 0, 7);
	test_user_fill(test, t, count, 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, count, pos,
						false),
			(ssize_t)count);
	got = test_user_read(test, t, count);
	KUNIT_EXPECT_EQ(test, test_first_off(got, 200001, pos, 7), 200001);
	KUNIT_EXPECT_EQ(test, test_first_nonzero(got + 200001, 100000), 100000);

	/* A few bytes in the middle of a page. */
	test_user_fill(test, t, 16, 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, 7, 12345,
						false), 7);
	got = test_user_read(test, t, 8);
	KUNIT_EXPECT_EQ(test, test_first_off(got, 7, 12345, 7), 7);
	KUNIT_EXPECT_EQ(test, got[7], 0xa5);
	KUNIT_EXPECT_EQ(test, t->fb.outside, 0);
}

static void test_write_lands_in_the_fb_and_past_the_slice_is_dropped(struct kunit *test)
{
	struct test_bar1 *t = test_bar1_new(test);
	u64 pos = TEST_FB_SIZE - 150003;
	size_t count = 250003;

	test_user_fill(test, t, count, 3);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, count, pos,
						true),
			(ssize_t)count);
	KUNIT_EXPECT_EQ(test, test_first_off(t->fb.bytes + pos, 150003, 0, 3),
			150003);
	KUNIT_EXPECT_EQ(test, test_first_nonzero(t->fb.bytes, pos), pos);
	/* Only past the slice: nothing reaches the backend. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, SZ_64K,
						TEST_BAR1_SIZE - SZ_64K, true),
			(ssize_t)SZ_64K);
	KUNIT_EXPECT_EQ(test, t->fb.outside, 0);
}

static void test_backend_error_gives_the_bytes_before_it_or_the_errno(struct kunit *test)
{
	struct test_bar1 *t = test_bar1_new(test);
	u64 pos = SZ_1M - 100000;
	ssize_t ret;
	u8 *got;

	test_fill(t->fb.bytes, TEST_FB_SIZE, 0, 5);
	t->fb.fail_from = TEST_FB_OFFSET + SZ_1M;
	ret = nvkm_vgpu_bar1_rw(&t->vgpu, t->user, 200000, pos, false);
	/* Whole passes before the failing one: how many is the manager's. */
	KUNIT_EXPECT_GT(test, ret, 0);
	KUNIT_EXPECT_LE(test, ret, 100000);
	got = test_user_read(test, t, 100000);
	KUNIT_EXPECT_EQ(test, test_first_off(got, ret > 0 ? ret : 0, pos, 5),
			ret > 0 ? ret : 0);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, 100, SZ_1M,
						false), -EIO);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, 100, SZ_1M,
						true), -EIO);
	KUNIT_EXPECT_EQ(test, t->fb.outside, 0);
}

static void test_user_fault_gives_the_bytes_before_it_or_efault(struct kunit *test)
{
	struct test_bar1 *t = test_bar1_new(test);
	size_t valid = TEST_USER_SIZE / 2;
	u8 *got;

	/* The buffer's second half goes: a copy stops at its first byte. */
	test_fill(t->fb.bytes, TEST_FB_SIZE, 0, 9);
	test_user_fill(test, t, valid, 0);
	KUNIT_ASSERT_EQ(test, vm_munmap((unsigned long)t->user + valid,
					TEST_USER_SIZE - valid), 0);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, valid + 40000,
						5, false),
			(ssize_t)valid);
	got = test_user_read(test, t, valid);
	KUNIT_EXPECT_EQ(test, test_first_off(got, valid, 5, 9), valid);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user + valid, 10, 5,
						false),
			-EFAULT);
	/* Past the slice, zeros stop at the fault too. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user + valid - 3,
						10, TEST_FB_SIZE, false),
			(ssize_t)3);

	/* A write writes what it got, and no byte past it. */
	test_user_fill(test, t, valid, 11);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user, valid + 40000,
						7, true),
			(ssize_t)valid);
	KUNIT_EXPECT_EQ(test, test_first_off(t->fb.bytes + 7, valid, 0, 11),
			valid);
	KUNIT_EXPECT_EQ(test, test_first_off(t->fb.bytes + 7 + valid, 40000,
					     7 + valid, 9),
			40000);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar1_rw(&t->vgpu, t->user + valid, 10,
						SZ_2M, true),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, test_first_off(t->fb.bytes + SZ_2M, 10, SZ_2M, 9),
			10);
	KUNIT_EXPECT_EQ(test, t->fb.outside, 0);
}

static struct kunit_case nvkm_vgpu_bar1_cases[] = {
	KUNIT_CASE_PARAM(test_read_is_the_fb_then_zeros_past_the_slice,
			 test_accessor_gen_params),
	KUNIT_CASE_PARAM(test_write_lands_in_the_fb_and_past_the_slice_is_dropped,
			 test_accessor_gen_params),
	KUNIT_CASE_PARAM(test_backend_error_gives_the_bytes_before_it_or_the_errno,
			 test_accessor_gen_params),
	KUNIT_CASE_PARAM(test_user_fault_gives_the_bytes_before_it_or_efault,
			 test_accessor_gen_params),
	{}
};

static struct kunit_suite nvkm_vgpu_bar1_suite = {
	.name = "nvkm_vgpu_bar1",
	.test_cases = nvkm_vgpu_bar1_cases,
};

kunit_test_suite(nvkm_vgpu_bar1_suite);
