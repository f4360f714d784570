// Skiff's RuntimeDefault seccomp profile, written for this engine. An
// allowlist: every syscall not named here fails with EPERM. Ordinary
// programs (files, memory, processes, threads, signals, time, IPC, sockets)
// get what they need; calls that reach past the container (mounts, modules,
// kexec, the kernel keyring, clocks, BPF, perf, tracing other processes, new
// namespaces...) are allowed only with the capability the kernel would ask
// for anyway, as Docker's and containerd's defaults do, so granting the
// capability (or a privileged container, which runs unconfined) lifts both
// locks together. Some are never allowed (ALWAYS_DENIED).
//
// Syscall names unknown to the host's libseccomp are skipped by runc, so one
// list serves x86_64 (with its x86 and x32 compatibility ABIs) and aarch64
// (with 32-bit arm).

import type { OciSeccomp, OciSeccompSyscall } from './oci.ts';

/** How a security context names a Localhost profile: `Localhost/<path>`. */
export const LOCALHOST_PREFIX = 'Localhost/';

const EPERM = 1;
const ENOSYS = 38;

/**
 * clone/unshare flags that create namespaces: NEWNS|NEWCGROUP|NEWUTS|NEWIPC|
 * NEWUSER|NEWPID|NEWNET, and NEWTIME (0x80: unshare's; in clone that bit
 * belongs to the exit signal, never above 64).
 */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080;

/** socket() families refused: AF_VSOCK (host-guest sockets are not namespaced). */
const AF_VSOCK = 40;

/** personality() personas allowed: PER_LINUX, PER_LINUX32, UNAME26 variants, and the 0xffffffff query. */
const PERSONAS = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

const FILES = [
  'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
  'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'lseek', '_llseek',
  'stat', 'fstat', 'lstat', 'stat64', 'fstat64', 'lstat64', 'newfstatat', 'fstatat64', 'statx',
  'statfs', 'fstatfs', 'statfs64', 'fstatfs64', 'access', 'faccessat', 'faccessat2', 'readlink', 'readlinkat',
  'getdents', 'getdents64', 'readdir', 'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2',
  'link', 'linkat', 'symlink', 'symlinkat', 'mknod', 'mknodat',
  'chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'chown', 'fchown', 'lchown', 'fchownat', 'chown32', 'fchown32', 'lchown32',
  'truncate', 'ftruncate', 'truncate64', 'ftruncate64', 'fallocate', 'fadvise64', 'fadvise64_64', 'arm_fadvise64_64', 'readahead',
  'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'sync_file_range2', 'arm_sync_file_range',
  'utime', 'utimes', 'utimensat', 'utimensat_time64', 'futimesat', 'umask', 'chdir', 'fchdir', 'getcwd',
  'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'flock', 'ioctl', 'pipe', 'pipe2', 'splice', 'tee', 'vmsplice',
  'sendfile', 'sendfile64', 'copy_file_range', 'memfd_create',
  'getxattr', 'lgetxattr', 'fgetxattr', 'setxattr', 'lsetxattr', 'fsetxattr', 'listxattr', 'llistxattr', 'flistxattr',
  'removexattr', 'lremovexattr', 'fremovexattr',
  'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark',
  'eventfd', 'eventfd2', 'signalfd', 'signalfd4', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime', 'timerfd_settime64', 'timerfd_gettime64',
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_wait', 'epoll_wait_old', 'epoll_pwait', 'epoll_pwait2',
  'poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64',
  'io_setup', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'io_submit', 'io_cancel',
];

const MEMORY = [
  'brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'pkey_mprotect', 'pkey_alloc', 'pkey_free', 'madvise',
  'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'mincore', 'msync', 'membarrier', 'remap_file_pages', 'cacheflush',
];

const PROCESSES = [
  'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'wait4', 'waitid', 'waitpid',
  'kill', 'tkill', 'tgkill', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sigreturn', 'rt_sigpending', 'rt_sigsuspend',
  'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaction', 'sigaltstack', 'signal',
  'sigpending', 'sigprocmask', 'sigsuspend', 'pause', 'alarm', 'restart_syscall',
  'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid',
  'getuid', 'geteuid', 'getgid', 'getegid', 'getuid32', 'geteuid32', 'getgid32', 'getegid32',
  'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'getresuid', 'getresgid', 'setfsuid', 'setfsgid',
  'setuid32', 'setgid32', 'setreuid32', 'setregid32', 'setresuid32', 'setresgid32', 'getresuid32', 'getresgid32', 'setfsuid32', 'setfsgid32',
  'getgroups', 'setgroups', 'getgroups32', 'setgroups32', 'capget', 'capset', 'prctl', 'arch_prctl',
  'set_tid_address', 'set_robust_list', 'get_robust_list', 'futex', 'futex_time64', 'futex_waitv', 'rseq',
  'set_thread_area', 'get_thread_area', 'set_tls', 'breakpoint',
  'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler',
  'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_getattr', 'sched_setattr',
  'getpriority', 'setpriority', 'ioprio_get', 'ioprio_set', 'getrlimit', 'setrlimit', 'ugetrlimit', 'prlimit64', 'getrusage', 'times',
  'uname', 'sysinfo', 'getcpu', 'getrandom', 'pidfd_open', 'pidfd_send_signal', 'seccomp',
  'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
];

