// server.test.mjs: the process as an operator sees it: what it prints,
// /healthz and /metrics, JSON logs, restart on the same database, admin verbs,
// graceful SIGTERM with requests in flight, durability across kill -9, and
// (PostgreSQL only) riding out a database outage without a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startGatehouse, storeKind, REPO_ROOT } from './lib/server.mjs';
import { sleep } from './lib/net.mjs';
import { startPrivatePg } from './lib/pg.mjs';
import {
  clerkFor, uniq, strongPassword, bapi, assertClerkErrorBody, metrics, metricSum, expectClerkError, pkHost, decodeJwt,
} from './lib/clerk.mjs';

let gh;
let clerk;
let firstUser;
const tag = uniq();

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
});
after(async () => { if (gh) await gh.cleanup(); });

test('first start prints the keys an app needs', async () => {
  const p = gh.printed;
  assert.match(p.CLERK_PUBLISHABLE_KEY || '', /^pk_test_[A-Za-z0-9+/]+$/, gh.stdoutRun);
  assert.match(p.CLERK_SECRET_KEY || '', /^sk_test_[A-Za-z0-9_]+$/, 'secret key printed on first start');
  assert.equal(p.CLERK_API_URL, gh.backendUrl);
  assert.ok(p.CLERK_JWKS_URL, 'CLERK_JWKS_URL printed');
  const res = await fetch(p.CLERK_JWKS_URL, { headers: { Authorization: `Bearer ${gh.secretKey}` } });
  const jwks = await res.json();
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(jwks.keys) && jwks.keys.length >= 1, JSON.stringify(jwks));
  firstUser = await clerk.users.createUser({ emailAddress: [`first.${tag}@example.com`] });
});

test('/healthz answers 200 on both listeners', async () => {
  for (const base of [gh.frontendUrl, gh.backendUrl]) {
    const res = await fetch(`${base}/healthz`);
    await res.arrayBuffer();
    assert.equal(res.status, 200, base);
  }
});

test('/metrics: requests by route and status, latency histogram, token mints (Prometheus text)', async () => {
  const m0 = (await metrics(gh)).series;
  const s = await clerk.sessions.createSession({ userId: firstUser.id });
  const t1 = (await clerk.sessions.getToken(s.id)).jwt;
  const t2 = (await clerk.sessions.getToken(s.id)).jwt; // handed out again
  gh.sensitive(t1);
  assert.equal(t2, t1);
  await clerk.users.getUser(firstUser.id);
  await expectClerkError(clerk.users.getUser('user_doesnotexist0000000000'), 404);
  const res = await fetch(`${gh.backendUrl}/metrics`);
  await res.arrayBuffer();
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  const { text, series } = await metrics(gh);
  const d = (name, ...labels) => metricSum(series, name, ...labels) - metricSum(m0, name, ...labels);
  assert.match(text, /^# TYPE gatehouse_http_requests_total counter$/m);
  assert.match(text, /^# TYPE gatehouse_http_request_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE gatehouse_token_mints_total counter$/m);
  // requests by route (the pattern, never the raw path) and status
  assert.ok(d('gatehouse_http_requests_total', 'listener="backend"', 'route="/v1/users/:id"', 'status="200"') >= 1, text);
  assert.ok(d('gatehouse_http_requests_total', 'route="/v1/users/:id"', 'status="404"') >= 1, text);
  assert.ok(!text.includes(firstUser.id), 'ids never become label values');
  // histogram: cumulative buckets ending in +Inf = _count, and a _sum
  const buckets = [...series].filter(([k]) => k.startsWith('gatehouse_http_request_duration_seconds_bucket{listener="backend"'));
  assert.ok(buckets.length >= 5, text);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i][1] >= buckets[i - 1][1], 'buckets are cumulative');
  assert.ok(buckets.at(-1)[0].includes('le="+Inf"'));
  assert.equal(buckets.at(-1)[1], series.get('gatehouse_http_request_duration_seconds_count{listener="backend"}'));
  assert.ok(series.get('gatehouse_http_request_duration_seconds_sum{listener="backend"}') > 0);
  // token mints: one signature, one reuse
  assert.equal(d('gatehouse_token_mints_total', 'kind="signed"'), 1, text);
  assert.equal(d('gatehouse_token_mints_total', 'kind="reused"'), 1, text);
  // /metrics needs no key and is not on the frontend listener
  const fe = await fetch(`${gh.frontendUrl}/metrics`);
  await fe.arrayBuffer();
  assert.equal(fe.status, 404);
});

