// SPDX-License-Identifier: GPL-2.0
/*
 * Board geometries and managed objects shared by the KUnit suites. Every
 * object is released by a deferred action, so a failed assertion leaks
 * nothing.
 */
#include <kunit/device.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../../vgpu_mgr/alloc.h"
#include "../../vgpu_mgr/catalogue.h"
#include "fixtures.h"

/* The suites never touch FB: a GPU whose FB cannot be backed at all. */
static struct page *nvkm_vgpu_test_fb_page(void *priv, u64 offset, bool alloc)
{
	return alloc ? ERR_PTR(-ENOMEM) : NULL;
}

static int nvkm_vgpu_test_fb_pfn(void *priv, u64 offset, unsigned long *pfn)
{
	return -ENOMEM;
}

static int nvkm_vgpu_test_fb_scrub(void *priv, u64 offset, u64 size)
{
	return 0;
}

static int nvkm_vgpu_test_fb_reserve(void *priv, u64 offset, u64 size)
{
	return 0;
}

static void nvkm_vgpu_test_fb_release(void *priv, u64 offset, u64 size)
{
}

static u64 nvkm_vgpu_test_fb_used(void *priv, u64 offset, u64 size)
{
	return 0;
}

/* Nor do they make channels: a GPU that refuses them. */
static void *nvkm_vgpu_test_chan_create(void *priv,
					const struct nvkm_vgpu_chan_desc *desc)
{
	return ERR_PTR(-ENOMEM);
}

static void nvkm_vgpu_test_chan_op(void *priv, void *chan)
{
}

const struct nvkm_vgpu_backend_ops nvkm_vgpu_test_ops = {
	.version = NVKM_VGPU_BACKEND_VERSION,
	.owner = THIS_MODULE,
	.name = "kunit",
	.fb_page = nvkm_vgpu_test_fb_page,
	.fb_pfn = nvkm_vgpu_test_fb_pfn,
	.fb_scrub = nvkm_vgpu_test_fb_scrub,
	.fb_reserve = nvkm_vgpu_test_fb_reserve,
	.fb_release = nvkm_vgpu_test_fb_release,
	.fb_used = nvkm_vgpu_test_fb_used,
	.chan_create = nvkm_vgpu_test_chan_create,
	.chan_destroy = nvkm_vgpu_test_chan_op,
	.chan_kick = nvkm_vgpu_test_chan_op,
	.chan_preempt = nvkm_vgpu_test_chan_op,
	.chan_reset = nvkm_vgpu_test_chan_op,
};

/**
 * nvkm_vgpu_test_board_desc() - name a board parameter after its board
 * @geo: pointer to the parameter
 * @desc: buffer of KUNIT_PARAM_DESC_SIZE
 */
void nvkm_vgpu_test_board_desc(const struct nvkm_vgpu_geometry *const *geo,
			       char *desc)
{
	strscpy(desc, (*geo)->board, KUNIT_PARAM_DESC_SIZE);
}

/**
 * nvkm_vgpu_test_dev() - a fresh device, unregistered when @test ends
 * @test: the test
 *
 * Return: the device, named uniquely.
 */
struct device *nvkm_vgpu_test_dev(struct kunit *test)
{
	static atomic_t serial = ATOMIC_INIT(0);
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "nvkm-vgpu-test-%d",
		 atomic_inc_return(&serial));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	return dev;
}

static void nvkm_vgpu_test_catalogue_del(void *cat)
{
	nvkm_vgpu_catalogue_del(cat);
}

/**
 * nvkm_vgpu_test_catalogue() - a catalogue freed when @test ends
 * @test: the test
 * @geo: geometry to build it from; must be valid
 *
 * Return: the catalogue; the test fails on the spot if it cannot be built.
 */