const TIME = [
  'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64', 'clock_nanosleep', 'clock_nanosleep_time64', 'nanosleep',
  'gettimeofday', 'time', 'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_settime', 'timer_gettime64', 'timer_settime64',
  'getitimer', 'setitimer',
];

/** System V and POSIX IPC: both are per IPC namespace. */
const IPC = [
  'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'semctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'shmat', 'shmctl', 'shmdt', 'shmget', 'ipc',
  'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_timedsend_time64', 'mq_timedreceive_time64', 'mq_notify', 'mq_getsetattr',
];

/** socket() itself is conditional (no AF_VSOCK). */
const SOCKETS = [
  'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername', 'sendto', 'recvfrom', 'send', 'recv',
  'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'recvmmsg_time64', 'shutdown', 'setsockopt', 'getsockopt', 'socketcall',
];

/** Allowed only when the container holds the capability (any one of those listed). */
export const BY_CAPABILITY: { caps: string[]; names: string[] }[] = [
  {
    caps: ['CAP_SYS_ADMIN'],
    names: [
      'mount', 'umount', 'umount2', 'pivot_root', 'setns', 'unshare', 'clone', 'clone3', 'sethostname', 'setdomainname',
      'fsopen', 'fsconfig', 'fsmount', 'fspick', 'open_tree', 'move_mount', 'mount_setattr',
      'quotactl', 'quotactl_fd', 'swapon', 'swapoff', 'lookup_dcookie', 'fanotify_init', 'name_to_handle_at',
    ],
  },
  { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'], names: ['bpf'] },
  { caps: ['CAP_SYS_ADMIN', 'CAP_PERFMON'], names: ['perf_event_open'] },
  { caps: ['CAP_SYS_ADMIN', 'CAP_SYSLOG'], names: ['syslog'] },
  { caps: ['CAP_DAC_READ_SEARCH'], names: ['open_by_handle_at'] },
  { caps: ['CAP_SYS_BOOT'], names: ['reboot'] },
  { caps: ['CAP_SYS_MODULE'], names: ['init_module', 'finit_module', 'delete_module'] },
  { caps: ['CAP_SYS_PACCT'], names: ['acct'] },
  { caps: ['CAP_SYS_PTRACE'], names: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd'] },
  { caps: ['CAP_SYS_RAWIO'], names: ['iopl', 'ioperm'] },
  { caps: ['CAP_SYS_TIME'], names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'adjtimex', 'clock_adjtime', 'clock_adjtime64'] },
  { caps: ['CAP_SYS_NICE'], names: ['get_mempolicy', 'set_mempolicy', 'mbind', 'migrate_pages', 'move_pages'] },
  { caps: ['CAP_SYS_TTY_CONFIG'], names: ['vhangup'] },
  { caps: ['CAP_SYS_CHROOT'], names: ['chroot'] },
];

/**
 * Never allowed by RuntimeDefault, whatever the capabilities: the kernel
 * keyring (not namespaced), kexec, userfaultfd and io_uring (frequent exploit
 * paths), obsolete or 32-bit-only calls. Listed for the tests and the reader:
 * the allowlist simply omits them.
 */
export const ALWAYS_DENIED = [
  'kexec_load', 'kexec_file_load', 'keyctl', 'add_key', 'request_key', 'userfaultfd', 'io_uring_setup', 'io_uring_enter', 'io_uring_register',
  'create_module', 'get_kernel_syms', 'query_module', 'uselib', 'vm86', 'vm86old', 'nfsservctl', '_sysctl', 'sysfs', 'ustat', 'modify_ldt',
  'afs_syscall', 'tuxcall', 'security', 'vserver', 'putpmsg', 'getpmsg',
];

/** Unconditionally allowed syscalls (socket, personality and clone have argument rules on top). */
export const ALLOWED = [...FILES, ...MEMORY, ...PROCESSES, ...TIME, ...IPC, ...SOCKETS];

/** seccomp architectures for the host (native first), or undefined (native only) on others. */
export function seccompArchitectures(arch: string = process.arch): string[] | undefined {
  if (arch === 'x64') return ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
  if (arch === 'arm64') return ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];
  return undefined;
}

/** The RuntimeDefault profile for a container with these (kernel-named) capabilities. */
export function runtimeDefaultProfile(capabilities: string[], arch: string = process.arch): OciSeccomp {
  const caps = new Set(capabilities);
  const sysAdmin = caps.has('CAP_SYS_ADMIN');
  const allowed = new Set(ALLOWED);
  for (const g of BY_CAPABILITY) if (g.caps.some((c) => caps.has(c))) for (const n of g.names) allowed.add(n);
  const rules: OciSeccompSyscall[] = [{ names: [...allowed].sort(), action: 'SCMP_ACT_ALLOW' }];
  rules.push({ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] });
  for (const p of PERSONAS) rules.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: p, op: 'SCMP_CMP_EQ' }] });
  if (!sysAdmin) {
    // Threads and processes, but no new namespaces; clone3 hides its flags in
    // memory, so it reports ENOSYS and libc falls back to clone.
    const noNamespaces = { index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' as const };
    rules.push({ names: ['clone', 'unshare'], action: 'SCMP_ACT_ALLOW', args: [noNamespaces] });
    rules.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  const architectures = seccompArchitectures(arch);
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: EPERM, ...(architectures ? { architectures } : {}), syscalls: rules };
}
