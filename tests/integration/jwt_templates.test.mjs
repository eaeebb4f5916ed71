// jwt_templates.test.mjs: JWT templates (issue 3) through the real SDK:
// clerk.jwtTemplates.* CRUD, clerk.sessions.getToken(sid, name) with claims
// rendered from a user with metadata, reserved claims, lifetime and clock
// skew, RS256 tokens verified against the JWKS, custom HS256 / RS256 keys,
// @clerk/express getAuth(req).getToken({template}) from a Bearer session
// token (the microservices flow), and the errors: unknown template → 404,
// shortcode syntax error → 422 naming claims.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import express from 'express';
import { clerkMiddleware, getAuth } from '@clerk/express';
import { verifyToken } from '@clerk/backend';
import * as jose from 'jose';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, expectClerkError, decodeJwt, bapi } from './lib/clerk.mjs';

let gh;
let clerk;
let user;
let session;
const tag = uniq();
const servers = [];

const CLAIMS = {
  aud: 'svc-billing',
  name: '{{user.first_name}} {{user.last_name}}',
  email: '{{user.primary_email_address}}',
  handle: '{{user.username || user.primary_email_address}}',
  nick: "{{user.external_id || 'anonymous'}}",
  plan: '{{user.public_metadata.plan}}',
  seats: '{{user.public_metadata.limits.seats}}',
  limits: '{{user.public_metadata.limits}}',
  cust: '{{user.private_metadata.stripe.customer}}',
  verified: '{{user.email_verified}}',
  org: '{{org.id}}',
  nested: { deep: ['{{user.id}}', 'static', 7] },
  sub: 'evil',
  iss: 'https://evil.example',
  exp: 99999999999,
};

function mintWith(name, expiresInSeconds) {
  return clerk.sessions.getToken(session.id, name, expiresInSeconds).then((t) => {
    gh.sensitive(t.jwt);
    return t.jwt;
  });
}

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  user = await clerk.users.createUser({
    emailAddress: [`tpl.${tag}@example.com`],
    firstName: 'Ada',
    lastName: 'Lovelace',
    publicMetadata: { plan: 'pro', limits: { seats: 5, tags: ['a', 'b'] } },
    privateMetadata: { stripe: { customer: 'cus_123' } },
  });
  session = await clerk.sessions.createSession({ userId: user.id });
});
after(async () => {
  for (const s of servers) s.close();
  if (gh) await gh.cleanup();
});

test('jwtTemplates.create / get / list / update / delete', async () => {
  const t = await clerk.jwtTemplates.create({ name: `crud-${tag}`, claims: { a: '{{user.id}}' } });
  assert.match(t.constructor.name, /JwtTemplate$/);
  assert.match(t.id, /^jtmp_[A-Za-z0-9]+$/);
  assert.equal(t.name, `crud-${tag}`);
  assert.deepEqual(t.claims, { a: '{{user.id}}' });
  assert.equal(t.lifetime, 60);
  assert.equal(t.allowedClockSkew, 5);
  assert.equal(t.customSigningKey, false);
  assert.equal(t.signingAlgorithm, 'RS256');
  assert.equal(typeof t.createdAt, 'number');
  assert.equal(typeof t.updatedAt, 'number');

  const got = await clerk.jwtTemplates.get(t.id);
  assert.deepEqual({ ...got }, { ...t });

  const list = await clerk.jwtTemplates.list();
  assert.ok(Array.isArray(list.data));
  assert.equal(typeof list.totalCount, 'number');
  assert.ok(list.data.some((x) => x.id === t.id));
  assert.equal(list.totalCount, list.data.length);
  const bare = await bapi(gh, 'GET', '/v1/jwt_templates');
  assert.ok(Array.isArray(bare.json), bare.text);
  const page = await bapi(gh, 'GET', '/v1/jwt_templates?paginated=true&limit=1');
  assert.equal(page.json.data.length, 1);

  const up = await clerk.jwtTemplates.update({
    templateId: t.id, name: `crud2-${tag}`, claims: { b: 1 }, lifetime: 120, allowedClockSkew: 10,
  });
  assert.equal(up.name, `crud2-${tag}`);
  assert.deepEqual(up.claims, { b: 1 });
  assert.equal(up.lifetime, 120);
  assert.equal(up.allowedClockSkew, 10);
  assert.ok(up.updatedAt >= t.updatedAt);

  const del = await clerk.jwtTemplates.delete(t.id);
  assert.match(del.constructor.name, /DeletedObject$/);
  assert.equal(del.id, t.id);
  assert.equal(del.object, 'jwt_template');
  assert.equal(del.deleted, true);
  await expectClerkError(clerk.jwtTemplates.get(t.id), 404, 'resource_not_found');
  await expectClerkError(clerk.jwtTemplates.delete(t.id), 404, 'resource_not_found');
});

