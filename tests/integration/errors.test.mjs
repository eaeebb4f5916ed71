// errors.test.mjs: Clerk-shaped errors on the wire and through the SDK:
// malformed and oversized bodies, wrong types, unknown ids and routes, bad
// secret keys, duplicates; the server stays up afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, expectClerkError, bapi, assertClerkErrorBody } from './lib/clerk.mjs';

let gh;
let clerk;
let user;
const tag = uniq();

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  user = await clerk.users.createUser({ emailAddress: [`err.${tag}@example.com`] });
});
after(async () => { if (gh) await gh.cleanup(); });

/**
 * Sends only the headers of a POST announcing `size` bytes with
 * `Expect: 100-continue`, then returns what the server answers before any body.
 */
function announceLarge(path, size) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, gh.apiUrl);
    const sock = net.connect(Number(url.port), url.hostname);
    let got = '';
    const done = () => {
      const m = /^HTTP\/1\.[01] (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(got);
      if (!m) { reject(new Error(`no HTTP response: ${JSON.stringify(got.slice(0, 200))}`)); return; }
      const headers = new Headers();
      for (const line of m[2].split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      let json;
      try { json = JSON.parse(m[3]); } catch { json = undefined; }
      resolve({ status: Number(m[1]), headers, text: m[3], json });
    };
    sock.setEncoding('utf8');
    sock.on('data', (d) => { got += d; });
    sock.on('error', () => {});
    sock.on('close', done);
    sock.on('connect', () => {
      sock.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n` +
        `Authorization: Bearer ${gh.secretKey}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${size}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
      setTimeout(() => sock.end(), 1500).unref();
    });
  });
}

test('successful responses are exactly application/json', async () => {
  const r = await bapi(gh, 'GET', `/v1/users/${user.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.json.object, 'user');
  // every kind of JSON answer: list, count, object, token, JWKS, DeletedObject, paginated
  const s = await bapi(gh, 'POST', '/v1/sessions', { body: { user_id: user.id } });
  const tok = await bapi(gh, 'POST', `/v1/sessions/${s.json.id}/tokens`);
  gh.sensitive(tok.json.jwt);
  const tmp = await bapi(gh, 'POST', '/v1/users', { body: { first_name: 'Tmp' } });
  for (const x of [s, tok, tmp, await bapi(gh, 'GET', '/v1/users'), await bapi(gh, 'GET', '/v1/users/count'),
    await bapi(gh, 'GET', '/v1/jwks'), await bapi(gh, 'GET', '/v1/sessions?paginated=true'),
    await bapi(gh, 'PATCH', `/v1/users/${user.id}/metadata`, { body: {} }),
    await bapi(gh, 'DELETE', `/v1/users/${tmp.json.id}`)]) {
    assert.equal(x.status, 200, x.text);
    assert.equal(x.headers.get('content-type'), 'application/json', x.text.slice(0, 100));
  }
  const jw = await fetch(`${gh.frontendUrl}/.well-known/jwks.json`);
  await jw.arrayBuffer();
  assert.equal(jw.headers.get('content-type'), 'application/json');
});

test('malformed JSON body → 400 Clerk error', async () => {
  const r = await bapi(gh, 'POST', '/v1/users', { body: '{"email_address": ["x@example.com"' });
  assertClerkErrorBody(r, 400);
  const r2 = await bapi(gh, 'POST', '/v1/users', { body: 'not json at all' });
  assertClerkErrorBody(r2, 400);
});

test('duplicate keys in a JSON object are rejected', async () => {
  const r = await bapi(gh, 'POST', '/v1/users', { body: '{"first_name":"a","first_name":"b"}' });
  assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text}`);
  assertClerkErrorBody(r, r.status);
});

test('wrong type → 422 with meta.param_name', async () => {
  const r = await bapi(gh, 'POST', '/v1/users', { body: { email_address: [`t.${tag}@example.com`], first_name: 123 } });
  const e = assertClerkErrorBody(r, 422);
  assert.equal(e.meta.param_name, 'first_name', r.text);
  const r2 = await bapi(gh, 'PATCH', `/v1/users/${user.id}`, { body: { last_name: { no: 1 } } });
  assert.equal(assertClerkErrorBody(r2, 422).meta.param_name, 'last_name', r2.text);
  const r3 = await bapi(gh, 'POST', '/v1/users', { body: { email_address: [42] } });
  assert.equal(r3.status, 422, r3.text);
});

test('body over 1 MiB announced with Expect: 100-continue → 413 before the body', async () => {
  const r = await announceLarge('/v1/users', (1 << 20) + 4096);
  assertClerkErrorBody(r, 413, 'request_body_too_large');
});

// An oversized body is read and discarded before the 413 goes out (see
// GH_HTTP_DRAIN_FACTOR), so a client that is still sending reads the answer
// instead of a connection reset.
test('body over 1 MiB sent in full (as fetch does) → the client reads a 413', async () => {
  const body = `"${'a'.repeat((1 << 20) + 4096)}"`;
  const seen = {};
  for (let i = 0; i < 10; i++) {
    let k;
    try {
      const res = await fetch(`${gh.apiUrl}/v1/users`, {
        method: 'POST', body,
        headers: { Authorization: `Bearer ${gh.secretKey}`, 'Content-Type': 'application/json' },
      });
      await res.arrayBuffer();
      k = String(res.status);
    } catch (e) {
      k = e.cause?.code || e.message; // EPIPE/ECONNRESET: closed before the client could read the 413
    }
    seen[k] = (seen[k] || 0) + 1;
  }
  assert.deepEqual(seen, { 413: 10 });
  // at the cap exactly the size is fine (the body is not valid JSON: 400)
  const ok = await bapi(gh, 'POST', '/v1/users', { body: `"${'a'.repeat((1 << 20) - 3)}` });
  assertClerkErrorBody(ok, 400);
});

