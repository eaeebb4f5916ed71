// ratelimit.test.mjs (issue 6, catalogue CRED-09, BI-12, LOAD-06): the
// Backend API limit per instance (lowered by configuration so the test is
// quick): the request past the limit gets 429 too_many_requests with
// Retry-After, which @clerk/backend surfaces as retryAfter; unauthenticated
// endpoints are not counted. On PostgreSQL two servers on one database share
// the count. The client address behind a trusted proxy is the right-most
// untrusted X-Forwarded-For hop, and a client cannot choose it otherwise.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, startSibling, storeKind } from './lib/server.mjs';
import { clerkFor, expectClerkError, bapi } from './lib/clerk.mjs';

const servers = [];
after(async () => { for (const s of servers.reverse()) await s.cleanup(); });

async function start(env) {
  const gh = await startGatehouse({ env });
  servers.push(gh);
  return gh;
}

test('Backend API: request 21 of 20 per window → 429 with Retry-After; /healthz is not counted', async () => {
  const gh = await start({ GATEHOUSE_RATELIMIT_BACKEND: '20/30' });
  const clerk = clerkFor(gh);
  for (let i = 0; i < 20; i++) {
    const r = await bapi(gh, 'GET', '/v1/users?limit=1');
    assert.equal(r.status, 200, `request ${i + 1}`);
  }
  const r = await bapi(gh, 'GET', '/v1/users?limit=1');
  assert.equal(r.status, 429);
  assert.equal(r.json.errors[0].code, 'too_many_requests');
  const ra = Number(r.headers.get('retry-after'));
  assert.ok(ra >= 1 && ra <= 30, `Retry-After ${ra}`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const e = await expectClerkError(clerk.users.getUserList(), 429, 'too_many_requests');
  assert.ok(e.retryAfter >= 1 && e.retryAfter <= 30, `retryAfter ${e.retryAfter}`);
  for (let i = 0; i < 5; i++) {
    assert.equal((await fetch(`${gh.backendUrl}/healthz`)).status, 200);
  }
  await gh.close();
});

test('a limit of 0 turns the Backend API limit off', async () => {
  const gh = await start({ GATEHOUSE_RATELIMIT_BACKEND: '0' });
  for (let i = 0; i < 30; i++) assert.equal((await bapi(gh, 'GET', '/v1/users/count')).status, 200);
  await gh.close();
});

test('two servers on one PostgreSQL database share the count', { skip: storeKind() !== 'postgres' }, async () => {
  const a = await start({ GATEHOUSE_RATELIMIT_BACKEND: '15/60' });
  const b = await startSibling(a);
  servers.push(b);
  const codes = [];
  for (let i = 0; i < 10; i++) {
    codes.push((await bapi(a, 'GET', '/v1/users/count')).status);
    codes.push((await bapi(b, 'GET', '/v1/users/count')).status);
  }
  assert.equal(codes.filter((c) => c === 200).length, 15, codes.join(' '));
  assert.equal(codes.filter((c) => c === 429).length, 5, codes.join(' '));
  await b.close();
  await a.close();
});

function accessLines(gh) {
  return gh.logs().split('\n').filter((l) => l.includes('"msg":"access"') && l.includes('"listener":"frontend"'))
    .map((l) => JSON.parse(l));
}

/** Sends one request and returns its access-log line (written once the reply is out). */
async function logged(gh, headers) {
  const res = await fetch(`${gh.frontendUrl}/healthz`, { headers });
  await res.arrayBuffer();
  const id = res.headers.get('x-request-id');
  for (let i = 0; i < 100; i++) {
    const line = accessLines(gh).find((l) => l.request_id === id);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no access line for request ${id}`);
}

test('client address: X-Forwarded-For is believed only from a trusted proxy, right-most untrusted hop', async () => {
  const plain = await start({});
  const p = await logged(plain, { 'X-Forwarded-For': '1.2.3.4' });
  assert.equal(p.peer, '127.0.0.1');
  assert.equal(p.client, undefined, 'a spoofed header changes nothing');
  await plain.close();

  const proxied = await start({ GATEHOUSE_TRUSTED_PROXIES: '127.0.0.0/8, 10.0.0.0/8' });
  const send = (xff) => logged(proxied, { 'X-Forwarded-For': xff });
  assert.equal((await send('6.6.6.6, 198.51.100.7, 10.1.2.3')).client, '198.51.100.7');
  assert.equal((await send('198.51.100.8:5555')).client, '198.51.100.8');
  assert.equal((await send('10.9.9.9')).client, '10.9.9.9'); /* all hops trusted: the left-most */
  await proxied.close();
});

test('a malformed trusted-proxies list stops the server with a clear message', async () => {
  await assert.rejects(startGatehouse({ env: { GATEHOUSE_TRUSTED_PROXIES: '10.0.0.1/8' } }),
    /trusted-proxies/);
});
