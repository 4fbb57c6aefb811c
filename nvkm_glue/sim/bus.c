// SPDX-License-Identifier: GPL-2.0
/*
 * The nvkm_vgpu_sim bus: where simulated GPUs are created and deleted, after
 * netdevsim's bus (drivers/net/netdevsim/bus.c).
 *
 *   echo tiny > /sys/bus/nvkm_vgpu_sim/new_device    creates nvkm_vgpu_sim<N>
 *   echo N > /sys/bus/nvkm_vgpu_sim/del_device       deletes it
 *
 * No driver binds to the devices: creating one registers it with the vGPU
 * manager straight away, so a failure reaches the writer of new_device as
 * its errno. Each device is its GPU's mdev parent; it lives as long as a
 * reference does (the manager's and the mdev core's may outlast the GPU's
 * deletion for a moment), and module unload waits for every device's
 * release.
 *
 * Lock order, outermost first:
 *   nvkm_vgpu_sim_bus_lock -> the manager's locks (nvkm_vgpu_gpu_register())
 * nvkm_vgpu_gpu_unregister() may wait for the users of a GPU's vGPUs, so it
 * runs without nvkm_vgpu_sim_bus_lock: a GPU is taken off the list under the
 * lock, then deleted.
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>

#include "bus.h"
#include "gpu.h"
#include "preset.h"

/* Longest preset name quoted back in a log line. */
#define NVKM_VGPU_SIM_NAME_LOG_MAX 32

/**
 * struct nvkm_vgpu_sim_bus_gpu - a simulated GPU on a device of its own
 * @dev: "nvkm_vgpu_sim<N>" on the bus, N (@dev.id) from an IDA; its
 *	refcount keeps this structure alive. The driver core guards it.
 * @sim: the GPU, on @dev.
 * @node: entry in nvkm_vgpu_sim_bus_gpus, guarded by nvkm_vgpu_sim_bus_lock.
 */
struct nvkm_vgpu_sim_bus_gpu {
	struct device dev;
	struct nvkm_vgpu_sim_gpu sim;
	struct list_head node;
};

/* N of the devices "nvkm_vgpu_sim<N>"; the IDA locks itself. */
static DEFINE_IDA(nvkm_vgpu_sim_bus_ids);
/* Devices initialized and not yet released, for module unload to wait on. */
static atomic_t nvkm_vgpu_sim_bus_live = ATOMIC_INIT(0);

/* Guards nvkm_vgpu_sim_bus_gpus and nvkm_vgpu_sim_bus_open. */
static DEFINE_MUTEX(nvkm_vgpu_sim_bus_lock);
/* Simulated GPUs on the bus, oldest first. */
static LIST_HEAD(nvkm_vgpu_sim_bus_gpus);
/* GPUs may be created: from bus init to the start of bus fini. */
static bool nvkm_vgpu_sim_bus_open;

static void nvkm_vgpu_sim_bus_gpu_release(struct device *dev)
{
	kfree(container_of(dev, struct nvkm_vgpu_sim_bus_gpu, dev));
	if (atomic_dec_and_test(&nvkm_vgpu_sim_bus_live))
		wake_up_var(&nvkm_vgpu_sim_bus_live);
}

static const struct device_type nvkm_vgpu_sim_bus_gpu_type = {
	.name = "nvkm_vgpu_sim_gpu",
	.groups = nvkm_vgpu_sim_gpu_groups,
	.release = nvkm_vgpu_sim_bus_gpu_release,
};

/*
 * Adds device "nvkm_vgpu_sim<N>" (N the lowest free number) to the bus and
 * makes a simulated GPU of the preset on it. Returns it, or ERR_PTR() of
 * -ENOMEM or of what device_add() or nvkm_vgpu_sim_gpu_init() returned;
 * nothing is left behind then.
 */
