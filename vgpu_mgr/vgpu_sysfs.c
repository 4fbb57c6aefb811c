// SPDX-License-Identifier: GPL-2.0
/*
 * Per-vGPU sysfs: /sys/bus/mdev/devices/<uuid>/nvkm_vgpu/, documented in
 * Documentation/ABI/testing/sysfs-bus-mdev-nvkm_vgpu. Attached by the driver
 * core while the mdev is bound to our driver.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "alloc_types.h"
#include "catalogue.h"
#include "vgpu.h"

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
	return sysfs_emit(buf, "%u\n", dev_to_vgpu(dev)->type->weight);
}
static DEVICE_ATTR_RO(weight);

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
