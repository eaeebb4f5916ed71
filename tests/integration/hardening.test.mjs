// hardening.test.mjs (issue 6): hostile input at the HTTP layer and the
// standard response headers (catalogue BI-01, BI-03..BI-07, BI-09, BI-16,
// BI-17): oversized headers and targets, JSON bombs, bad encodings, range
// and allowlist checks on list parameters, SQL-shaped input, security
// headers on every reply, and a bounded slowloris run on loopback while
// normal traffic keeps flowing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, bapi, expectClerkError, strongPassword } from './lib/clerk.mjs';

let gh;
let clerk;
const tag = uniq();

before(async () => {
  gh = await startGatehouse({ env: { GATEHOUSE_HEADER_TIMEOUT: '2', GATEHOUSE_BODY_TIMEOUT: '2' } });
  clerk = clerkFor(gh);
});
after(async () => { if (gh) await gh.cleanup(); });

/** Writes `text` on a fresh connection and resolves with the first response (or a close). */
function raw(port, text, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const t0 = Date.now();
    let got = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      const s = got.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(s);
      const headers = new Headers();
      if (m) {
        for (const line of m[2].split('\r\n')) {
          const i = line.indexOf(':');
          if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
        }
      }
      resolve({ status: m ? Number(m[1]) : 0, headers, body: m ? m[3] : '', ms: Date.now() - t0 });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      const s = got.toString('latin1');
      const m = /\r\ncontent-length: *(\d+)\r\n[\s\S]*?\r\n\r\n/i.exec(s);
      if (m && got.length >= s.indexOf('\r\n\r\n') + 4 + Number(m[1])) finish();
    });
    sock.on('error', () => {});
    sock.on('close', finish);
    sock.on('connect', () => sock.write(text));
  });
}

const port = () => Number(new URL(gh.apiUrl).port);
const feport = () => Number(new URL(gh.frontendUrl).port);

test('BI-01: a 16 KiB header, 200 headers, a 16 KiB target → 431/414, fast, 200 times over', async () => {
  const big = `GET /v1/users HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(16 * 1024)}\r\n\r\n`;
  const many = `GET /v1/users HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'b'.repeat(94)}\r\n`).join('')}\r\n`;
  const longUri = `GET /v1/users?q=${'c'.repeat(16 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`;
  let worst = 0;
  for (let i = 0; i < 200; i++) {
    const [a, b, c] = await Promise.all([raw(port(), big), raw(port(), many), raw(feport(), longUri)]);
    assert.equal(a.status, 431);
    assert.equal(b.status, 431);
    assert.equal(c.status, 414);
    worst = Math.max(worst, a.ms, b.ms, c.ms);
  }
  assert.ok(worst < 2000, `slowest refusal ${worst} ms`);
  assert.equal((await bapi(gh, 'GET', '/v1/users/count')).status, 200);
});

test('BI-02: body caps: 64 KiB on the Frontend API (413 before the body), chunked streams cut', async () => {
  const fe = await raw(feport(), 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${65 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
  assert.equal(fe.status, 413);
  // a chunked upload of 32 MiB: the server stops reading past 4× the 1 MiB
  // cap and closes (or answers 413) long before the client is done
  const r = await new Promise((resolve) => {
    const sock = net.connect(port(), '127.0.0.1');
    let queued = 0;
    let got = '';
    let ourTimeout = false;
    const chunk = `${(64 * 1024).toString(16)}\r\n${'a'.repeat(64 * 1024)}\r\n`;
    const pump = () => {
      while (queued < 32 << 20 && !sock.destroyed) {
        queued += 64 * 1024;
        if (!sock.write(chunk)) { sock.once('drain', pump); return; }
      }
    };
    sock.on('data', (d) => { got += d.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => resolve({ written: sock.bytesWritten, got, ourTimeout }));
    sock.on('connect', () => {
      sock.write(`POST /v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gh.secretKey}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      pump();
    });
    setTimeout(() => { ourTimeout = true; sock.destroy(); }, 10000).unref();
  });
  assert.equal(r.ourTimeout, false, 'the server neither answered nor closed');
  assert.ok(r.got === '' || /^HTTP\/1\.1 413/.test(r.got), r.got.slice(0, 100));
  assert.ok(r.written < 16 << 20, `the server took ${r.written} bytes of an over-cap body`);
  assert.equal((await bapi(gh, 'GET', '/v1/users/count')).status, 200);
});

