// sessions_tokens.test.mjs: clerk.sessions.*, session tokens (claims, JWKS,
// networkless and JWKS verification with verifyToken) and token reuse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToken } from '@clerk/backend';
import * as jose from 'jose';
import { startGatehouse } from './lib/server.mjs';
import { sleep } from './lib/net.mjs';
import {
  clerkFor, uniq, expectClerkError, decodeJwt, bapi, assertResource, tamper, pkHost, metrics, metricSum, jwtPublicKey,
} from './lib/clerk.mjs';

let gh;
let clerk;
let user;
let session;
let jwt;
let pem;
const tag = uniq();

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  user = await clerk.users.createUser({ emailAddress: [`sess.${tag}@example.com`], firstName: 'Sess' });
});
after(async () => { if (gh) await gh.cleanup(); });

test('createSession / getSession / getSessionList', async () => {
  session = await clerk.sessions.createSession({ userId: user.id });
  assertResource(session, 'Session');
  assert.match(session.id, /^sess_[A-Za-z0-9]+$/);
  assert.equal(session.userId, user.id);
  assert.equal(session.status, 'active');
  assert.equal(typeof session.clientId, 'string');
  for (const k of ['lastActiveAt', 'expireAt', 'abandonAt', 'createdAt', 'updatedAt']) {
    assert.equal(typeof session[k], 'number', k);
  }
  assert.ok(session.expireAt > Date.now());

  const got = await clerk.sessions.getSession(session.id);
  assert.equal(got.id, session.id);
  assert.equal(got.userId, user.id);

  const other = await clerk.sessions.createSession({ userId: user.id });
  const list = await clerk.sessions.getSessionList({ userId: user.id });
  assert.ok(Array.isArray(list.data), 'paginated list has data[]');
  assert.equal(list.totalCount, 2);
  assert.deepEqual(list.data.map((s) => s.id).sort(), [session.id, other.id].sort());

  // The SDK sends paginated=true (→ {data,total_count}); without it the
  // legacy bare array (spec §A).
  const bare = await bapi(gh, 'GET', `/v1/sessions?user_id=${user.id}`);
  assert.equal(bare.status, 200, bare.text);
  assert.ok(Array.isArray(bare.json), 'bare array without paginated=true');
  assert.equal(bare.json.length, 2);
  const paged = await bapi(gh, 'GET', `/v1/sessions?user_id=${user.id}&paginated=true&limit=1`);
  assert.equal(paged.json.total_count, 2);
  assert.equal(paged.json.data.length, 1);
  const active = await bapi(gh, 'GET', `/v1/sessions?user_id=${user.id}&status=active&paginated=true`);
  assert.equal(active.json.total_count, 2);
  await expectClerkError(clerk.sessions.getSession('sess_doesnotexist00000000000'), 404, 'resource_not_found');
  await expectClerkError(clerk.sessions.createSession({ userId: 'user_doesnotexist000000000' }), 404);
});

test('getToken returns an RS256 session JWT with the v2 claims', async () => {
  const tok = await clerk.sessions.getToken(session.id);
  jwt = tok.jwt;
  gh.sensitive(jwt);
  assert.equal(typeof jwt, 'string');
  assert.equal(jwt.split('.').length, 3);
  const { header, payload } = decodeJwt(jwt);
  assert.equal(header.alg, 'RS256');
  assert.equal(header.typ, 'JWT');
  assert.equal(typeof header.kid, 'string');
  assert.ok(header.kid.length > 0);

  const host = pkHost(gh.publishableKey);
  assert.equal(host, new URL(gh.frontendUrl).host, 'publishable key encodes the frontend host');
  assert.equal(payload.iss, `http://${host}`);
  assert.equal(payload.sub, user.id);
  assert.equal(payload.sid, session.id);
  for (const k of ['iat', 'nbf', 'exp']) assert.ok(Number.isInteger(payload[k]), k);
  assert.equal(payload.exp - payload.iat, 60);
  assert.ok(payload.nbf <= payload.iat);
  assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 30, 'iat is now');
  assert.equal(typeof payload.azp, 'string');
  assert.equal(payload.v, 2);
  assert.equal(payload.sts, 'active');
  assert.ok(Array.isArray(payload.fva) && payload.fva.length === 2, `fva: ${JSON.stringify(payload.fva)}`);
  assert.ok(!('o' in payload) || payload.o === null || typeof payload.o === 'object');
});

