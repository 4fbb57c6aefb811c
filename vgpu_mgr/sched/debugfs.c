// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler in debugfs: /sys/kernel/debug/nvkm_vgpu/<device>/sched_log,
 * the last NVKM_VGPU_SCHED_LOG_LEN decisions of a GPU's runlists, oldest
 * first, one per line: "<t_ns> <engine> <event> <vgpu|-> <value_us>"
 * (Documentation/admin-guide.rst). debugfs is for debugging: nothing
 * fails when it is missing.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sched.h"

static struct dentry *nvkm_vgpu_debugfs_root;

static const char *const nvkm_vgpu_sched_event_names[] = {
	[NVKM_VGPU_SCHED_EV_RUN] = "run",
	[NVKM_VGPU_SCHED_EV_END] = "end",
	[NVKM_VGPU_SCHED_EV_PREEMPT] = "preempt",
	[NVKM_VGPU_SCHED_EV_IDLE] = "idle",
};

static int sched_log_show(struct seq_file *m, void *v)
{
	struct nvkm_vgpu_sched_gpu *sg = m->private;
	struct nvkm_vgpu_sched_log_entry *copy;
	u32 count, head, i;

	copy = kmalloc_array(NVKM_VGPU_SCHED_LOG_LEN, sizeof(*copy),
			     GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	/* A copy, so the seq_file's user copy is made without the lock. */
	spin_lock_irq(&sg->log_lock);
	memcpy(copy, sg->log, sizeof(sg->log));
	count = sg->log_count;
	head = sg->log_head;
	spin_unlock_irq(&sg->log_lock);

	for (i = 0; i < count; i++) {
		const struct nvkm_vgpu_sched_log_entry *l;

		l = &copy[(head + NVKM_VGPU_SCHED_LOG_LEN - count + i) %
			  NVKM_VGPU_SCHED_LOG_LEN];
		seq_printf(m, "%llu %s %s %s %llu\n", l->t_ns, l->engine,
			   nvkm_vgpu_sched_event_names[l->event], l->vgpu,
			   l->value_us);
	}
	kfree(copy);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sched_log);

/**
 * nvkm_vgpu_sched_debugfs_init() - a GPU's scheduler files in debugfs
 * @sg: the GPU's scheduling
 * @name: the directory's name: the GPU's device name
 */
void nvkm_vgpu_sched_debugfs_init(struct nvkm_vgpu_sched_gpu *sg,
				  const char *name)
{
	sg->debugfs = debugfs_create_dir(name, nvkm_vgpu_debugfs_root);
	debugfs_create_file("sched_log", 0400, sg->debugfs, sg,
			    &sched_log_fops);
}

/**
 * nvkm_vgpu_sched_debugfs_fini() - remove a GPU's scheduler files
 * @sg: the GPU's scheduling
 *
 * Once it returns, no reader is inside them.
 */
void nvkm_vgpu_sched_debugfs_fini(struct nvkm_vgpu_sched_gpu *sg)
{
	debugfs_remove_recursive(sg->debugfs);
	sg->debugfs = NULL;
}

/**
 * nvkm_vgpu_sched_debugfs_root_init() - make nvkm_vgpu's debugfs root
 *
 * At module load.
 */
void nvkm_vgpu_sched_debugfs_root_init(void)
{
	nvkm_vgpu_debugfs_root = debugfs_create_dir("nvkm_vgpu", NULL);
}

/**
 * nvkm_vgpu_sched_debugfs_root_fini() - remove nvkm_vgpu's debugfs root
 *
 * At module unload, every GPU gone.
 */
void nvkm_vgpu_sched_debugfs_root_fini(void)
{
	debugfs_remove_recursive(nvkm_vgpu_debugfs_root);
	nvkm_vgpu_debugfs_root = NULL;
}