static struct nvkm_vgpu_sim_bus_gpu *
nvkm_vgpu_sim_bus_gpu_new(const struct nvkm_vgpu_sim_preset *preset)
{
	struct nvkm_vgpu_sim_bus_gpu *bgpu;
	int ret;

	bgpu = kzalloc(sizeof(*bgpu), GFP_KERNEL);
	if (!bgpu)
		return ERR_PTR(-ENOMEM);
	ret = ida_alloc(&nvkm_vgpu_sim_bus_ids, GFP_KERNEL);
	if (ret < 0) {
		kfree(bgpu);
		return ERR_PTR(ret);
	}

	/* From here on the device's release frees @bgpu. */
	atomic_inc(&nvkm_vgpu_sim_bus_live);
	device_initialize(&bgpu->dev);
	bgpu->dev.id = ret;
	bgpu->dev.bus = &nvkm_vgpu_sim_bus;
	bgpu->dev.type = &nvkm_vgpu_sim_bus_gpu_type;
	dev_set_drvdata(&bgpu->dev, &bgpu->sim);
	/* Its files are readable from device_add() on. */
	bgpu->sim.preset = preset;
	ret = device_add(&bgpu->dev);
	if (ret)
		goto err_put_dev;
	ret = nvkm_vgpu_sim_gpu_init(&bgpu->sim, &bgpu->dev, preset);
	if (ret)
		goto err_del_dev;
	return bgpu;

err_del_dev:
	device_del(&bgpu->dev);
err_put_dev:
	ida_free(&nvkm_vgpu_sim_bus_ids, bgpu->dev.id);
	put_device(&bgpu->dev);
	return ERR_PTR(ret);
}

/*
 * Takes a GPU, already off the bus's list, from the manager (which may
 * block until the users of its vGPUs let go), then removes its device,
 * freed when the last reference goes.
 */
static void nvkm_vgpu_sim_bus_gpu_del(struct nvkm_vgpu_sim_bus_gpu *bgpu)
{
	nvkm_vgpu_sim_gpu_fini(&bgpu->sim);
	device_del(&bgpu->dev);
	ida_free(&nvkm_vgpu_sim_bus_ids, bgpu->dev.id);
	put_device(&bgpu->dev);
}

/**
 * nvkm_vgpu_sim_bus_new_gpu() - create a simulated GPU from a preset
 * @preset: the preset's name; one trailing newline is ignored
 *
 * Return: 0; -EINVAL for an unknown preset (with one log line listing the
 * presets); -EBUSY while the module loads or unloads; -ENOMEM; or the
 * errno of device_add() or nvkm_vgpu_sim_gpu_init().
 */
int nvkm_vgpu_sim_bus_new_gpu(const char *preset)
{
	const struct nvkm_vgpu_sim_preset *found;
	struct nvkm_vgpu_sim_bus_gpu *bgpu;
	char names[64];
	int ret = 0;

	found = nvkm_vgpu_sim_preset_find(preset);
	if (!found) {
		nvkm_vgpu_sim_preset_names(names, sizeof(names));
		pr_warn_ratelimited("nvkm_vgpu_sim: unknown preset \"%.*s\"; presets: %s\n",
				    (int)min_t(size_t, strcspn(preset, "\n"),
					       NVKM_VGPU_SIM_NAME_LOG_MAX),
				    preset, names);
		return -EINVAL;
	}

	mutex_lock(&nvkm_vgpu_sim_bus_lock);
	if (!nvkm_vgpu_sim_bus_open) {
		ret = -EBUSY;
		goto out_unlock;
	}
	bgpu = nvkm_vgpu_sim_bus_gpu_new(found);
	if (IS_ERR(bgpu)) {
		ret = PTR_ERR(bgpu);
		goto out_unlock;
	}
	list_add_tail(&bgpu->node, &nvkm_vgpu_sim_bus_gpus);
out_unlock:
	mutex_unlock(&nvkm_vgpu_sim_bus_lock);
	return ret;
}

/**
 * nvkm_vgpu_sim_bus_del_gpu() - delete a simulated GPU
 * @id: N of device "nvkm_vgpu_sim<N>"
 *
 * May block until the users of the GPU's vGPUs let go (see
 * nvkm_vgpu_sim_gpu_fini()).
 *
 * Return: 0, or -ENODEV (with one log line) when there is no such GPU or
 * another deletion of it is under way.
 */
