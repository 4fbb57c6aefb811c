/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's tracepoints, in /sys/kernel/tracing/events/nvkm_vgpu/:
 * a slice's start and end, a vGPU preempted by another, a channel reset.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvkm_vgpu

#if !defined(__NVKM_VGPU_SCHED_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __NVKM_VGPU_SCHED_TRACE_H__

#include <linux/tracepoint.h>
#include <nvkm_vgpu/compat.h>

TRACE_EVENT(nvkm_vgpu_slice_start,
	    TP_PROTO(const char *engine, const char *vgpu, u64 quantum_ns),
	    TP_ARGS(engine, vgpu, quantum_ns),
	    TP_STRUCT__entry(__string(engine, engine)
			     __string(vgpu, vgpu)
			     __field(u64, quantum_ns)),
	    TP_fast_assign(NVKM_VGPU_ASSIGN_STR(engine, engine);
			   NVKM_VGPU_ASSIGN_STR(vgpu, vgpu);
			   __entry->quantum_ns = quantum_ns;),
	    TP_printk("engine=%s vgpu=%s quantum_ns=%llu", __get_str(engine),
		      __get_str(vgpu), __entry->quantum_ns)
);

TRACE_EVENT(nvkm_vgpu_slice_end,
	    TP_PROTO(const char *engine, const char *vgpu, u64 busy_ns,
		     bool work_left),
	    TP_ARGS(engine, vgpu, busy_ns, work_left),
	    TP_STRUCT__entry(__string(engine, engine)
			     __string(vgpu, vgpu)
			     __field(u64, busy_ns)
			     __field(bool, work_left)),
	    TP_fast_assign(NVKM_VGPU_ASSIGN_STR(engine, engine);
			   NVKM_VGPU_ASSIGN_STR(vgpu, vgpu);
			   __entry->busy_ns = busy_ns;
			   __entry->work_left = work_left;),
	    TP_printk("engine=%s vgpu=%s busy_ns=%llu work_left=%d",
		      __get_str(engine), __get_str(vgpu), __entry->busy_ns,
		      __entry->work_left)
);

TRACE_EVENT(nvkm_vgpu_preempt,
	    TP_PROTO(const char *engine, const char *vgpu, const char *next),
	    TP_ARGS(engine, vgpu, next),
	    TP_STRUCT__entry(__string(engine, engine)
			     __string(vgpu, vgpu)
			     __string(next, next)),
	    TP_fast_assign(NVKM_VGPU_ASSIGN_STR(engine, engine);
			   NVKM_VGPU_ASSIGN_STR(vgpu, vgpu);
			   NVKM_VGPU_ASSIGN_STR(next, next);),
	    TP_printk("engine=%s vgpu=%s next=%s", __get_str(engine),
		      __get_str(vgpu), __get_str(next))
);

TRACE_EVENT(nvkm_vgpu_chan_reset,
	    TP_PROTO(const char *engine, const char *vgpu, u32 chan),
	    TP_ARGS(engine, vgpu, chan),
	    TP_STRUCT__entry(__string(engine, engine)
			     __string(vgpu, vgpu)
			     __field(u32, chan)),
	    TP_fast_assign(NVKM_VGPU_ASSIGN_STR(engine, engine);
			   NVKM_VGPU_ASSIGN_STR(vgpu, vgpu);
			   __entry->chan = chan;),
	    TP_printk("engine=%s vgpu=%s chan=%u", __get_str(engine),
		      __get_str(vgpu), __entry->chan)
);

#endif /* __NVKM_VGPU_SCHED_TRACE_H__ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