test('BI-03: JSON nesting bombs → 400 malformed_request_body, quickly', async () => {
  for (const body of ['['.repeat(100000) + ']'.repeat(100000), '{"a":'.repeat(100000),
    `{"first_name":"x","public_metadata":${'{"a":'.repeat(65)}1${'}'.repeat(65)}}`]) {
    const t0 = Date.now();
    const r = await bapi(gh, 'POST', '/v1/users', { body });
    assert.equal(r.status, 400, r.text.slice(0, 200));
    assert.equal(r.json.errors[0].code, 'malformed_request_body');
    assert.ok(Date.now() - t0 < 2000);
  }
});

test('BI-04: duplicate keys are refused, never last-wins', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Dup ${tag}` });
  const u = await clerk.users.createUser({ emailAddress: [`dup.${tag}@example.com`] });
  const r = await bapi(gh, 'POST', `/v1/organizations/${org.id}/memberships`,
    { body: `{"user_id":"${u.id}","role":"org:member","role":"org:admin"}` });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].code, 'malformed_request_body');
  assert.equal((await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id })).totalCount, 0);
});

test('BI-05: invalid UTF-8, overlong forms and lone surrogates → 400; NUL in an identifier → 422', async () => {
  const bodies = [
    Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
    Buffer.from('{"first_name":"\\ud800"}'),
  ];
  for (const body of bodies) {
    const r = await bapi(gh, 'POST', '/v1/users', { body: new Uint8Array(body) });
    assert.equal(r.status, 400, r.text);
  }
  const r = await bapi(gh, 'POST', '/v1/users', { body: { email_address: ['a\u0000@x.test'] } });
  assert.equal(r.status, 422, r.text);
  // a password with a NUL never verifies as its prefix
  const pw = `abc\u0000${strongPassword()}`;
  gh.sensitive(pw.slice(4));
  const u = await clerk.users.createUser({ emailAddress: [`nul.${tag}@example.com`], password: pw });
  await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password: 'abc' }), 422, 'incorrect_password');
  assert.deepEqual(await clerk.users.verifyPassword({ userId: u.id, password: pw }), { verified: true });
});

test('BI-06: limit/offset/time filters out of range → 422 naming the parameter, never 500', async () => {
  const cases = [
    ['limit=-1', 'limit'], ['limit=0', 'limit'], ['limit=1000000', 'limit'], ['limit=1e3', 'limit'],
    ['offset=18446744073709551616', 'offset'], ['offset=-5', 'offset'],
    ['created_at_after=NaN', 'created_at_after'], ['created_at_before=1e308', 'created_at_before'],
    ['last_active_at_since=-1', 'last_active_at_since'],
  ];
  for (const [q, param] of cases) {
    const r = await bapi(gh, 'GET', `/v1/users?${q}`);
    assert.equal(r.status, 422, `${q}: ${r.text}`);
    assert.equal(r.json.errors[0].meta.param_name, param, q);
  }
  for (const path of ['/v1/organizations?limit=501', '/v1/sessions?limit=0', '/v1/invitations?offset=x']) {
    assert.equal((await bapi(gh, 'GET', path)).status, 422, path);
  }
});

test('BI-07: order_by is allowlisted; SQL-shaped and wildcard input is literal', async () => {
  for (const ob of ["' OR '1'='1", 'created_at; DROP TABLE users', '-password_hash', 'id,(select 1)']) {
    const r = await bapi(gh, 'GET', `/v1/users?order_by=${encodeURIComponent(ob)}`);
    assert.equal(r.status, 422, ob);
    assert.equal(r.json.errors[0].meta.param_name, 'order_by');
  }
  await clerk.users.createUser({ emailAddress: [`pct.${tag}@example.com`], firstName: `100%_${tag}` });
  await clerk.users.createUser({ emailAddress: [`nopct.${tag}@example.com`], firstName: `100xx${tag}` });
  const pct = await clerk.users.getUserList({ query: `100%_${tag}` });
  assert.equal(pct.totalCount, 1);
  assert.equal((await clerk.users.getUserList({ query: `100__${tag}` })).totalCount, 0);
  const inj = await bapi(gh, 'GET', `/v1/users?email_address=${encodeURIComponent("' OR '1'='1")}`);
  assert.equal(inj.status, 200);
  assert.deepEqual(inj.json, []);
  assert.ok((await clerk.users.getCount()) >= 2, 'the table is still there');
});

test('BI-16/BI-17: security headers on every reply; no Server version; generic errors', async () => {
  const replies = [
    await fetch(`${gh.apiUrl}/v1/users`, { headers: { Authorization: `Bearer ${gh.secretKey}` } }),
    await fetch(`${gh.apiUrl}/v1/users/user_nope`, { headers: { Authorization: `Bearer ${gh.secretKey}` } }),
    await fetch(`${gh.apiUrl}/v1/users`),
    await fetch(`${gh.apiUrl}/v1/users`, { method: 'POST', headers: { Authorization: `Bearer ${gh.secretKey}`, 'Content-Type': 'application/json' }, body: '{' }),
    await fetch(`${gh.frontendUrl}/healthz`),
    await fetch(`${gh.frontendUrl}/.well-known/jwks.json`),
    await fetch(`${gh.frontendUrl}/nope`),
    await fetch(`${gh.frontendUrl}/images/default-avatar.svg`),
  ];
  for (const r of replies) {
    const what = `${r.url} ${r.status}`;
    const body = await r.text();
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
    assert.ok(r.headers.get('cache-control'), what);
    assert.equal(r.headers.get('server'), null, what);
    if (r.url.includes(gh.apiUrl) && r.headers.get('content-type') === 'application/json') {
      assert.equal(r.headers.get('cache-control'), 'no-store', what);
    }
    if (r.status >= 400) {
      assert.doesNotMatch(body, /jansson|sqlite|postgres|line \d|\.c:\d|SELECT|gatehouse\/\d/i, what);
    }
  }
});

/** A connection that sends the start of a request, then one more line every `everyMs`. */
function slowClient(p, head, drip, everyMs) {
  const sock = net.connect(p, '127.0.0.1');
  const c = { closed: false, closedAt: 0, sock };
  let timer;
  sock.on('error', () => {});
  sock.on('close', () => { c.closed = true; c.closedAt = Date.now(); clearInterval(timer); });
  sock.on('connect', () => {
    sock.write(head);
    timer = setInterval(() => { if (!sock.destroyed) sock.write(drip); }, everyMs);
  });
  setTimeout(() => { clearInterval(timer); sock.destroy(); }, 15000).unref();
  return c;
}

test('BI-09: 150 slow-header and 30 slow-body clients are cut; probes keep flowing', async () => {
  const t0 = Date.now();
  const slow = [];
  for (let i = 0; i < 150; i++) {
    slow.push(slowClient(feport(), 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Drip: 1\r\n', 500));
  }
  for (let i = 0; i < 30; i++) {
    slow.push(slowClient(port(), `POST /v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gh.secretKey}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{', ' ', 500));
  }
  const lat = [];
  while (Date.now() - t0 < 5000) {
    const p0 = Date.now();
    const [a, b] = await Promise.all([fetch(`${gh.frontendUrl}/healthz`), bapi(gh, 'GET', '/v1/users/count')]);
    await a.arrayBuffer();
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    lat.push(Date.now() - p0);
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadline = Date.now() + 3000;
  while (slow.some((c) => !c.closed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const open = slow.filter((c) => !c.closed).length;
  for (const c of slow) c.sock.destroy();
  lat.sort((x, y) => x - y);
  assert.ok(lat.length >= 20, `probes: ${lat.length}`);
  assert.ok(lat[lat.length - 1] < 1000, `slowest probe ${lat[lat.length - 1]} ms`);
  assert.equal(open, 0, `${open} of ${slow.length} slow clients still connected after ${Date.now() - t0} ms`);
  const cutAfter = slow.map((c) => c.closedAt - t0);
  assert.ok(Math.max(...cutAfter) < 7000, `last cut at ${Math.max(...cutAfter)} ms`);
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
  gh = null;
});
