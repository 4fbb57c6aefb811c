// SPDX-License-Identifier: GPL-2.0
/*
 * bench_sched: what the engine scheduler delivers (make bench; run by
 * tests/vm/bench.sh after bench, before bench_peers).
 *
 * Up to 8 h100-10c vGPUs on the simulated h100, whose one GR runlist
 * (gr0) they share. A busy vGPU has one GR channel kept full by a feeder
 * (lib/work.c: a 1024-entry GPFIFO of 500 us SIM_BUSY launches, refilled
 * every 10 ms); only the vGPUs of a case have a channel, so only they
 * count in the shares. A delivered share is the vGPU's sched_stats busy_ns
 * delta over a window divided by the window's wall time. Measured:
 *
 *   fixed     fixed_share, weights 1:9 over 2 vGPUs, 1,9,1,9,... over 8
 *             (configured 2.5 % and 22.5 %), 1:2:3:4 over 4: delivered
 *             against configured, the largest deviation in percentage
 *             points (goal <= 2 pp);
 *   equal     equal_share, 4 vGPUs with channels, 3 busy: 25 % each, the
 *             engine 25 % idle;
 *   best      best_effort with 2 to 8 busy vGPUs: utilisation (goal >=
 *             98 %), slices per second, and the engine time lost per
 *             slice switch, (1 - utilisation) / switches per second;
 *   switch    fixed 1:9 over 2 busy vGPUs switched to equal_share: the
 *             shares every 100 ms from 2 s before to 2 s after;
 *   wait      best_effort, 4 busy vGPUs, timeslice_ms 1, 2, 5, 10:
 *             wait-to-run p50/p99 from the wait_hist deltas (bucket upper
 *             bounds) and from sched_log (a vGPU's run after its previous
 *             end; the log's last 200 decisions), against the bound
 *             (busy - 1) x slice + preemption timeout (100 ms);
 *   acct      one vGPU alone, 40 launches of 25 ms, then 10 of 100 ms:
 *             busy_ns against the 1 s submitted (goal within 1 %); busy_ns
 *             is the time of the channel's turns, so each launch adds its
 *             GPFIFO entry's fetch and decoding: the two tell that apart.
 *
 * Writes to OUT (default $NVKM_RESULTS, else .): sched-shares.tsv (case,
 * vGPU, weight, configured %, delivered %, share_ppm), sched-best.tsv
 * (busy vGPUs, utilisation %, slices/s, us lost per switch),
 * sched-switch.tsv (ms from the switch, each vGPU's % of the 100 ms),
 * sched-wait.tsv (slice ms, hist p50/p99 us, log p50/p99 us, samples,
 * bound us), sched-acct.tsv (launches, launch ns, submitted
 * ns, busy_ns, error %) and
 * sched-summary.tsv (goal, value, target, met). Prints TAP: a line per
 * case, "ok" when it was measured; whether a goal was met is in its text
 * and in sched-summary.tsv, not in the TAP.
 *
 * Usage: bench_sched [--window MS] [--out DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>

#include "cleanup.h"
#include "sysfs.h"
#include "tap.h"
#include "work.h"

#define NR_MAX		8
#define ENTRIES		1024		/* 512 ms of launches */
#define LAUNCH_NS	500000ull
#define FEED_MS		10
#define SETTLE_MS	500
#define SERIES_STEP_MS	100
#define SERIES_MS	2000		/* on each side of the switch */
#define PREEMPT_DEFAULT_US 100000	/* preempt_timeout_us 0 */
#define LOG_MAX		256

#define GOAL_SHARE_PP	2.0
#define GOAL_UTIL	98.0
#define GOAL_ACCT_PCT	1.0

static struct vgpu_parent par;
static struct work_vgpu g[NR_MAX];
static struct work_chan ch[NR_MAX];
static bool has_chan[NR_MAX];
static char names[NR_MAX][8];
static unsigned int window_ms = 3000;
static const char *out;
static FILE *f_shares, *f_best, *f_switch, *f_wait, *f_acct, *f_summary;

struct window {
	double wall_s;
	double share[NR_MAX];
	double util;
	u64 slices;
	struct work_stats d[NR_MAX];
};

static void restore_gpu(void)
{
	parent_set(&par, "scheduler", "best_effort");
	parent_set(&par, "timeslice_ms", "0");
}

static void gpu_set(const char *knob, const char *val)
{
	int ret = parent_set(&par, knob, val);

	if (ret)
		tap_bail("write %s to the GPU's %s: %s", val, knob, errno_name(-ret));
}