struct nvkm_vgpu_catalogue *
nvkm_vgpu_test_catalogue(struct kunit *test, const struct nvkm_vgpu_geometry *geo)
{
	struct nvkm_vgpu_catalogue *cat = nvkm_vgpu_catalogue_new(geo);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cat);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, nvkm_vgpu_test_catalogue_del,
						  cat));
	return cat;
}

static void nvkm_vgpu_test_alloc_fini(void *data)
{
	struct nvkm_vgpu_alloc *alloc = data;
	struct nvkm_vgpu_slice *slice;
	unsigned long id;

	/* Slices a failed test left behind go back before the fini. */
	xa_for_each(&alloc->slices, id, slice)
		nvkm_vgpu_slice_del(alloc, slice);
	nvkm_vgpu_alloc_fini(alloc);
}

/**
 * nvkm_vgpu_test_alloc() - an allocator torn down when @test ends
 * @test: the test
 * @geo: the GPU's geometry; must be valid
 *
 * Return: the allocator, with slices still alive at the end deleted for
 * the test.
 */
struct nvkm_vgpu_alloc *nvkm_vgpu_test_alloc(struct kunit *test,
					     const struct nvkm_vgpu_geometry *geo)
{
	struct nvkm_vgpu_alloc *alloc;
	struct device *dev;

	dev = nvkm_vgpu_test_dev(test);
	alloc = kunit_kzalloc(test, sizeof(*alloc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, alloc);
	KUNIT_ASSERT_EQ(test, 0, nvkm_vgpu_alloc_init(alloc, dev, geo));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, nvkm_vgpu_test_alloc_fini,
						  alloc));
	return alloc;
}

/**
 * nvkm_vgpu_test_type() - a catalogue type that must exist
 * @test: the test
 * @cat: the catalogue
 * @name: the type's sysfs name
 *
 * Return: the type; the test fails on the spot if there is none.
 */
const struct nvkm_vgpu_type *
nvkm_vgpu_test_type(struct kunit *test, const struct nvkm_vgpu_catalogue *cat,
		    const char *name)
{
	const struct nvkm_vgpu_type *type = nvkm_vgpu_catalogue_find(cat, name);

	KUNIT_ASSERT_NOT_NULL_MSG(test, type, "no type %s", name);
	return type;
}

static void nvkm_vgpu_test_gpu_unregister(void *gpu)
{
	nvkm_vgpu_gpu_unregister(gpu);
}

/**
 * nvkm_vgpu_test_gpu_ops() - a GPU of the test's backend, unregistered at its end
 * @test: the test
 * @geo: the GPU's geometry; must be valid
 * @ops: the backend's operations; must outlive the test's cleanup of the
 *	GPU (static, or allocated before this is called)
 * @priv: handed to every operation
 *
 * Return: the GPU, registered on a fresh KUnit device.
 */
struct nvkm_vgpu_gpu *
nvkm_vgpu_test_gpu_ops(struct kunit *test, const struct nvkm_vgpu_geometry *geo,
		       const struct nvkm_vgpu_backend_ops *ops, void *priv)
{
	struct nvkm_vgpu_gpu *gpu;
	struct device *dev;

	dev = nvkm_vgpu_test_dev(test);
	gpu = nvkm_vgpu_gpu_register(dev, ops, geo, priv);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, gpu);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, nvkm_vgpu_test_gpu_unregister,
						  gpu));
	return gpu;
}

/**
 * nvkm_vgpu_test_gpu() - a registered GPU, unregistered when @test ends
 * @test: the test
 * @geo: the GPU's geometry; must be valid
 *
 * Return: the GPU, registered on a fresh KUnit device with
 * &nvkm_vgpu_test_ops and @test as its backend's private data.
 */
struct nvkm_vgpu_gpu *nvkm_vgpu_test_gpu(struct kunit *test,
					 const struct nvkm_vgpu_geometry *geo)
{
	return nvkm_vgpu_test_gpu_ops(test, geo, &nvkm_vgpu_test_ops, test);
}
