// clerk.mjs: helpers shared by the test files: an SDK client bound to a
// Gatehouse, assertions on Clerk API errors, raw backend requests, decoding
// of the publishable key and of JWTs. No test logic here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClerkClient } from '@clerk/backend';

/** A @clerk/backend client pointed at gh (telemetry off). */
export function clerkFor(gh, extra = {}) {
  return createClerkClient({
    secretKey: gh.secretKey,
    apiUrl: gh.apiUrl,
    publishableKey: gh.publishableKey,
    telemetry: { disabled: true },
    ...extra,
  });
}

/** A short random suffix for unique emails/usernames. */
export function uniq(n = 5) {
  return randomBytes(n).toString('hex');
}

/** A password that is strong and distinctive enough to spot in logs. */
export function strongPassword() {
  return `Gh-${randomBytes(9).toString('base64url')}-9q!`;
}

/**
 * Awaits promise and asserts it rejects with a ClerkAPIResponseError of the
 * given status (and first error code, when given). Returns the error.
 */
export async function expectClerkError(promise, status, code) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a ClerkAPIResponseError ${status}${code ? ' ' + code : ''}, got success`);
  assert.equal(err.constructor?.name, 'ClerkAPIResponseError', `unexpected error: ${err.stack || err}`);
  const detail = JSON.stringify({ status: err.status, errors: err.errors });
  if (status !== undefined) assert.equal(err.status, status, detail);
  if (code !== undefined) assert.equal(err.errors?.[0]?.code, code, detail);
  return err;
}

/** Raw request to the backend listener with the secret key unless headers override. */
export async function bapi(gh, method, path, { body, headers = {}, auth = true, raw = false } = {}) {
  const h = { ...headers };
  if (auth && !('Authorization' in h)) h.Authorization = `Bearer ${gh.secretKey}`;
  let payload = body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    payload = JSON.stringify(body);
  }
  if (payload !== undefined && !('Content-Type' in h)) h['Content-Type'] = 'application/json';
  const res = await fetch(`${gh.apiUrl.replace(/\/$/, '')}${path}`, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json, raw: raw ? res : undefined };
}

/** Asserts a Clerk-shaped error body: {errors:[{code,message,long_message,meta}]}. */
export function assertClerkErrorBody(r, status, code) {
  const ctx = `${r.status} ${r.headers.get('content-type')} ${r.text.slice(0, 500)}`;
  assert.equal(r.status, status, ctx);
  assert.equal(r.headers.get('content-type'), 'application/json', ctx);
  assert.ok(r.json && Array.isArray(r.json.errors) && r.json.errors.length > 0, ctx);
  const e = r.json.errors[0];
  assert.equal(typeof e.code, 'string', ctx);
  assert.equal(typeof e.message, 'string', ctx);
  assert.equal(typeof e.long_message, 'string', ctx);
  assert.equal(typeof e.meta, 'object', ctx);
  assert.ok(e.meta !== null, ctx);
  if (code !== undefined) assert.equal(e.code, code, ctx);
  return e;
}

/** The frontend host encoded in a publishable key ("127.0.0.1:7900"). */
export function pkHost(pk) {
  const parts = pk.split('_');
  assert.equal(parts.length, 3, `publishable key must have 3 '_' parts: ${pk}`);
  const decoded = Buffer.from(parts[2], 'base64').toString('utf8');
  assert.ok(decoded.endsWith('$'), `publishable key must decode to "<host>$": ${decoded}`);
  return decoded.slice(0, -1);
}

/** {header, payload} of a compact JWS, unverified. */
export function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  };
}

/** Flips one character in the JWT's payload (keeps it decodable). */
export function tamper(jwt) {
  const [h, p, s] = jwt.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  payload.sub = `${payload.sub}x`;
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

/** GET /metrics on the backend listener; returns {text, series: Map(series → number)}. */
export async function metrics(gh) {
  const res = await fetch(`${gh.backendUrl}/metrics`);
  const text = await res.text();
  assert.equal(res.status, 200, `/metrics: ${res.status} ${text.slice(0, 300)}`);
  const series = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(\S+)/.exec(line);
    if (m) series.set(m[1], Number(m[2]));
  }
  return { text, series };
}

/** Sum of every series of metric `name` whose labels contain all of `labels` (e.g. 'kind="reused"'). */
export function metricSum(series, name, ...labels) {
  let sum = 0;
  for (const [k, v] of series) {
    if (k !== name && !k.startsWith(`${name}{`)) continue;
    if (labels.every((l) => k.includes(l))) sum += v;
  }
  return sum;
}

/** The SPKI PEM printed by `gatehouse keys jwt-public-key`. */
export async function jwtPublicKey(gh) {
  const r = await gh.admin(['keys', 'jwt-public-key']);
  assert.equal(r.code, 0, `keys jwt-public-key exit ${r.code}: ${r.stderr.slice(-1000)}`);
  const m = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(r.stdout);
  assert.ok(m, `no PEM in: ${r.stdout}`);
  return m[0];
}

/** Asserts obj is an instance of the SDK resource class `name` (bundled as `_Name`). */
export function assertResource(obj, name) {
  const got = obj?.constructor?.name;
  assert.ok(got === name || got === `_${name}`, `expected a ${name}, got ${got}: ${JSON.stringify(obj)}`);
}