static void weight_set(int i, unsigned int w)
{
	char path[256], val[16];
	int ret;

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%s/nvkm_vgpu/weight",
		 g[i].d.uuid);
	snprintf(val, sizeof(val), "%u", w);
	ret = sysfs_write(path, val);
	if (ret)
		tap_bail("%s: weight %u: %s", names[i], w, errno_name(-ret));
}

static void stats(int i, struct work_stats *st)
{
	int ret = work_stats_read(g[i].d.uuid, "gr0", st);

	if (ret)
		tap_bail("%s: sched_stats gr0: %s", names[i], errno_name(-ret));
}

/* vGPUs [0, @n) have a feeder; [0, @busy) of them are fed. */
static void setup(unsigned int n, unsigned int busy)
{
	unsigned int i;
	u32 status;

	for (i = 0; i < NR_MAX; i++) {
		if (i < n && !has_chan[i]) {
			status = work_chan_new(&ch[i], &g[i],
					       NVKM_VGPU_CLASS_SIM_BUSY, ENTRIES);
			if (status)
				tap_bail("%s: GR channel: status %#x", names[i], status);
			has_chan[i] = true;
		}
		if (i >= n && has_chan[i]) {
			if (!work_feed_stop(&ch[i], WORK_WAIT_MS))
				tap_bail("%s: its GPFIFO stays busy", names[i]);
			work_chan_free(&ch[i]);
			has_chan[i] = false;
		}
		if (!has_chan[i])
			continue;
		if (i < busy && !ch[i].feeding)
			work_feed_start(&ch[i], LAUNCH_NS);
		/* What it queued runs out before it counts as idle. */
		if (i >= busy && ch[i].feeding &&
		    !work_feed_stop(&ch[i], WORK_WAIT_MS))
			tap_bail("%s: its GPFIFO stays busy", names[i]);
	}
}

static void feed_for(unsigned int ms)
{
	work_feed_for(ch, has_chan, NR_MAX, ms, FEED_MS);
}

static void snap(struct work_stats *st, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		stats(i, &st[i]);
}

static void measure(unsigned int n, unsigned int ms, struct window *w)
{
	struct work_stats a[NR_MAX], b[NR_MAX];
	unsigned int i, k;
	u64 t0;

	memset(w, 0, sizeof(*w));
	snap(a, n);
	t0 = now_us();
	feed_for(ms);
	snap(b, n);
	w->wall_s = (now_us() - t0) / 1e6;
	for (i = 0; i < n; i++) {
		w->d[i].busy_ns = b[i].busy_ns - a[i].busy_ns;
		w->d[i].slices = b[i].slices - a[i].slices;
		w->d[i].share_ppm = b[i].share_ppm;
		for (k = 0; k < WORK_HIST_BUCKETS; k++)
			w->d[i].hist[k] = b[i].hist[k] - a[i].hist[k];
		w->share[i] = w->d[i].busy_ns / 1e9 / w->wall_s;
		w->util += w->share[i];
		w->slices += w->d[i].slices;
	}
}

static void summary(const char *goal, double value, const char *target,
		    bool met)
{
	fprintf(f_summary, "%s\t%.2f\t%s\t%s\n", goal, value, target,
		met ? "yes" : "no");
}

static double abs_dev(double a, double b)
{
	return a > b ? a - b : b - a;
}

/* fixed_share with @n busy vGPUs of weights @w: the largest deviation. */
static void bench_fixed(const char *name, unsigned int n, const unsigned int *w)
{
	unsigned int i, total = 0;
	double dev = 0, conf;
	struct window win;

	setup(n, n);
	for (i = 0; i < n; i++) {
		weight_set(i, w[i]);
		total += w[i];
	}
	gpu_set("scheduler", "fixed_share");
	feed_for(SETTLE_MS);
	measure(n, window_ms, &win);
	for (i = 0; i < n; i++) {
		conf = 100.0 * w[i] / total;
		fprintf(f_shares, "%s\t%s\t%u\t%.2f\t%.2f\t%llu\n", name,
			names[i], w[i], conf, 100 * win.share[i],
			(unsigned long long)win.d[i].share_ppm);
		if (abs_dev(conf, 100 * win.share[i]) > dev)
			dev = abs_dev(conf, 100 * win.share[i]);
	}
	tap_check(true,
		  "fixed_share %s: largest deviation %.2f pp over %.1f s, utilisation %.1f %% (goal <= %.0f pp: %s)",
		  name, dev, win.wall_s, 100 * win.util, GOAL_SHARE_PP,
		  dev <= GOAL_SHARE_PP ? "met" : "MISSED");
	summary(name, dev, "<= 2 pp", dev <= GOAL_SHARE_PP);
	for (i = 0; i < n; i++)
		weight_set(i, 0);
}