test('jwks.getJwks publishes the kid as an RSA-2048 RS256 key', async () => {
  const { header } = decodeJwt(jwt);
  const jwks = await clerk.jwks.getJwks();
  assert.ok(Array.isArray(jwks.keys));
  const k = jwks.keys.find((x) => x.kid === header.kid);
  assert.ok(k, `kid ${header.kid} in ${JSON.stringify(jwks)}`);
  assert.equal(k.kty, 'RSA');
  assert.equal(k.alg, 'RS256');
  assert.equal(k.use, 'sig');
  assert.equal(k.e, 'AQAB');
  assert.equal(Buffer.from(k.n, 'base64url').length, 256, 'RSA-2048 modulus');
  assert.ok(!('d' in k), 'no private part');
  // and jose agrees with the signature
  const set = jose.createLocalJWKSet(jwks);
  const { payload } = await jose.jwtVerify(jwt, set, { algorithms: ['RS256'] });
  assert.equal(payload.sid, session.id);
});

test('verifyToken networkless with the PEM from `keys jwt-public-key`', async () => {
  pem = await jwtPublicKey(gh);
  const payload = await verifyToken(jwt, { jwtKey: pem });
  assert.equal(payload.sub, user.id);
  assert.equal(payload.sid, session.id);
  await assert.rejects(verifyToken(tamper(jwt), { jwtKey: pem }), /signature|verif/i);
});

test('verifyToken with secretKey + apiUrl (JWKS over the network)', async () => {
  const payload = await verifyToken(jwt, { secretKey: gh.secretKey, apiUrl: gh.apiUrl });
  assert.equal(payload.sub, user.id);
  await assert.rejects(verifyToken(tamper(jwt), { secretKey: gh.secretKey, apiUrl: gh.apiUrl }));
});

test('two getToken calls in quick succession reuse the token', async () => {
  const before1 = await metrics(gh);
  const a = (await clerk.sessions.getToken(session.id)).jwt;
  const b = (await clerk.sessions.getToken(session.id)).jwt;
  gh.sensitive(a, b);
  assert.equal(a, b);
  const after1 = await metrics(gh);
  const name = 'gatehouse_token_mints_total';
  const reused = metricSum(after1.series, name, 'kind="reused"') - metricSum(before1.series, name, 'kind="reused"');
  assert.ok(reused >= 1, `reused mints went up by ${reused}:\n${after1.text}`);
});

test('revokeSession: status revoked, no more tokens', async () => {
  const s = await clerk.sessions.revokeSession(session.id);
  assert.equal(s.id, session.id);
  assert.equal(s.status, 'revoked');
  assert.equal((await clerk.sessions.getSession(session.id)).status, 'revoked');
  const err = await expectClerkError(clerk.sessions.getToken(session.id));
  assert.ok(err.status >= 400 && err.status < 500, `status ${err.status}`);
  const active = await clerk.sessions.getSessionList({ userId: user.id, status: 'active' });
  assert.ok(!active.data.some((x) => x.id === session.id), 'revoked session not listed as active');
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});

test('GATEHOUSE_TOKEN_REUSE_SECONDS=0 signs a fresh token every time', async () => {
  const g2 = await startGatehouse({ env: { GATEHOUSE_TOKEN_REUSE_SECONDS: '0' } });
  try {
    const c2 = clerkFor(g2);
    const u = await c2.users.createUser({ emailAddress: [`noreuse.${tag}@example.com`] });
    const s = await c2.sessions.createSession({ userId: u.id });
    const m0 = await metrics(g2);
    const a = (await c2.sessions.getToken(s.id)).jwt;
    await sleep(1100); // a new iat even if the token has no jti
    const b = (await c2.sessions.getToken(s.id)).jwt;
    g2.sensitive(a, b);
    assert.notEqual(a, b);
    const m1 = await metrics(g2);
    const name = 'gatehouse_token_mints_total';
    assert.equal(metricSum(m1.series, name, 'kind="signed"') - metricSum(m0.series, name, 'kind="signed"'), 2);
    assert.equal(metricSum(m1.series, name, 'kind="reused"') - metricSum(m0.series, name, 'kind="reused"'), 0);
    await g2.close();
  } finally {
    await g2.cleanup();
  }
});
