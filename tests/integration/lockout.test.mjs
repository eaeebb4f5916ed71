// lockout.test.mjs (issue 6, catalogue CRED-06/CRED-07/CRED-16): the user
// lockout through the Backend API and @clerk/backend: a parallel burst of
// wrong passwords is counted exactly up to the limit, then the user is
// locked (403 user_locked, even for the right password) and the user object
// says so; unlock starts over; TOTP and backup-code failures feed the same
// counter; a short lockout (configured) runs out by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, expectClerkError, bapi, strongPassword } from './lib/clerk.mjs';

let gh;
let clerk;
const tag = uniq();

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
});
after(async () => { if (gh) await gh.cleanup(); });

async function newUser(name, extra = {}) {
  const password = strongPassword();
  gh.sensitive(password);
  const u = await clerk.users.createUser({ emailAddress: [`${name}.${tag}@example.com`], password, ...extra });
  return { u, password };
}

test('30 parallel wrong passwords: exactly 10 are checked, the rest are refused as locked', async () => {
  const { u, password } = await newUser('burst');
  const results = await Promise.allSettled(Array.from({ length: 30 }, () =>
    clerk.users.verifyPassword({ userId: u.id, password: 'not-the-password-at-all' })));
  const codes = results.map((r) => (r.status === 'rejected' ? `${r.reason.status} ${r.reason.errors?.[0]?.code}` : 'ok'));
  const count = (c) => codes.filter((x) => x === c).length;
  assert.equal(count('422 incorrect_password'), 10, codes.join(', '));
  assert.equal(count('403 user_locked'), 20, codes.join(', '));

  // the right password is refused too while locked; the time left is in
  // meta (clerk-js reads it; @clerk/backend keeps only the meta it knows)
  await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password }), 403, 'user_locked');
  const raw = await bapi(gh, 'POST', `/v1/users/${u.id}/verify_password`, { body: { password } });
  assert.equal(raw.status, 403);
  const left = raw.json.errors[0].meta.lockout_expires_in_seconds;
  assert.ok(left > 3590 && left <= 3600, JSON.stringify(raw.json));
  assert.match(raw.json.errors[0].long_message, /try again in 60 minutes/);

  const locked = await clerk.users.getUser(u.id);
  assert.equal(locked.locked, true);
  assert.equal(locked.raw.verification_attempts_remaining, 0);
  assert.ok(locked.raw.lockout_expires_in_seconds > 3590 && locked.raw.lockout_expires_in_seconds <= 3600);

  const unlocked = await clerk.users.unlockUser(u.id);
  assert.equal(unlocked.locked, false);
  assert.equal(unlocked.raw.lockout_expires_in_seconds, null);
  assert.equal(unlocked.raw.verification_attempts_remaining, 10);
  assert.deepEqual(await clerk.users.verifyPassword({ userId: u.id, password }), { verified: true });
});

test('a success resets the count; remaining attempts go down one by one', async () => {
  const { u, password } = await newUser('count');
  for (let i = 1; i <= 3; i++) {
    await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password: `wrong-${i}-xyz` }), 422, 'incorrect_password');
    assert.equal((await clerk.users.getUser(u.id)).raw.verification_attempts_remaining, 10 - i);
  }
  await clerk.users.verifyPassword({ userId: u.id, password });
  const after = await clerk.users.getUser(u.id);
  assert.equal(after.raw.verification_attempts_remaining, 10);
  assert.equal(after.locked, false);
});

test('an admin lock refuses verification; lockUser shows no expiry', async () => {
  const { u, password } = await newUser('admin');
  const l = await clerk.users.lockUser(u.id);
  assert.equal(l.locked, true);
  assert.equal(l.raw.lockout_expires_in_seconds, null);
  await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password }), 403, 'user_locked');
  const raw = await bapi(gh, 'POST', `/v1/users/${u.id}/verify_password`, { body: { password } });
  assert.equal(raw.json.errors[0].meta.lockout_expires_in_seconds, null);
  await clerk.users.unlockUser(u.id);
  await clerk.users.verifyPassword({ userId: u.id, password });
});

test('wrong TOTP and backup codes count toward the same lockout', async () => {
  const { u } = await newUser('totp', { totpSecret: 'JBSWY3DPEHPK3PXP', backupCodes: ['backup-code-one1'] });
  gh.sensitive('backup-code-one1');
  for (let i = 0; i < 4; i++) {
    await expectClerkError(clerk.users.verifyTOTP({ userId: u.id, code: '000000' }), 422);
  }
  await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password: 'also-wrong-pass' }), 422);
  assert.equal((await clerk.users.getUser(u.id)).raw.verification_attempts_remaining, 5);
  const ok = await clerk.users.verifyTOTP({ userId: u.id, code: 'backup-code-one1' });
  assert.equal(ok.code_type ?? ok.codeType, 'backup_code');
  assert.equal((await clerk.users.getUser(u.id)).raw.verification_attempts_remaining, 10);
});

test('a configured short lockout runs out by itself', async () => {
  const short = await startGatehouse({ env: { GATEHOUSE_LOCKOUT_ATTEMPTS: '3', GATEHOUSE_LOCKOUT_SECONDS: '2' } });
  try {
    const c = clerkFor(short);
    const password = strongPassword();
    short.sensitive(password);
    const u = await c.users.createUser({ emailAddress: [`short.${tag}@example.com`], password });
    for (let i = 0; i < 3; i++) {
      await expectClerkError(c.users.verifyPassword({ userId: u.id, password: 'wrong-guess-abc' }), 422);
    }
    await expectClerkError(c.users.verifyPassword({ userId: u.id, password }), 403, 'user_locked');
    assert.equal((await c.users.getUser(u.id)).raw.verification_attempts_remaining, 0);
    await new Promise((r) => setTimeout(r, 2300));
    const back = await c.users.getUser(u.id);
    assert.equal(back.locked, false);
    assert.equal(back.raw.verification_attempts_remaining, 3);
    assert.deepEqual(await c.users.verifyPassword({ userId: u.id, password }), { verified: true });
    await short.close();
  } finally {
    await short.cleanup();
  }
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  assert.match(gh.logs(), /user locked out user_id=user_/);
  await gh.close();
  gh = null;
});
