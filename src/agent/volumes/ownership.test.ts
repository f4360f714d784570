// The kubelet's fsGroup ownership rules on a temp dir (chown needs root).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownedMode, requiresOwnershipChange, setVolumeOwnership } from './ownership.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (chown to another group)' : false;
const mode = (p: string) => statSync(p).mode & 0o7777;

/** root(0755) / a(0644, uid 1000) / sub(0700) / b(0600), link -> a */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'ownership-'));
  chmodSync(root, 0o755);
  writeFileSync(join(root, 'a'), 'a');
  chmodSync(join(root, 'a'), 0o644);
  chownSync(join(root, 'a'), 1000, 1000);
  mkdirSync(join(root, 'sub'));
  chmodSync(join(root, 'sub'), 0o700);
  writeFileSync(join(root, 'sub', 'b'), 'b');
  chmodSync(join(root, 'sub', 'b'), 0o600);
  symlinkSync('a', join(root, 'link'));
  return root;
}

test('ownedMode: rw 0660, ro 0440, directories also 0110 and setgid; other bits kept', () => {
  assert.equal(ownedMode(0o600, false, false), 0o660);
  assert.equal(ownedMode(0o600, false, true), 0o640);
  assert.equal(ownedMode(0o644, false, true), 0o644);
  assert.equal(ownedMode(0o400, false, true), 0o440);
  assert.equal(ownedMode(0o700, true, false), 0o2770);
  assert.equal(ownedMode(0o755, true, true), 0o2755);
  assert.equal(ownedMode(0o777, true, false), 0o2777);
  assert.equal(ownedMode(0o100755 /* with the file type bits */, false, false), 0o775);
});

test('no fsGroup: nothing changes', { skip }, () => {
  const root = tree();
  assert.equal(setVolumeOwnership(root, undefined, { readOnly: false }), false);
  assert.equal(statSync(root).gid, 0);
  assert.equal(mode(root), 0o755);
  assert.equal(mode(join(root, 'sub', 'b')), 0o600);
});

test('a writable volume: group fsGroup everywhere, owners kept, 0660 on files, 0770+setgid on directories, symlinks untouched', { skip }, () => {
  const root = tree();
  assert.equal(setVolumeOwnership(root, 2000, { readOnly: false }), true);
  assert.equal(statSync(root).gid, 2000);
  assert.equal(statSync(root).uid, 0);
  assert.equal(mode(root), 0o2775);
  assert.equal(statSync(join(root, 'a')).uid, 1000, 'the owner stays');
  assert.equal(statSync(join(root, 'a')).gid, 2000);
  assert.equal(mode(join(root, 'a')), 0o664);
  assert.equal(mode(join(root, 'sub')), 0o2770);
  assert.equal(statSync(join(root, 'sub', 'b')).gid, 2000);
  assert.equal(mode(join(root, 'sub', 'b')), 0o660);
  assert.equal(lstatSync(join(root, 'link')).gid, 0, 'the symlink itself is not changed');
  // setgid: what is made in the volume afterwards belongs to the group.
  writeFileSync(join(root, 'sub', 'new'), 'x');
  mkdirSync(join(root, 'sub', 'newdir'));
  assert.equal(statSync(join(root, 'sub', 'new')).gid, 2000);
  assert.equal(statSync(join(root, 'sub', 'newdir')).gid, 2000);
});

test('a read-only volume: 0440 on files, 0550+setgid on directories', { skip }, () => {
  const root = tree();
  setVolumeOwnership(root, 3000, { readOnly: true });
  assert.equal(mode(join(root, 'a')), 0o644);
  assert.equal(mode(join(root, 'sub', 'b')), 0o640);
  assert.equal(mode(join(root, 'sub')), 0o2750);
  assert.equal(statSync(join(root, 'sub', 'b')).gid, 3000);
});

test('OnRootMismatch walks only when the root lacks the group, the bits or setgid; Always always walks', { skip }, () => {
  const root = tree();
  assert.equal(requiresOwnershipChange(root, 2000, false), true);
  assert.equal(setVolumeOwnership(root, 2000, { readOnly: false, policy: 'OnRootMismatch' }), true, 'first time: the root mismatches');
  assert.equal(requiresOwnershipChange(root, 2000, false), false);
  // A file changed since is not seen when the root matches...
  chmodSync(join(root, 'sub', 'b'), 0o600);
  assert.equal(setVolumeOwnership(root, 2000, { readOnly: false, policy: 'OnRootMismatch' }), false);
  assert.equal(mode(join(root, 'sub', 'b')), 0o600);
  // ...but is with the default policy.
  assert.equal(setVolumeOwnership(root, 2000, { readOnly: false, policy: 'Always' }), true);
  assert.equal(mode(join(root, 'sub', 'b')), 0o660);
  // Each of group, bits and setgid on the root is checked.
  assert.equal(requiresOwnershipChange(root, 2001, false), true, 'another group');
  chmodSync(root, 0o775);
  assert.equal(requiresOwnershipChange(root, 2000, false), true, 'setgid gone');
  chmodSync(root, 0o2755);
  assert.equal(requiresOwnershipChange(root, 2000, false), true, 'no group write');
  assert.equal(requiresOwnershipChange(root, 2000, true), false, 'enough for a read-only volume');
  assert.equal(requiresOwnershipChange(join(root, 'a'), 2000, false), true, 'a file root always walks');
  assert.equal(requiresOwnershipChange(join(root, 'gone'), 2000, false), true);
});

test('a volume root that is not there fails with a clear error', { skip }, () => {
  assert.throws(() => setVolumeOwnership('/nonexistent/skiff-volume', 2000, { readOnly: false }), /failed to set volume ownership on \/nonexistent\/skiff-volume/);
});