/* equal_share, 4 vGPUs with channels, 3 of them busy. */
static void bench_equal(void)
{
	struct window win;
	double dev = 0;
	unsigned int i;

	setup(4, 3);
	gpu_set("scheduler", "equal_share");
	feed_for(SETTLE_MS);
	measure(4, window_ms, &win);
	for (i = 0; i < 4; i++) {
		double conf = i < 3 ? 25.0 : 0.0;

		fprintf(f_shares, "equal 3 busy + 1 idle\t%s\t-\t%.2f\t%.2f\t%llu\n",
			names[i], conf, 100 * win.share[i],
			(unsigned long long)win.d[i].share_ppm);
		if (abs_dev(conf, 100 * win.share[i]) > dev)
			dev = abs_dev(conf, 100 * win.share[i]);
	}
	fprintf(f_shares, "equal 3 busy + 1 idle\tidle\t-\t25.00\t%.2f\t-\n",
		100 * (1 - win.util));
	tap_check(true,
		  "equal_share, 3 busy of 4: %.2f %%, %.2f %%, %.2f %%, idle vGPU %.2f %%, engine idle %.2f %% (want 25 each; largest deviation %.2f pp)",
		  100 * win.share[0], 100 * win.share[1], 100 * win.share[2],
		  100 * win.share[3], 100 * (1 - win.util), dev);
	summary("equal 3 busy + 1 idle", dev, "<= 2 pp", dev <= GOAL_SHARE_PP);
}

/* best_effort with 2 to 8 busy vGPUs. */
static void bench_best(void)
{
	double rate, lost_us, worst = 100;
	struct window win;
	unsigned int n;

	gpu_set("scheduler", "best_effort");
	for (n = 2; n <= NR_MAX; n++) {
		setup(n, n);
		feed_for(SETTLE_MS);
		measure(n, window_ms, &win);
		rate = win.slices / win.wall_s;
		lost_us = rate > 0 ? (1 - win.util) / rate * 1e6 : 0;
		fprintf(f_best, "%u\t%.2f\t%.1f\t%.1f\n", n, 100 * win.util, rate,
			lost_us);
		tap_check(true,
			  "best_effort, %u busy: utilisation %.2f %%, %.0f slices/s, %.1f us lost per switch (goal >= %.0f %%: %s)",
			  n, 100 * win.util, rate, lost_us, GOAL_UTIL,
			  100 * win.util >= GOAL_UTIL ? "met" : "MISSED");
		if (100 * win.util < worst)
			worst = 100 * win.util;
	}
	summary("best_effort utilisation, worst of 2-8 busy", worst, ">= 98 %",
		worst >= GOAL_UTIL);
}

/* fixed 1:9 switched to equal_share, a sample every 100 ms. */
static void bench_switch(void)
{
	struct work_stats a[2], b[2];
	unsigned int steps = 2 * SERIES_MS / SERIES_STEP_MS, s;
	double after[2] = { 0, 0 };
	u64 t0, t1;
	int at;

	setup(2, 2);
	weight_set(0, 1);
	weight_set(1, 9);
	gpu_set("scheduler", "fixed_share");
	feed_for(SETTLE_MS);
	snap(a, 2);
	t0 = now_us();
	for (s = 0; s < steps; s++) {
		if (s == steps / 2)
			gpu_set("scheduler", "equal_share");
		feed_for(SERIES_STEP_MS);
		snap(b, 2);
		t1 = now_us();
		at = (int)(s + 1 - steps / 2) * SERIES_STEP_MS;
		fprintf(f_switch, "%d\t%.2f\t%.2f\n", at,
			(b[0].busy_ns - a[0].busy_ns) / 10.0 / (t1 - t0),
			(b[1].busy_ns - a[1].busy_ns) / 10.0 / (t1 - t0));
		if (s == steps / 2) {
			after[0] = (b[0].busy_ns - a[0].busy_ns) / 10.0 / (t1 - t0);
			after[1] = (b[1].busy_ns - a[1].busy_ns) / 10.0 / (t1 - t0);
		}
		memcpy(a, b, sizeof(a));
		t0 = t1;
	}
	tap_check(true,
		  "switch fixed 1:9 -> equal_share: first 100 ms after it %.1f %% / %.1f %% (series in sched-switch.tsv)",
		  after[0], after[1]);
	weight_set(0, 0);
	weight_set(1, 0);
}

