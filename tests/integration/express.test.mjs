// express.test.mjs: an Express app protected by @clerk/express's
// clerkMiddleware() + getAuth(), pointed at Gatehouse, fed Bearer tokens that
// Gatehouse minted (accepted) and forged/expired ones (refused).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { clerkMiddleware, getAuth } from '@clerk/express';
import * as jose from 'jose';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, decodeJwt, tamper, jwtPublicKey } from './lib/clerk.mjs';

let gh;
let clerk;
let user;
let session;
let appUrl;     // JWKS over the network (secretKey + apiUrl)
let pemUrl;     // networkless (jwtKey = PEM)
const servers = [];
const tag = uniq();

function listen(app) {
  return new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => {
      servers.push(srv);
      resolve(`http://127.0.0.1:${srv.address().port}`);
    });
  });
}

function makeApp(options) {
  const app = express();
  app.use(clerkMiddleware(options));
  app.get('/me', (req, res) => {
    const auth = getAuth(req);
    if (!auth.userId) return res.status(401).json({ signedOut: true });
    return res.json({ userId: auth.userId, sessionId: auth.sessionId, orgId: auth.orgId ?? null });
  });
  app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
    res.status(500).json({ error: String(err && err.message) });
  });
  return app;
}

async function me(url, token, extraHeaders = {}) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/me`, { headers });
  const body = await res.json().catch(() => null);
  return { status: res.status, body };
}

async function mint(expiresInSeconds) {
  const t = (await clerk.sessions.getToken(session.id, undefined, expiresInSeconds)).jwt;
  gh.sensitive(t);
  return t;
}

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  user = await clerk.users.createUser({ emailAddress: [`exp.${tag}@example.com`], firstName: 'Ex' });
  session = await clerk.sessions.createSession({ userId: user.id });
  const base = { publishableKey: gh.publishableKey, secretKey: gh.secretKey, apiUrl: gh.apiUrl };
  appUrl = await listen(makeApp(base));
  pemUrl = await listen(makeApp({ ...base, jwtKey: await jwtPublicKey(gh) }));
});
after(async () => {
  for (const s of servers) s.close();
  if (gh) await gh.cleanup();
});

test('a Gatehouse token as Bearer signs the request in (JWKS path)', async () => {
  const r = await me(appUrl, await mint());
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.userId, user.id);
  assert.equal(r.body.sessionId, session.id);
});

test('a Gatehouse token as Bearer signs the request in (networkless jwtKey path)', async () => {
  const r = await me(pemUrl, await mint());
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.userId, user.id);
  assert.equal(r.body.sessionId, session.id);
});

test('no token → signed out', async () => {
  assert.equal((await me(appUrl)).status, 401);
});

test('tampered token → signed out', async () => {
  const t = tamper(await mint());
  assert.equal((await me(appUrl, t)).status, 401);
  assert.equal((await me(pemUrl, t)).status, 401);
});

test('token signed by a foreign RSA key with the right kid → signed out', async () => {
  const real = decodeJwt(await mint());
  const { privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const forge = (claims) => new jose.SignJWT({ ...real.payload, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: real.header.kid, typ: 'JWT' })
    .sign(privateKey);
  const fresh = await forge({ iat: now, nbf: now - 10, exp: now + 60 });
  const stale = await forge({ iat: now - 600, nbf: now - 610, exp: now - 540 });
  for (const t of [fresh, stale]) {
    assert.equal((await me(appUrl, t)).status, 401);
    assert.equal((await me(pemUrl, t)).status, 401);
  }
});

test('token with alg none / HS256 → signed out', async () => {
  const real = decodeJwt(await mint());
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const none = `${enc({ alg: 'none', typ: 'JWT', kid: real.header.kid })}.${enc(real.payload)}.`;
  const hs = await new jose.SignJWT(real.payload)
    .setProtectedHeader({ alg: 'HS256', kid: real.header.kid, typ: 'JWT' })
    .sign(new TextEncoder().encode(gh.secretKey));
  gh.sensitive(hs);
  for (const t of [none, hs]) assert.equal((await me(appUrl, t)).status, 401);
});

test('a token for a revoked session is refused by Gatehouse (cannot mint)', async () => {
  const s2 = await clerk.sessions.createSession({ userId: user.id });
  await clerk.sessions.revokeSession(s2.id);
  await assert.rejects(clerk.sessions.getToken(s2.id));
});

/** Runs fn with Date.now() in this process shifted by ms (the SDK's clock). */
async function withClockShift(ms, fn) {
  const realNow = Date.now;
  Date.now = () => realNow() + ms;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

test('a Gatehouse token is good for its 60 s and refused once expired', async () => {
  // a fresh session, so the token is freshly signed (not a reused one)
  const s2 = await clerk.sessions.createSession({ userId: user.id });
  const jwt = (await clerk.sessions.getToken(s2.id)).jwt;
  gh.sensitive(jwt);
  const { payload } = decodeJwt(jwt);
  assert.equal(payload.exp - payload.iat, 60);
  // The SDK allows 5 s of clock skew: still valid 50 s from now, expired 66 s from now.
  for (const url of [appUrl, pemUrl]) {
    assert.equal((await withClockShift(50_000, () => me(url, jwt))).status, 200, 'valid 50 s later');
    assert.equal((await withClockShift(66_000, () => me(url, jwt))).status, 401, 'expired 66 s later');
    assert.equal((await me(url, jwt)).status, 200, 'valid now');
  }
});

test('getToken honours expires_in_seconds (minimum 30)', async () => {
  const s3 = await clerk.sessions.createSession({ userId: user.id });
  const jwt = (await clerk.sessions.getToken(s3.id, undefined, 30)).jwt;
  gh.sensitive(jwt);
  const { payload } = decodeJwt(jwt);
  assert.equal(payload.exp - payload.iat, 30);
  assert.equal((await withClockShift(20_000, () => me(appUrl, jwt))).status, 200);
  assert.equal((await withClockShift(36_000, () => me(appUrl, jwt))).status, 401);
  await assert.rejects(clerk.sessions.getToken(s3.id, undefined, 1), (e) => e.status === 422);
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});