test('logs on stderr are JSON lines', async () => {
  const lines = gh.logs().split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length > 0, 'some log lines');
  for (const l of lines) {
    let o;
    assert.doesNotThrow(() => { o = JSON.parse(l); }, `not JSON: ${l}`);
    assert.equal(typeof o, 'object');
  }
});

test('keys create-secret mints a working secret key; keys list shows no secrets', async () => {
  const r = await gh.admin(['keys', 'create-secret']);
  assert.equal(r.code, 0, r.stderr);
  const m = /^CLERK_SECRET_KEY=(sk_test_\S+)$/m.exec(r.stdout);
  assert.ok(m, `create-secret output: ${r.stdout}`);
  const sk2 = m[1];
  gh.sensitive(sk2);
  assert.notEqual(sk2, gh.secretKey);
  const c2 = clerkFor(gh, { secretKey: sk2 });
  assert.equal((await c2.users.getUser(firstUser.id)).id, firstUser.id);
  assert.equal((await clerk.users.getUser(firstUser.id)).id, firstUser.id, 'old key still works');
  const l = await gh.admin(['keys', 'list']);
  assert.equal(l.code, 0, l.stderr);
  assert.ok(l.stdout.trim().length > 0, 'keys list prints something');
  assert.ok(!l.stdout.includes(sk2) && !l.stdout.includes(gh.secretKey), 'keys list must not print secret keys');
  gh.secondKey = sk2;
});

test('restart on the same database keeps data and prints no new secret key', async () => {
  const pk = gh.publishableKey;
  await gh.restart();
  assert.equal(gh.printed.CLERK_SECRET_KEY, undefined, `stdout after restart:\n${gh.stdoutRun}`);
  assert.equal(gh.printed.CLERK_PUBLISHABLE_KEY, pk);
  assert.equal(gh.printed.CLERK_API_URL, gh.backendUrl);
  assert.equal((await clerk.users.getUser(firstUser.id)).id, firstUser.id);
  assert.equal((await clerkFor(gh, { secretKey: gh.secondKey }).users.getCount()), 1);
});