/* debugfs, for sched_log. */
static void mounted_debugfs(void)
{
	if (!path_exists("/sys/kernel/debug/nvkm_vgpu") &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		tap_diag("mount -t debugfs: %s", errno_name(errno));
}

static u64 pct(u64 *v, unsigned int n, unsigned int p)
{
	sort_u64(v, n);
	return percentile_u64(v, n, p);
}

/*
 * Wait-to-run from sched_log: the time from a vGPU's end (its slice over)
 * to its next run, for the vGPUs [0, @n). Returns the samples in @us.
 */
static unsigned int log_waits(unsigned int n, u64 *us)
{
	static char buf[1 << 16];
	unsigned long long t, v, last[NR_MAX] = { 0 };
	char path[256], eng[16], ev[16], who[64], *line, *save = NULL;
	unsigned int cnt = 0, i;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/nvkm_vgpu/%s/sched_log",
		 par.name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%llu %15s %15s %63s %llu", &t, eng, ev, who, &v) != 5)
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(who, g[i].d.uuid))
				break;
		if (i == n || strcmp(eng, "gr0"))
			continue;
		if (!strcmp(ev, "end"))
			last[i] = t;
		if (!strcmp(ev, "run") && last[i] && cnt < LOG_MAX)
			us[cnt++] = (t - last[i]) / 1000;
	}
	return cnt;
}

/* best_effort, 4 busy, each timeslice. */
static void bench_wait(void)
{
	static const unsigned int slices[] = { 1, 2, 5, 10 };
	unsigned int s, i, k, nlog, n = 4;
	u64 hist[WORK_HIST_BUCKETS], logv[LOG_MAX], hp50, hp99, lp50, lp99, bound;
	struct window win;
	char val[8];
	bool all = true;

	mounted_debugfs();
	setup(n, n);
	gpu_set("scheduler", "best_effort");
	for (s = 0; s < ARRAY_SIZE(slices); s++) {
		snprintf(val, sizeof(val), "%u", slices[s]);
		gpu_set("timeslice_ms", val);
		feed_for(SETTLE_MS);
		measure(n, window_ms, &win);
		memset(hist, 0, sizeof(hist));
		for (i = 0; i < n; i++)
			for (k = 0; k < WORK_HIST_BUCKETS; k++)
				hist[k] += win.d[i].hist[k];
		hp50 = work_hist_pct_us(hist, 50);
		hp99 = work_hist_pct_us(hist, 99);
		nlog = log_waits(n, logv);
		lp50 = pct(logv, nlog, 50);
		lp99 = pct(logv, nlog, 99);
		bound = (n - 1) * slices[s] * 1000ull + PREEMPT_DEFAULT_US;
		fprintf(f_wait, "%u\t%llu\t%llu\t%llu\t%llu\t%u\t%llu\n", slices[s],
			(unsigned long long)hp50, (unsigned long long)hp99,
			(unsigned long long)lp50, (unsigned long long)lp99, nlog,
			(unsigned long long)bound);
		tap_check(true,
			  "wait-to-run, 4 busy, slice %u ms: wait_hist p50 <= %llu us, p99 <= %llu us; sched_log p50 %llu us, p99 %llu us (%u waits); bound %llu us: %s",
			  slices[s], (unsigned long long)hp50,
			  (unsigned long long)hp99, (unsigned long long)lp50,
			  (unsigned long long)lp99, nlog,
			  (unsigned long long)bound, lp99 <= bound ? "met" : "MISSED");
		all &= lp99 <= bound && nlog > 0;
	}
	summary("wait-to-run p99 <= (busy-1) x slice + preempt timeout", all,
		"1 = met at every slice", all);
	gpu_set("timeslice_ms", "0");
}