test('unknown ids → 404 resource_not_found', async () => {
  const r = await bapi(gh, 'GET', '/v1/users/user_doesnotexist0000000000');
  assertClerkErrorBody(r, 404, 'resource_not_found');
  await expectClerkError(clerk.users.getUser('user_doesnotexist0000000000'), 404, 'resource_not_found');
  await expectClerkError(clerk.users.updateUser('user_doesnotexist0000000000', { firstName: 'x' }), 404, 'resource_not_found');
  await expectClerkError(clerk.users.banUser('user_doesnotexist0000000000'), 404, 'resource_not_found');
});

test('duplicate email → 422 form_identifier_exists (SDK)', async () => {
  const err = await expectClerkError(
    clerk.users.createUser({ emailAddress: [`err.${tag}@example.com`] }), 422, 'form_identifier_exists');
  assert.equal(typeof err.errors[0].longMessage, 'string');
  await clerk.users.updateUser(user.id, { username: `taken_${tag}` });
  await expectClerkError(clerk.users.createUser({ username: `taken_${tag}`, emailAddress: [`u2.${tag}@example.com`] }),
    422, 'form_identifier_exists');
});

test('duplicate email differing only in case → 422 form_identifier_exists', async () => {
  await expectClerkError(
    clerk.users.createUser({ emailAddress: [`ERR.${tag}@Example.com`] }), 422, 'form_identifier_exists');
});

test('missing or wrong secret key → 401', async () => {
  // No usable credentials at all → authentication_invalid; a Bearer secret
  // key that is not one of ours → clerk_key_invalid (spec §A, errors table).
  const none = await bapi(gh, 'GET', '/v1/users', { auth: false });
  assertClerkErrorBody(none, 401, 'authentication_invalid');
  const empty = await bapi(gh, 'GET', '/v1/users', { headers: { Authorization: 'Bearer ' } });
  assertClerkErrorBody(empty, 401, 'authentication_invalid');
  const wrong = await bapi(gh, 'GET', '/v1/users', { headers: { Authorization: 'Bearer sk_test_thisIsNotTheKey000000000000' } });
  assertClerkErrorBody(wrong, 401, 'clerk_key_invalid');
  const notSk = await bapi(gh, 'GET', '/v1/users', { headers: { Authorization: `Bearer ${gh.publishableKey}` } });
  assertClerkErrorBody(notSk, 401, 'clerk_key_invalid');
  const basic = await bapi(gh, 'GET', '/v1/users', { headers: { Authorization: `Basic ${gh.secretKey}` } });
  assertClerkErrorBody(basic, 401, 'authentication_invalid');
  const bad = clerkFor(gh, { secretKey: 'sk_test_thisIsNotTheKey000000000000' });
  await expectClerkError(bad.users.getUserList(), 401, 'clerk_key_invalid');
  // the frontend listener does not serve the Backend API
  const res = await fetch(`${gh.frontendUrl}/v1/users`, { headers: { Authorization: `Bearer ${gh.secretKey}` } });
  await res.arrayBuffer();
  assert.notEqual(res.status, 200);
});

test('secrets in refused requests never reach the logs (checked again at shutdown)', async () => {
  const wrongKey = `sk_test_${uniq(16)}`;
  const pw = `Pw-${uniq(12)}-never-logged`;
  gh.sensitive(wrongKey, pw);
  assertClerkErrorBody(await bapi(gh, 'GET', '/v1/users', { headers: { Authorization: `Bearer ${wrongKey}` } }), 401);
  // a password in a malformed body, a refused create, and a wrong verify
  assertClerkErrorBody(await bapi(gh, 'POST', '/v1/users', { body: `{"password":"${pw}",` }), 400);
  assertClerkErrorBody(await bapi(gh, 'POST', '/v1/users',
    { body: { email_address: [`err.${tag}@example.com`], password: pw } }), 422);
  assertClerkErrorBody(await bapi(gh, 'POST', `/v1/users/${user.id}/verify_password`, { body: { password: pw } }), 400);
  // and in the query string
  assertClerkErrorBody(await bapi(gh, 'GET', `/v1/users?limit=${encodeURIComponent(pw)}`), 422);
  gh.checkLogs();
  assert.ok(gh.logs().includes('/v1/users'), 'the requests themselves are logged');
});

test('POST with a JSON content type and an empty body is accepted', async () => {
  const r = await bapi(gh, 'POST', `/v1/users/${user.id}/ban`, { headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.banned, true);
  const r2 = await bapi(gh, 'POST', `/v1/users/${user.id}/unban`, { headers: { 'Content-Type': 'application/json' }, body: '' });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.json.banned, false);
});

test('unknown route → 404 Clerk error', async () => {
  assertClerkErrorBody(await bapi(gh, 'GET', '/v1/definitely_not_a_route'), 404);
  assertClerkErrorBody(await bapi(gh, 'GET', `/v1/users/${user.id}/not_a_sub_route`), 404);
});

test('after all that the server still answers', async () => {
  const u = await clerk.users.getUser(user.id);
  assert.equal(u.id, user.id);
  const res = await fetch(`${gh.backendUrl}/healthz`);
  await res.arrayBuffer();
  assert.equal(res.status, 200);
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});