test('bad input: duplicate name, shortcode syntax errors, bounds, missing fields', async () => {
  await clerk.jwtTemplates.create({ name: `dup-${tag}`, claims: {} });
  let e = await expectClerkError(clerk.jwtTemplates.create({ name: `dup-${tag}`, claims: {} }),
    422, 'form_identifier_exists');
  assert.equal(e.errors[0].meta.paramName, 'name');

  e = await expectClerkError(clerk.jwtTemplates.create({ name: `bad-${tag}`, claims: { x: { y: '{{user.nme}}' } } }),
    422, 'form_param_format_invalid');
  assert.equal(e.errors[0].meta.paramName, 'claims');
  assert.match(e.errors[0].longMessage, /claims\.x\.y/);
  assert.match(e.errors[0].longMessage, /user\.nme/);
  e = await expectClerkError(clerk.jwtTemplates.create({ name: `bad-${tag}`, claims: { x: 'a {{user.id' } }), 422);
  assert.match(e.errors[0].longMessage, /unterminated/);
  e = await expectClerkError(clerk.jwtTemplates.create({ name: `bad-${tag}`, claims: { x: '{{user.id ||}}' } }), 422);
  assert.equal(e.errors[0].meta.paramName, 'claims');

  e = await expectClerkError(clerk.jwtTemplates.create({ name: `bad-${tag}`, claims: {}, lifetime: 10 }), 422);
  assert.equal(e.errors[0].meta.paramName, 'lifetime');
  e = await expectClerkError(clerk.jwtTemplates.create({ name: `bad-${tag}`, claims: {}, allowedClockSkew: 301 }), 422);
  assert.equal(e.errors[0].meta.paramName, 'allowed_clock_skew');
  e = await expectClerkError(clerk.jwtTemplates.create({ claims: {} }), 422, 'form_param_missing');
  assert.equal(e.errors[0].meta.paramName, 'name');
  e = await expectClerkError(clerk.jwtTemplates.create({ name: `bad-${tag}` }), 422, 'form_param_missing');
  assert.equal(e.errors[0].meta.paramName, 'claims');
  e = await expectClerkError(clerk.jwtTemplates.create({
    name: `bad-${tag}`, claims: {}, customSigningKey: true, signingAlgorithm: 'ES256', signingKey: 'x',
  }), 422);
  assert.equal(e.errors[0].meta.paramName, 'signing_algorithm');
  e = await expectClerkError(clerk.jwtTemplates.create({
    name: `bad-${tag}`, claims: {}, customSigningKey: true, signingAlgorithm: 'RS256', signingKey: 'not a pem',
  }), 422);
  assert.equal(e.errors[0].meta.paramName, 'signing_key');
  e = await expectClerkError(clerk.jwtTemplates.create({
    name: `bad-${tag}`, claims: {}, customSigningKey: true, signingAlgorithm: 'HS256',
  }), 422, 'form_param_missing');
  assert.equal(e.errors[0].meta.paramName, 'signing_key');
});

