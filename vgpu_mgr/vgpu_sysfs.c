// SPDX-License-Identifier: GPL-2.0
/*
 * Per-vGPU sysfs: /sys/bus/mdev/devices/<uuid>/nvkm_vgpu/, documented in
 * Documentation/ABI/testing/sysfs-bus-mdev-nvkm_vgpu. Attached by the driver
 * core while the mdev is bound to our driver.
 */
#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>
#include <linux/time64.h>

#include "alloc_types.h"
#include "catalogue.h"
#include "gpu_types.h"
#include "parent.h"
#include "sched/policy.h"
#include "sched/sched.h"
#include "vgpu.h"

/* sched_stats' first line: its columns' names. */
#define NVKM_VGPU_SCHED_STATS_HEADER \
	"engine busy_ns slices preemptions timeouts resets wait_p50_us wait_p99_us share_ppm"
/* A fixed-share weight written in sysfs, at most. */
#define NVKM_VGPU_WEIGHT_MAX 1000
/* A preemption timeout written in sysfs, in microseconds. */
#define NVKM_VGPU_PREEMPT_TIMEOUT_MIN_US 1000
#define NVKM_VGPU_PREEMPT_TIMEOUT_MAX_US 1000000

static struct nvkm_vgpu *dev_to_vgpu(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t type_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_to_vgpu(dev)->type->name);
}
static DEVICE_ATTR_RO(type);

static ssize_t placement_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_vgpu(dev)->slice->placement);
}
static DEVICE_ATTR_RO(placement);

static ssize_t fb_offset_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%#llx\n", dev_to_vgpu(dev)->slice->fb_offset);
}
static DEVICE_ATTR_RO(fb_offset);

static ssize_t fb_size_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n", dev_to_vgpu(dev)->slice->fb_size);
}
static DEVICE_ATTR_RO(fb_size);

static ssize_t chids_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	const struct nvkm_vgpu_slice *slice = dev_to_vgpu(dev)->slice;

	return sysfs_emit(buf, "%u-%u\n", slice->chid_base,
			  slice->chid_base + slice->chid_count - 1);
}
static DEVICE_ATTR_RO(chids);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	const unsigned long *engines = &dev_to_vgpu(dev)->type->engines;
	int e, len = 0;

	for_each_set_bit(e, engines, NVKM_VGPU_ENGINE_NR)
		len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
				     nvkm_vgpu_engine_name(e));
	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(engines);

static ssize_t weight_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  nvkm_vgpu_sched_weight(dev_to_vgpu(dev)->sched));
}

static ssize_t weight_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	u32 w;

	if (kstrtou32(buf, 0, &w) || w > NVKM_VGPU_WEIGHT_MAX) {
		dev_warn_ratelimited(dev, "weight: expected 1-%u, or 0 for the type's\n",
				     NVKM_VGPU_WEIGHT_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(dev_to_vgpu(dev)->sched->weight, w);
	return count;
}
static DEVICE_ATTR_RW(weight);

static ssize_t exec_quantum_ms_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	u32 us = READ_ONCE(dev_to_vgpu(dev)->sched->exec_quantum_us);

	return sysfs_emit(buf, "%u\n", us / (u32)USEC_PER_MSEC);
}

static ssize_t exec_quantum_ms_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	u32 ms;

	if (kstrtou32(buf, 0, &ms) || ms > NVKM_VGPU_TIMESLICE_MAX_MS) {
		dev_warn_ratelimited(dev, "exec_quantum_ms: expected 1-%u, or 0 for the GPU's time slice\n",
				     NVKM_VGPU_TIMESLICE_MAX_MS);
		return -EINVAL;
	}
	WRITE_ONCE(dev_to_vgpu(dev)->sched->exec_quantum_us,
		   ms * USEC_PER_MSEC);
	return count;
}
static DEVICE_ATTR_RW(exec_quantum_ms);

static ssize_t preempt_timeout_us_show(struct device *dev,
				       struct device_attribute *attr, char *buf)
{
	u32 us = READ_ONCE(dev_to_vgpu(dev)->sched->preempt_timeout_us);

	return sysfs_emit(buf, "%u\n", us);
}

static ssize_t preempt_timeout_us_store(struct device *dev,
					struct device_attribute *attr,
					const char *buf, size_t count)
{
	u32 us;

	if (kstrtou32(buf, 0, &us) ||
	    (us && (us < NVKM_VGPU_PREEMPT_TIMEOUT_MIN_US ||
		    us > NVKM_VGPU_PREEMPT_TIMEOUT_MAX_US))) {
		dev_warn_ratelimited(dev, "preempt_timeout_us: expected %u-%u, or 0 for %u\n",
				     NVKM_VGPU_PREEMPT_TIMEOUT_MIN_US,
				     NVKM_VGPU_PREEMPT_TIMEOUT_MAX_US,
				     NVKM_VGPU_SCHED_PREEMPT_TIMEOUT_US);
		return -EINVAL;
	}
	WRITE_ONCE(dev_to_vgpu(dev)->sched->preempt_timeout_us, us);
	return count;
}
static DEVICE_ATTR_RW(preempt_timeout_us);

