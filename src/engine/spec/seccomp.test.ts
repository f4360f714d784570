// The RuntimeDefault profile's rules, the Localhost profile reader (Docker
// and OCI formats, every malformed field refused) and the Localhost file
// lookup. The profiles at work inside containers: runc/isolation.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRuntimeError } from '../runtime.ts';
import { DEFAULT_CAPABILITIES } from './defaults.ts';
import { localhostProfilePath, readLocalhostProfile } from './localhost.ts';
import type { OciSeccomp } from './oci.ts';
import { ALLOWED, ALWAYS_DENIED, BY_CAPABILITY, CLONE_NAMESPACE_FLAGS, runtimeDefaultProfile } from './seccomp.ts';
import { SeccompProfileError, parseSeccompProfile } from './seccompjson.ts';

/** Names a profile allows whatever the arguments. */
const freelyAllowed = (p: OciSeccomp) => new Set((p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length).flatMap((r) => r.names));
const rulesFor = (p: OciSeccomp, name: string) => (p.syscalls ?? []).filter((r) => r.names.includes(name));

test('RuntimeDefault: an EPERM allowlist; ordinary calls allowed, the dangerous ones not', () => {
  const p = runtimeDefaultProfile(DEFAULT_CAPABILITIES, 'x64');
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(p.defaultErrnoRet, 1);
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(runtimeDefaultProfile(DEFAULT_CAPABILITIES, 'arm64').architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.equal(runtimeDefaultProfile(DEFAULT_CAPABILITIES, 'riscv64').architectures, undefined, 'elsewhere: the native architecture only');
  const allowed = freelyAllowed(p);
  // what runc needs between loading the filter and exec, and what a shell needs
  for (const n of ['execve', 'capset', 'setresuid', 'setgroups', 'prctl', 'chdir', 'openat', 'futex', 'rt_sigaction', 'exit_group', 'wait4', 'chroot', 'mknod']) assert.ok(allowed.has(n), n);
  const blocked = [
    'mount', 'umount', 'umount2', 'pivot_root', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot', 'swapon', 'swapoff', 'acct',
    'settimeofday', 'clock_settime', 'adjtimex', 'bpf', 'perf_event_open', 'open_by_handle_at', 'name_to_handle_at', 'keyctl', 'add_key', 'request_key', 'ptrace',
    'userfaultfd', 'syslog', 'lookup_dcookie', 'quotactl', 'setns', 'iopl', 'ioperm', 'create_module', 'get_kernel_syms', 'query_module', 'uselib', 'vm86', 'nfsservctl',
    'process_vm_readv', 'fsopen', 'move_mount', 'io_uring_setup',
  ];
  for (const n of blocked) assert.deepEqual(rulesFor(p, n), [], `${n} has no rule: the default action refuses it`);
});

test('RuntimeDefault: clone and unshare without namespace flags, clone3 ENOSYS, socket without AF_VSOCK, personality by value', () => {
  const p = runtimeDefaultProfile(DEFAULT_CAPABILITIES, 'x64');
  assert.deepEqual(rulesFor(p, 'clone'), [{ names: ['clone', 'unshare'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }]);
  assert.equal(CLONE_NAMESPACE_FLAGS & 0x10000000, 0x10000000, 'CLONE_NEWUSER is among them');
  assert.equal(CLONE_NAMESPACE_FLAGS & (0x00000100 | 0x00000200 | 0x00000400 | 0x00000800 | 0x00010000), 0, 'CLONE_VM/FS/FILES/SIGHAND/THREAD are not');
  assert.deepEqual(rulesFor(p, 'clone3'), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  assert.deepEqual(rulesFor(p, 'socket')[0]?.args, [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]);
  assert.deepEqual(rulesFor(p, 'personality').map((r) => r.args?.[0]?.value), [0, 8, 0x20000, 0x20008, 0xffffffff]);
});

test('RuntimeDefault: a capability unlocks its syscalls; SYS_ADMIN frees clone, unshare and mount', () => {
  const admin = runtimeDefaultProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'x64');
  const allowed = freelyAllowed(admin);
  for (const n of ['mount', 'umount2', 'unshare', 'setns', 'clone', 'clone3', 'bpf', 'perf_event_open']) assert.ok(allowed.has(n), n);
  assert.ok(!rulesFor(admin, 'clone').some((r) => r.args), 'no argument rule left on clone');
  assert.ok(freelyAllowed(runtimeDefaultProfile(['CAP_SYS_PTRACE'], 'x64')).has('ptrace'));
  assert.ok(freelyAllowed(runtimeDefaultProfile(['CAP_SYS_TIME'], 'x64')).has('clock_settime'));
  assert.ok(!freelyAllowed(runtimeDefaultProfile([], 'x64')).has('chroot'), 'chroot follows CAP_SYS_CHROOT');
  for (const n of ALWAYS_DENIED) assert.ok(!freelyAllowed(runtimeDefaultProfile(DEFAULT_CAPABILITIES.concat('CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_MODULE', 'CAP_SYS_BOOT'), 'x64')).has(n), `${n} is never allowed`);
  const grouped = BY_CAPABILITY.flatMap((g) => g.names);
  assert.deepEqual(ALLOWED.filter((n) => grouped.includes(n) || ALWAYS_DENIED.includes(n)), [], 'the lists do not overlap');
  assert.equal(new Set(ALLOWED).size, ALLOWED.length, 'no name twice');
});

test('Localhost profiles: Docker format (names, name, archMap, includes/excludes, minKernel) to OCI', () => {
  const doc = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { name: 'mkdir', action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
      { names: ['set_tls'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
      { names: ['futex_waitv'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.16' } },
    ],
  };
  const x64 = parseSeccompProfile(JSON.stringify(doc), { capabilities: ['CAP_CHOWN'], arch: 'x64', kernel: '5.10.0-23-amd64' });
  assert.deepEqual(x64.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(x64.syscalls?.map((r) => r.names[0]), ['read', 'mkdir', 'clone', 'arch_prctl'], 'no mount (no SYS_ADMIN), no set_tls (arm), no futex_waitv (kernel 5.10)');
  assert.deepEqual(x64.syscalls?.[1], { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 });
  const admin = parseSeccompProfile(JSON.stringify(doc), { capabilities: ['CAP_SYS_ADMIN'], arch: 'arm64', kernel: '6.1.0' });
  assert.deepEqual(admin.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.deepEqual(admin.syscalls?.map((r) => r.names[0]), ['read', 'mkdir', 'mount', 'set_tls', 'futex_waitv']);
  // the OCI form passes through
  const oci: OciSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
  assert.deepEqual(parseSeccompProfile(JSON.stringify(oci), { capabilities: [] }), oci);
  assert.deepEqual(parseSeccompProfile('{"defaultAction":"SCMP_ACT_LOG"}', { capabilities: [] }), { defaultAction: 'SCMP_ACT_LOG', syscalls: [] });
});

test('Localhost profiles: malformed ones are refused with the reason', () => {
  const rows: [string, RegExp][] = [
    ['{', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{}', /defaultAction: unknown action undefined/],
    ['{"defaultAction":"SCMP_ACT_MAYBE"}', /unknown action "SCMP_ACT_MAYBE"/],
    ['{"defaultAction":"SCMP_ACT_NOTIFY"}', /SCMP_ACT_NOTIFY needs a seccomp agent/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock"}', /listenerPath needs a seccomp agent/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscall":[]}', /unknown field "syscall"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":-1}', /errnoRet must be an integer from 0 to 4095/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_Z80"]}', /unknown architecture "SCMP_ARCH_Z80"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_FAST"]}', /unknown flag/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}}', /syscalls must be a list/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]}', /syscalls\[0\] needs syscall names/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["Mkdir"],"action":"SCMP_ACT_ERRNO"}]}', /needs syscall names/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}', /args\[0\]\.index must be 0 to 5/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}', /unknown op "SCMP_CMP_LIKE"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":"SCMP_CMP_EQ"}]}]}', /value is required/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"five"}}]}', /minKernel "five"/],
  ];
  for (const [text, re] of rows) assert.throws(() => parseSeccompProfile(text, { capabilities: [], kernel: '6.1' }), (e: unknown) => e instanceof SeccompProfileError && re.test(e.message), text);
});

test('Localhost files: relative under the seccomp root, absolute as is; missing, unreadable or broken files fail the creation', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'skiff-seccomp-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  assert.equal(localhostProfilePath('profiles/a.json', '/var/lib/skiff/seccomp'), '/var/lib/skiff/seccomp/profiles/a.json');
  assert.equal(localhostProfilePath('/etc/skiff//b.json', '/var/lib/skiff/seccomp'), '/etc/skiff/b.json');
  assert.throws(() => localhostProfilePath('../x.json', root), (e: unknown) => isRuntimeError(e, 'InvalidConfig') && /must not contain '\.\.'/.test(e.message));
  assert.throws(() => localhostProfilePath('', root), (e: unknown) => isRuntimeError(e, 'InvalidConfig') && /needs a localhostProfile/.test(e.message));

  await writeFile(join(root, 'ok.json'), '{"defaultAction":"SCMP_ACT_ALLOW"}');
  await writeFile(join(root, 'bad.json'), '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"]}]}');
  assert.deepEqual(await readLocalhostProfile({ seccompProfile: 'Localhost/ok.json' }, root), { path: join(root, 'ok.json'), text: '{"defaultAction":"SCMP_ACT_ALLOW"}' });
  assert.equal(await readLocalhostProfile({ seccompProfile: 'Localhost/ok.json', privileged: true }, root), undefined, 'privileged: unconfined, nothing read');
  assert.equal(await readLocalhostProfile({ seccompProfile: 'RuntimeDefault' }, root), undefined);
  assert.equal(await readLocalhostProfile(undefined, root), undefined);
  const missing = join(root, 'none.json');
  await assert.rejects(readLocalhostProfile({ seccompProfile: 'Localhost/none.json' }, root), (e: unknown) => isRuntimeError(e, 'CreateFailed') && e.message === `cannot load seccomp profile "${missing}": open ${missing}: no such file or directory`);
  await assert.rejects(readLocalhostProfile({ seccompProfile: `Localhost/${root}` }, '/elsewhere'), (e: unknown) => isRuntimeError(e, 'CreateFailed') && /is a directory/.test(e.message));
  await assert.rejects(readLocalhostProfile({ seccompProfile: 'Localhost/bad.json' }, root), (e: unknown) => isRuntimeError(e, 'CreateFailed') && /decoding seccomp profile failed: syscalls\[0\]: unknown action undefined/.test(e.message));
});