test('getToken(sid, name): rendered claims, reserved claims, lifetime and skew', async () => {
  const name = `svc-${tag}`;
  await clerk.jwtTemplates.create({ name, claims: CLAIMS, lifetime: 300, allowedClockSkew: 20 });
  const jwt = await mintWith(name);
  const { header, payload: p } = decodeJwt(jwt);
  assert.equal(header.alg, 'RS256');
  assert.match(header.kid, /^ins_/);
  assert.equal(p.aud, 'svc-billing');
  assert.equal(p.name, 'Ada Lovelace');
  assert.equal(p.email, `tpl.${tag}@example.com`);
  assert.equal(p.handle, `tpl.${tag}@example.com`);
  assert.equal(p.nick, 'anonymous');
  assert.equal(p.plan, 'pro');
  assert.equal(p.seats, 5);
  assert.deepEqual(p.limits, { seats: 5, tags: ['a', 'b'] });
  assert.equal(p.cust, 'cus_123');
  assert.equal(p.verified, true);
  assert.equal(p.org, null); // no active organization
  assert.deepEqual(p.nested, { deep: [user.id, 'static', 7] });
  // Reserved claims are Gatehouse's, whatever the template says.
  assert.equal(p.sub, user.id);
  assert.equal(p.sid, session.id);
  assert.equal(p.iss, `http://${Buffer.from(gh.publishableKey.split('_')[2], 'base64').toString().slice(0, -1)}`);
  assert.equal(p.exp - p.iat, 300);
  assert.equal(p.iat - p.nbf, 20);
  assert.equal(typeof p.jti, 'string');
  assert.equal(p.v, undefined);

  const short = decodeJwt(await mintWith(name, 45)).payload;
  assert.equal(short.exp - short.iat, 45);

  // Not cached: a metadata change shows in the next token.
  await clerk.users.updateUserMetadata(user.id, { publicMetadata: { plan: 'team' } });
  assert.equal(decodeJwt(await mintWith(name)).payload.plan, 'team');
  await clerk.users.updateUserMetadata(user.id, { publicMetadata: { plan: 'pro' } });
});

test('RS256 template tokens verify against the JWKS (jose and verifyToken)', async () => {
  const name = `jwks-${tag}`;
  await clerk.jwtTemplates.create({ name, claims: { role: 'reader' } });
  const jwt = await mintWith(name);
  const jwks = jose.createRemoteJWKSet(new URL(`${gh.frontendUrl}/.well-known/jwks.json`));
  const { payload } = await jose.jwtVerify(jwt, jwks);
  assert.equal(payload.role, 'reader');
  const v = await verifyToken(jwt, { secretKey: gh.secretKey, apiUrl: gh.apiUrl });
  assert.equal(v.sub, user.id);
  assert.equal(v.role, 'reader');
});

test('custom HS256 key: verified with the secret, key never rendered', async () => {
  const secret = `hs-secret-${uniq(16)}`;
  gh.sensitive(secret);
  const name = `hs-${tag}`;
  const t = await clerk.jwtTemplates.create({
    name, claims: { u: '{{user.id}}' }, customSigningKey: true, signingAlgorithm: 'HS256', signingKey: secret,
  });
  assert.equal(t.customSigningKey, true);
  assert.equal(t.signingAlgorithm, 'HS256');
  const raw = await bapi(gh, 'GET', `/v1/jwt_templates/${t.id}`);
  assert.ok(!raw.text.includes(secret));
  assert.ok(!('signing_key' in raw.json));

  const jwt = await mintWith(name);
  assert.equal(decodeJwt(jwt).header.alg, 'HS256');
  const { payload } = await jose.jwtVerify(jwt, new TextEncoder().encode(secret));
  assert.equal(payload.u, user.id);
  await assert.rejects(jose.jwtVerify(jwt, new TextEncoder().encode(`${secret}x`)));

  // Switching to RS256 without a new key is refused; back to the instance key works.
  await expectClerkError(clerk.jwtTemplates.update({ templateId: t.id, signingAlgorithm: 'RS256' }), 422);
  await clerk.jwtTemplates.update({ templateId: t.id, customSigningKey: false });
  const plain = await mintWith(name);
  assert.equal(decodeJwt(plain).header.alg, 'RS256');
  await jose.jwtVerify(plain, jose.createRemoteJWKSet(new URL(`${gh.frontendUrl}/.well-known/jwks.json`)));
});

test('custom RS256 key: verified with its public key; a key change takes effect at once', async () => {
  const k1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const k2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem1 = k1.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const pem2 = k2.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const name = `rs-${tag}`;
  const t = await clerk.jwtTemplates.create({
    name, claims: { k: 1 }, customSigningKey: true, signingAlgorithm: 'RS256', signingKey: pem1,
  });
  let jwt = await mintWith(name);
  await jose.jwtVerify(jwt, k1.publicKey);
  await assert.rejects(jose.jwtVerify(jwt, k2.publicKey));
  jwt = await mintWith(name); // from the cached signer
  await jose.jwtVerify(jwt, k1.publicKey);

  await clerk.jwtTemplates.update({ templateId: t.id, signingKey: pem2 });
  jwt = await mintWith(name);
  await jose.jwtVerify(jwt, k2.publicKey);
  await assert.rejects(jose.jwtVerify(jwt, k1.publicKey));
});