int nvkm_vgpu_sim_bus_del_gpu(unsigned int id)
{
	struct nvkm_vgpu_sim_bus_gpu *bgpu, *found = NULL;

	mutex_lock(&nvkm_vgpu_sim_bus_lock);
	list_for_each_entry(bgpu, &nvkm_vgpu_sim_bus_gpus, node) {
		if (bgpu->dev.id == id) {
			list_del(&bgpu->node);
			found = bgpu;
			break;
		}
	}
	mutex_unlock(&nvkm_vgpu_sim_bus_lock);

	if (!found) {
		pr_warn_ratelimited("nvkm_vgpu_sim: no simulated GPU %u\n", id);
		return -ENODEV;
	}
	nvkm_vgpu_sim_bus_gpu_del(found);
	return 0;
}

static ssize_t new_device_store(NVKM_VGPU_SIM_BUS_TYPE *bus, const char *buf,
				size_t count)
{
	int ret = nvkm_vgpu_sim_bus_new_gpu(buf);

	return ret ? ret : count;
}
static BUS_ATTR_WO(new_device);

static ssize_t del_device_store(NVKM_VGPU_SIM_BUS_TYPE *bus, const char *buf,
				size_t count)
{
	unsigned int id;
	int ret;

	ret = kstrtouint(buf, 10, &id);
	if (ret) {
		pr_warn_ratelimited("nvkm_vgpu_sim: del_device takes the N of nvkm_vgpu_sim<N>\n");
		return ret;
	}
	ret = nvkm_vgpu_sim_bus_del_gpu(id);
	return ret ? ret : count;
}
static BUS_ATTR_WO(del_device);

static struct attribute *nvkm_vgpu_sim_bus_attrs[] = {
	&bus_attr_new_device.attr,
	&bus_attr_del_device.attr,
	NULL,
};
ATTRIBUTE_GROUPS(nvkm_vgpu_sim_bus);

/* Not const before Linux 6.4: see NVKM_VGPU_SIM_BUS_TYPE. */
NVKM_VGPU_SIM_BUS_TYPE nvkm_vgpu_sim_bus = {
	.name = "nvkm_vgpu_sim",
	.dev_name = "nvkm_vgpu_sim",
	.bus_groups = nvkm_vgpu_sim_bus_groups,
};

/**
 * nvkm_vgpu_sim_bus_init() - register the bus and open it for new GPUs
 *
 * Return: 0, or the errno of bus_register().
 */
int nvkm_vgpu_sim_bus_init(void)
{
	int ret;

	ret = bus_register(&nvkm_vgpu_sim_bus);
	if (ret)
		return ret;
	mutex_lock(&nvkm_vgpu_sim_bus_lock);
	nvkm_vgpu_sim_bus_open = true;
	mutex_unlock(&nvkm_vgpu_sim_bus_lock);
	return 0;
}

/**
 * nvkm_vgpu_sim_bus_fini() - delete every simulated GPU and the bus
 *
 * Each GPU is unregistered from the manager before its device goes, newest
 * first. Removing the bus's files waits for deletions under way through
 * del_device; then every device's memory is waited for.
 */
void nvkm_vgpu_sim_bus_fini(void)
{
	struct nvkm_vgpu_sim_bus_gpu *bgpu, *tmp;
	LIST_HEAD(doomed);

	mutex_lock(&nvkm_vgpu_sim_bus_lock);
	nvkm_vgpu_sim_bus_open = false;
	list_splice_init(&nvkm_vgpu_sim_bus_gpus, &doomed);
	mutex_unlock(&nvkm_vgpu_sim_bus_lock);

	list_for_each_entry_safe_reverse(bgpu, tmp, &doomed, node) {
		list_del(&bgpu->node);
		nvkm_vgpu_sim_bus_gpu_del(bgpu);
	}
	bus_unregister(&nvkm_vgpu_sim_bus);
	wait_var_event(&nvkm_vgpu_sim_bus_live,
		       !atomic_read(&nvkm_vgpu_sim_bus_live));
}