static ssize_t channels_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct nvkm_vgpu *vgpu = dev_to_vgpu(dev);
	struct nvkm_vgpu_chan *chan;
	unsigned long id;
	u32 n = 0;

	mutex_lock(&vgpu->chans.lock);
	xa_for_each(&vgpu->chans.xa, id, chan)
		n++;
	mutex_unlock(&vgpu->chans.lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(channels);

static ssize_t fb_used_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct nvkm_vgpu *vgpu = dev_to_vgpu(dev);
	const struct nvkm_vgpu_slice *slice = vgpu->slice;
	u64 used = 0;

	/* Under the lock that orders it before the GPU's unregister. */
	mutex_lock(&vgpu->lock);
	if (!vgpu->removed)
		used = vgpu->gpu->ops->fb_used(vgpu->gpu->priv,
					       slice->fb_offset,
					       slice->fb_size);
	mutex_unlock(&vgpu->lock);
	return sysfs_emit(buf, "%llu\n", used);
}
static DEVICE_ATTR_RO(fb_used);

/* Whether the vGPU's type may use the runlist of entity @i. */
static bool vgpu_uses(const struct nvkm_vgpu *vgpu, u32 i)
{
	return test_bit(vgpu->sched->ent[i].sched->type, &vgpu->type->engines);
}

static ssize_t sched_stats_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct nvkm_vgpu *vgpu = dev_to_vgpu(dev);
	struct nvkm_vgpu_sched_stats st;
	struct nvkm_vgpu_sched_entity *e;
	u32 i, share;
	int len;

	len = sysfs_emit(buf, "%s\n", NVKM_VGPU_SCHED_STATS_HEADER);
	for (i = 0; i < vgpu->sched->nr; i++) {
		if (!vgpu_uses(vgpu, i))
			continue;
		e = &vgpu->sched->ent[i];
		nvkm_vgpu_sched_read(e, &st, &share);
		len += sysfs_emit_at(buf, len, "%s %llu %llu %llu %llu %llu %u %u %u\n",
				     e->sched->name, st.busy_ns, st.slices,
				     st.preemptions, st.timeouts, st.resets,
				     nvkm_vgpu_sched_hist_percentile_us(&st, 50),
				     nvkm_vgpu_sched_hist_percentile_us(&st, 99),
				     share);
	}
	return len;
}
static DEVICE_ATTR_RO(sched_stats);

static ssize_t wait_hist_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct nvkm_vgpu *vgpu = dev_to_vgpu(dev);
	struct nvkm_vgpu_sched_stats st;
	struct nvkm_vgpu_sched_entity *e;
	u32 i, k, share;
	int len = 0;

	for (i = 0; i < vgpu->sched->nr; i++) {
		if (!vgpu_uses(vgpu, i))
			continue;
		e = &vgpu->sched->ent[i];
		nvkm_vgpu_sched_read(e, &st, &share);
		len += sysfs_emit_at(buf, len, "%s", e->sched->name);
		for (k = 0; k < NVKM_VGPU_SCHED_HIST_BUCKETS; k++)
			len += sysfs_emit_at(buf, len, " %llu", st.wait_hist[k]);
		len += sysfs_emit_at(buf, len, "\n");
	}
	return len;
}
static DEVICE_ATTR_RO(wait_hist);

static ssize_t interrupts_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct nvkm_vgpu *vgpu = dev_to_vgpu(dev);
	u64 fired;

	mutex_lock(&vgpu->lock);
	fired = vgpu->irqs_fired;
	mutex_unlock(&vgpu->lock);
	return sysfs_emit(buf, "%llu\n", fired);
}
static DEVICE_ATTR_RO(interrupts);

static struct attribute *nvkm_vgpu_sysfs_attrs[] = {
	&dev_attr_type.attr,
	&dev_attr_placement.attr,
	&dev_attr_fb_offset.attr,
	&dev_attr_fb_size.attr,
	&dev_attr_chids.attr,
	&dev_attr_engines.attr,
	&dev_attr_weight.attr,
	&dev_attr_interrupts.attr,
	&dev_attr_exec_quantum_ms.attr,
	&dev_attr_preempt_timeout_us.attr,
	&dev_attr_channels.attr,
	&dev_attr_fb_used.attr,
	&dev_attr_sched_stats.attr,
	&dev_attr_wait_hist.attr,
	NULL
};

static const struct attribute_group nvkm_vgpu_sysfs_group = {
	.name = "nvkm_vgpu",
	.attrs = nvkm_vgpu_sysfs_attrs,
};

const struct attribute_group *nvkm_vgpu_sysfs_groups[] = {
	&nvkm_vgpu_sysfs_group,
	NULL
};