test('unknown template → 404; inactive session → session_not_active', async () => {
  await expectClerkError(clerk.sessions.getToken(session.id, `nope-${tag}`), 404, 'resource_not_found');
  await expectClerkError(clerk.sessions.getToken('sess_doesnotexist', `svc-${tag}`), 404, 'resource_not_found');
  const s2 = await clerk.sessions.createSession({ userId: user.id });
  await clerk.sessions.revokeSession(s2.id);
  const plain = await expectClerkError(clerk.sessions.getToken(s2.id), 422);
  await expectClerkError(clerk.sessions.getToken(s2.id, `svc-${tag}`), plain.status, plain.errors[0].code);
});

test('@clerk/express getAuth(req).getToken({template}) from a Bearer session token', async () => {
  const name = `express-${tag}`;
  await clerk.jwtTemplates.create({ name, claims: { svc: 'orders', mail: '{{user.primary_email_address}}' } });
  const app = express();
  app.use(clerkMiddleware({ publishableKey: gh.publishableKey, secretKey: gh.secretKey, apiUrl: gh.apiUrl }));
  app.get('/forward', async (req, res, next) => {
    try {
      const auth = getAuth(req);
      if (!auth.userId) return res.status(401).json({ signedOut: true });
      const token = await auth.getToken({ template: name });
      return res.json({ token });
    } catch (e) { return next(e); }
  });
  app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
    res.status(500).json({ error: String(err && err.message) });
  });
  const url = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => { servers.push(srv); resolve(`http://127.0.0.1:${srv.address().port}`); });
  });
  const sessionJwt = (await clerk.sessions.getToken(session.id)).jwt;
  gh.sensitive(sessionJwt);
  const res = await fetch(`${url}/forward`, { headers: { Authorization: `Bearer ${sessionJwt}`, Accept: 'application/json' } });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  gh.sensitive(body.token);
  const { payload } = await jose.jwtVerify(body.token, jose.createRemoteJWKSet(new URL(`${gh.frontendUrl}/.well-known/jwks.json`)));
  assert.equal(payload.svc, 'orders');
  assert.equal(payload.mail, `tpl.${tag}@example.com`);
  assert.equal(payload.sub, user.id);
  assert.equal(payload.sid, session.id);
});

test('{{org.*}} shortcodes come from the session\'s active organization', async () => {
  const org = await clerk.organizations.createOrganization({
    name: `Tpl Org ${tag}`, createdBy: user.id, publicMetadata: { tier: 'gold' },
  });
  await clerk.jwtTemplates.create({
    name: `org-${tag}`,
    claims: { oid: '{{org.id}}', slug: '{{org.slug}}', role: '{{org.role}}',
      name: '{{org.name}}', tier: '{{org.public_metadata.tier}}', who: '{{user.id}}' },
  });
  const orgSession = await clerk.sessions.createSession({ userId: user.id, activeOrganizationId: org.id });
  const { jwt } = await clerk.sessions.getToken(orgSession.id, `org-${tag}`);
  gh.sensitive(jwt);
  const c = decodeJwt(jwt).payload;
  assert.equal(c.oid, org.id);
  assert.equal(c.slug, org.slug);
  assert.equal(c.role, 'org:admin');
  assert.equal(c.name, `Tpl Org ${tag}`);
  assert.equal(c.tier, 'gold');
  assert.equal(c.who, user.id);
  // Without an active organization the org shortcodes render as null.
  const plain = decodeJwt(await mintWith(`org-${tag}`)).payload;
  assert.equal(plain.oid, null);
  // A user who left the organization gets no org claims.
  await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: user.id });
  const left = decodeJwt((await clerk.sessions.getToken(orgSession.id, `org-${tag}`)).jwt).payload;
  assert.equal(left.oid, null);
});
