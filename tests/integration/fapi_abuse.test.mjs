// fapi_abuse.test.mjs (issue 6, catalogue CRED-06, CRED-07, CRED-09, BI-12):
// the Frontend API under attack, driven as clerk-js drives it (lib/fapi.mjs).
// Clerk's per-IP limits at their real figures: the 6th sign-in or sign-up
// creation and the 4th factor attempt in 10 s get 429 too_many_requests with
// Retry-After, before any password is hashed; the key is the socket peer, so
// a rotating X-Forwarded-For from an untrusted peer changes nothing, while
// behind a trusted proxy each forwarded client has its own budget. The
// lockout through sign-in: a parallel burst of wrong passwords is counted
// exactly to the limit, then even the right password gets 403 user_locked.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, strongPassword } from './lib/clerk.mjs';
import { FapiClient } from './lib/fapi.mjs';

const tag = uniq();
const servers = [];
after(async () => { for (const s of servers) await s.cleanup(); });

const CLERK_FIGURES = {
  GATEHOUSE_RATELIMIT_SIGN_IN: '5/10',
  GATEHOUSE_RATELIMIT_SIGN_UP: '5/10',
  GATEHOUSE_RATELIMIT_ATTEMPT: '3/10',
};

async function start(env) {
  const gh = await startGatehouse({ env });
  servers.push(gh);
  return gh;
}

function limited(r, what) {
  assert.equal(r.status, 429, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.errors[0].code, 'too_many_requests');
  const ra = Number(r.headers.get('retry-after'));
  assert.ok(ra >= 1 && ra <= 10, `Retry-After ${ra}`);
}

test('CRED-09/BI-12: 5 sign-in creations per IP per 10 s; a spoofed X-Forwarded-For does not help', async () => {
  const gh = await start(CLERK_FIGURES);
  const fc = new FapiClient(gh);
  for (let i = 0; i < 5; i++) {
    const r = await fc.raw('POST', '/client/sign_ins', { identifier: `nobody${i}.${tag}@example.com` },
      {}, { 'X-Forwarded-For': `203.0.113.${i}` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  limited(await fc.raw('POST', '/client/sign_ins', { identifier: `x.${tag}@example.com` },
    {}, { 'X-Forwarded-For': '203.0.113.99' }), 'sixth sign-in');
  // another client on the same address shares the budget
  limited(await new FapiClient(gh).raw('POST', '/client/sign_ins', { identifier: `y.${tag}@example.com` }),
    'other client, same IP');
  await gh.close();
});

test('CRED-09: 5 sign-up creations per IP per 10 s', async () => {
  const gh = await start(CLERK_FIGURES);
  const fc = new FapiClient(gh);
  for (let i = 0; i < 5; i++) {
    const r = await fc.raw('POST', '/client/sign_ups', { email_address: `su${i}.${tag}@example.com` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  limited(await fc.raw('POST', '/client/sign_ups', { email_address: `su9.${tag}@example.com` }), 'sixth sign-up');
  await gh.close();
});

test('CRED-09: 3 factor attempts per IP per 10 s, refused before the password is checked', async () => {
  const gh = await start({ ...CLERK_FIGURES, GATEHOUSE_RATELIMIT_SIGN_IN: '100/10' });
  const clerk = clerkFor(gh);
  const password = strongPassword();
  gh.sensitive(password);
  const addr = `att.${tag}@example.com`;
  const u = await clerk.users.createUser({ emailAddress: [addr], password });
  const fc = new FapiClient(gh);
  const si = (await fc.post('/client/sign_ins', { identifier: addr })).response;
  for (let i = 0; i < 3; i++) {
    const r = await fc.raw('POST', `/client/sign_ins/${si.id}/attempt_first_factor`,
      { strategy: 'password', password: `wrong-guess-${i}` });
    assert.equal(r.status, 422, JSON.stringify(r.body));
  }
  limited(await fc.raw('POST', `/client/sign_ins/${si.id}/attempt_first_factor`,
    { strategy: 'password', password }), 'fourth attempt');
  // the refused attempt was never a verification: 3 counted, not 4
  assert.equal((await clerk.users.getUser(u.id)).raw.verification_attempts_remaining, 7);
  await gh.close();
});

test('BI-12: behind a trusted proxy each forwarded client has its own budget', async () => {
  const gh = await start({ ...CLERK_FIGURES, GATEHOUSE_TRUSTED_PROXIES: '127.0.0.0/8' });
  const fc = new FapiClient(gh);
  const create = (ip, i) => fc.raw('POST', '/client/sign_ins', { identifier: `p${i}.${tag}@example.com` },
    {}, { 'X-Forwarded-For': `6.6.6.6, ${ip}` });
  for (let i = 0; i < 5; i++) assert.equal((await create('198.51.100.1', i)).status, 200);
  limited(await create('198.51.100.1', 5), 'same forwarded client');
  assert.equal((await create('198.51.100.2', 6)).status, 200, 'another forwarded client');
  await gh.close();
});

test('CRED-06/07: 20 parallel wrong passwords at sign-in: exactly 10 checked, then locked', async () => {
  const gh = await start({}); // server.mjs's generous per-IP limits
  const clerk = clerkFor(gh);
  const password = strongPassword();
  gh.sensitive(password);
  const addr = `lock.${tag}@example.com`;
  const u = await clerk.users.createUser({ emailAddress: [addr], password });
  const rs = await Promise.all(Array.from({ length: 20 }, () => new FapiClient(gh).raw('POST',
    '/client/sign_ins', { identifier: addr, password: 'definitely-wrong-pw', strategy: 'password' })));
  const codes = rs.map((r) => `${r.status} ${r.body?.errors?.[0]?.code}`);
  assert.equal(codes.filter((c) => c === '422 form_password_incorrect').length, 10, codes.join(', '));
  assert.equal(codes.filter((c) => c === '403 user_locked').length, 10, codes.join(', '));
  const right = await new FapiClient(gh).raw('POST', '/client/sign_ins',
    { identifier: addr, password, strategy: 'password' });
  assert.equal(right.status, 403, JSON.stringify(right.body));
  assert.equal(right.body.errors[0].code, 'user_locked');
  const v = await clerk.users.getUser(u.id);
  assert.equal(v.locked, true);
  assert.equal(v.raw.verification_attempts_remaining, 0);
  await clerk.users.unlockUser(u.id);
  const again = await new FapiClient(gh).raw('POST', '/client/sign_ins',
    { identifier: addr, password, strategy: 'password' });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.response.status, 'complete');
  await gh.close();
});