/* One vGPU alone, @launches launches of @ns. */
static void bench_acct(unsigned int launches, u64 ns)
{
	struct work_stats a, b;
	char what[64];
	u32 seq = 0;
	double err;

	setup(1, 0);
	gpu_set("scheduler", "best_effort");
	if (!work_chan_idle(&ch[0], WORK_WAIT_MS))
		tap_bail("%s: its GPFIFO stays busy", names[0]);
	stats(0, &a);
	if (!work_push_launches(&ch[0], launches, ns, &seq))
		tap_bail("%s: no room in its GPFIFO", names[0]);
	if (!work_chan_wait(&ch[0], seq, WORK_WAIT_MS))
		tap_bail("%s: the launches do not complete", names[0]);
	stats(0, &b);
	err = 100.0 * ((double)(b.busy_ns - a.busy_ns) - launches * ns) /
	      (launches * ns);
	fprintf(f_acct, "%u\t%llu\t%llu\t%llu\t%.3f\n", launches,
		(unsigned long long)ns, (unsigned long long)(launches * ns),
		(unsigned long long)(b.busy_ns - a.busy_ns), err);
	tap_check(true,
		  "accounting: %u x %llu ms submitted, busy_ns grew %llu ns, %+.3f %% (goal within %.0f %%: %s)",
		  launches, (unsigned long long)ns / 1000000,
		  (unsigned long long)(b.busy_ns - a.busy_ns), err,
		  GOAL_ACCT_PCT, abs_dev(err, 0) <= GOAL_ACCT_PCT ? "met" : "MISSED");
	snprintf(what, sizeof(what), "accounting error %%, %u x %llu ms", launches,
		 (unsigned long long)ns / 1000000);
	summary(what, err, "within 1 %",
		abs_dev(err, 0) <= GOAL_ACCT_PCT);
}

static FILE *tsv(const char *name, const char *header)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out, name);
	f = fopen(path, "w");
	if (!f)
		tap_bail("%s: %s", path, errno_name(errno));
	setvbuf(f, NULL, _IOLBF, 0);
	fprintf(f, "%s\n", header);
	return f;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "out", required_argument, NULL, 'o' },
		{ }
	};
	static const unsigned int w19[] = { 1, 9 };
	static const unsigned int w8[] = { 1, 9, 1, 9, 1, 9, 1, 9 };
	static const unsigned int w1234[] = { 1, 2, 3, 4 };
	char type[48];
	unsigned int i;
	int c, ret;

	out = getenv("NVKM_RESULTS") ? getenv("NVKM_RESULTS") : ".";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			window_ms = tap_count_arg("--window", optarg, 60000);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_sched [--window MS] [--out DIR]\n");
			return 2;
		}
	}
	if (window_ms < 500)
		window_ms = 500;
	tap_init("bench_sched", 900);
	if (parent_find("h100", &par) || parent_ready(&par))
		tap_bail("no idle h100 GPU");
	cleanup_hook(restore_gpu);
	f_shares = tsv("sched-shares.tsv",
		       "case\tvgpu\tweight\tconfigured_pct\tdelivered_pct\tshare_ppm");
	f_best = tsv("sched-best.tsv",
		     "busy\tutilisation_pct\tslices_per_s\tlost_us_per_switch");
	f_switch = tsv("sched-switch.tsv", "ms\tvgpu0_pct\tvgpu1_pct");
	f_wait = tsv("sched-wait.tsv",
		     "slice_ms\thist_p50_us\thist_p99_us\tlog_p50_us\tlog_p99_us\tlog_samples\tbound_us");
	f_acct = tsv("sched-acct.tsv", "launches\tlaunch_ns\tsubmitted_ns\tbusy_ns\terror_pct");
	f_summary = tsv("sched-summary.tsv", "goal\tvalue\ttarget\tmet");
	snprintf(type, sizeof(type), "%s-10c", par.board);
	for (i = 0; i < NR_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "v%u", i);
		ret = work_vgpu_new(&g[i], &par, type, names[i], WORK_SYS_SIZE);
		if (ret)
			tap_bail("%s: create %s: %s", names[i], type, errno_name(-ret));
	}
	tap_diag("%u %s vGPUs, %u ms windows, %llu us launches", NR_MAX, type,
		 window_ms, LAUNCH_NS / 1000);

	bench_fixed("1:9 over 2", 2, w19);
	bench_fixed("1:9 alternating over 8", 8, w8);
	bench_fixed("1:2:3:4 over 4", 4, w1234);
	bench_equal();
	bench_best();
	bench_switch();
	bench_wait();
	bench_acct(40, 25000000);
	bench_acct(10, 100000000);

	setup(0, 0);
	restore_gpu();
	for (i = 0; i < NR_MAX; i++)
		tap_errno(work_vgpu_del(&g[i]), 0, "%s: remove the vGPU", names[i]);
	return tap_done();
}
