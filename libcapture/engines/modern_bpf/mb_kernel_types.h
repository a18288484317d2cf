/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The few kernel types the probe reads, written by hand for CO-RE instead of
 * a generated vmlinux.h: every struct carries preserve_access_index, so clang
 * records each field access and libbpf relocates it against the running
 * kernel's BTF at load time. Only the fields used are declared; their order
 * and the structs' sizes do not matter. The build never reads the build
 * machine's kernel. UAPI constants are the kernel's stable ABI values.
 */
#ifndef MB_KERNEL_TYPES_H
#define MB_KERNEL_TYPES_H

/* bpf_tracing.h picks the kernel's pt_regs field names (di, si, ...) when it
 * believes it is compiled against kernel types, which these are. */
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;

/* capture/event.h and cap_counters.h use the <stdint.h> names. */
typedef __u8 uint8_t;
typedef __u16 uint16_t;
typedef __u32 uint32_t;
typedef __u64 uint64_t;
typedef __s32 int32_t;
typedef __s64 int64_t;

typedef _Bool bool;
#define true 1
#define false 0

typedef int pid_t;

/* enum bpf_map_type, flags and helper arguments (include/uapi/linux/bpf.h). */
enum {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_RINGBUF = 27,
};
enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
};
enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};
enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
};

/* x86_64: the registers saved at syscall entry. The 4th syscall argument is
 * in r10 (rcx is clobbered by the syscall instruction). */
struct pt_regs {
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	unsigned long ax;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
} __attribute__((preserve_access_index));

struct thread_info {
	__u32 status; /* TS_COMPAT while a 32-bit syscall runs */
} __attribute__((preserve_access_index));
#define MB_TS_COMPAT 0x0002u

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
} __attribute__((preserve_access_index));

struct task_struct {
	struct thread_info thread_info;
	struct mm_struct *mm;
	int exit_code;
	int exit_signal;
	pid_t pid;
	pid_t tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

#endif