test('gatehouse migrate: applies nothing twice, prints the schema version, the server keeps serving', async () => {
  const files = (await readdir(join(REPO_ROOT, 'src/store/migrations', storeKind() === 'postgres' ? 'postgres' : 'sqlite')))
    .filter((f) => /^\d{4}_.*\.sql$/.test(f));
  const latest = Math.max(...files.map((f) => Number(f.slice(0, 4))));
  for (let i = 0; i < 2; i++) {
    const r = await gh.admin(['migrate']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^schema version ${latest}$`, 'm'), r.stdout);
  }
  assert.equal((await clerk.users.getUser(firstUser.id)).id, firstUser.id);
});

/** Raw POST /v1/users; `split` sends the body in two parts around `between()`. */
function postUser(body, between) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(new URL('/v1/users', gh.apiUrl), {
      method: 'POST',
      agent: false,
      headers: {
        Authorization: `Bearer ${gh.secretKey}`,
        'Content-Type': 'application/json',
        'Content-Length': data.length,
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    if (!between) { req.end(data); return; }
    const half = Math.floor(data.length / 2);
    req.flushHeaders();
    req.write(data.subarray(0, half));
    between().then(() => req.end(data.subarray(half)), reject);
  });
}

test('SIGTERM while a password hash is in flight: the request completes, exit 0', async () => {
  const pw = strongPassword();
  gh.sensitive(pw);
  const pending = postUser({ email_address: [`inflight.${tag}@example.com`], password: pw });
  await sleep(15);
  gh.proc.kill('SIGTERM');
  const r = await pending;
  assert.equal(r.status, 200, r.text);
  assert.equal(JSON.parse(r.text).object, 'user');
  const exit = await gh.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, gh.logs().slice(-2000));
  await gh.spawn();
  assert.equal((await clerk.users.getCount({ emailAddress: [`inflight.${tag}@example.com`] })), 1);
});

test('SIGTERM while a request body is half sent: the request completes, exit 0', async () => {
  const r = await postUser({ email_address: [`halfbody.${tag}@example.com`], first_name: 'Half' }, async () => {
    await sleep(150);
    gh.proc.kill('SIGTERM');
    await sleep(300);
  });
  assert.equal(r.status, 200, r.text);
  const exit = await gh.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, gh.logs().slice(-2000));
  await gh.spawn();
  assert.equal((await clerk.users.getCount({ emailAddress: [`halfbody.${tag}@example.com`] })), 1);
});

test(`kill -9 right after a burst of acknowledged writes loses nothing (${storeKind()})`, async () => {
  const N = 40;
  const ids = [];
  let next = 0;
  const worker = async () => {
    while (next < N) {
      const i = next++;
      const u = await clerk.users.createUser({ emailAddress: [`burst${i}.${tag}@example.com`], firstName: `B${i}` });
      ids.push(u.id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  assert.equal(ids.length, N);
  await gh.kill9();
  assert.equal(gh.exit.signal, 'SIGKILL');
  await gh.spawn();
  assert.equal(gh.printed.CLERK_SECRET_KEY, undefined, 'no new secret key after a crash');
  const list = await clerk.users.getUserList({ userId: ids, limit: 100 });
  assert.equal(list.totalCount, N);
  assert.deepEqual(list.data.map((u) => u.id).sort(), [...ids].sort());
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});

test('--frontend-url: the publishable key and the tokens\' iss name the public host', async () => {
  const g = await startGatehouse({ env: { GATEHOUSE_FRONTEND_URL: 'https://auth.example.test' } });
  try {
    assert.equal(pkHost(g.publishableKey), 'auth.example.test');
    const c = clerkFor(g);
    const u = await c.users.createUser({ emailAddress: [`fe.${tag}@example.com`] });
    const s = await c.sessions.createSession({ userId: u.id });
    const { jwt } = await c.sessions.getToken(s.id);
    g.sensitive(jwt);
    assert.equal(decodeJwt(jwt).payload.iss, 'https://auth.example.test');
    await g.close();
  } finally {
    await g.cleanup();
  }
});

test('PostgreSQL outage: 503 while down, recovers without a restart',
  { skip: storeKind() !== 'postgres' && 'PostgreSQL only (GH_TEST_DB=postgres)' }, async () => {
    const pg = await startPrivatePg();
    let g;
    try {
      g = await startGatehouse({ db: 'postgres', pgAdminUrl: pg.url });
      const c = clerkFor(g);
      const u = await c.users.createUser({ emailAddress: [`pgdown.${tag}@example.com`] });
      await pg.stop();
      const r1 = await bapi(g, 'GET', `/v1/users/${u.id}`);
      assertClerkErrorBody(r1, 503);
      for (const base of [g.frontendUrl, g.backendUrl]) { // /healthz checks the database
        const h = await fetch(`${base}/healthz`);
        await h.arrayBuffer();
        assert.equal(h.status, 503, base);
      }
      const r2 = await bapi(g, 'POST', '/v1/users', { body: { email_address: [`pgdown2.${tag}@example.com`] } });
      assertClerkErrorBody(r2, 503);
      await expectClerkError(c.users.getUser(u.id), 503);
      await pg.start();
      const deadline = Date.now() + 15000;
      let last;
      while (Date.now() < deadline) {
        last = await bapi(g, 'GET', `/v1/users/${u.id}`);
        if (last.status === 200) break;
        await sleep(200);
      }
      assert.equal(last.status, 200, `after PostgreSQL came back: ${last.status} ${last.text}`);
      const h = await fetch(`${g.backendUrl}/healthz`);
      await h.arrayBuffer();
      assert.equal(h.status, 200);
      const u2 = await c.users.createUser({ emailAddress: [`pgdown2.${tag}@example.com`] });
      assert.equal((await c.users.getUser(u2.id)).id, u2.id);
      assert.ok(g.running, 'gatehouse kept running');
      await g.close();
    } finally {
      if (g) await g.cleanup();
      await pg.destroy();
    }
  });
