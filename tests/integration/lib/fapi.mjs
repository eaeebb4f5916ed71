// fapi.mjs: a Frontend API client that talks to Gatehouse the way clerk-js
// does (spec FAPI §2): form-encoded bodies on every non-GET, PATCH/PUT/DELETE
// sent as POST ?_method=, the __clerk_api_version and _clerk_js_version query
// parameters, an Origin header, credentials in a cookie jar (the __client
// cookie), and _clerk_session_id on /me… and /organizations… calls. It also
// knows the envelope: r.response / r.client. Used by the fapi_*.test.mjs
// state-machine tests; the browser tests drive the real clerk-js instead.
import assert from 'node:assert/strict';

export const CLERK_JS_VERSION = '6.40.0';
export const CLERK_API_VERSION = '2026-08-20';

/** Encodes an object as clerk-js does: null → "", arrays → repeated keys, objects → JSON. */
export function formEncode(obj = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else if (v === null) p.append(k, '');
    else if (typeof v === 'object') p.append(k, JSON.stringify(v));
    else p.append(k, String(v));
  }
  return p.toString();
}

export class FapiClient {
  /** gh: a started Gatehouse (lib/server.mjs); opts.origin: the app origin. */
  constructor(gh, opts = {}) {
    this.gh = gh;
    this.base = gh.frontendUrl;
    this.origin = opts.origin ?? 'http://localhost:3000';
    this.cookies = new Map();
    this.sessionId = null; // sent as _clerk_session_id on /me and /organizations
    this.lastClient = null;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  takeCookies(res) {
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  url(path, query = {}) {
    const u = new URL(`/v1${path}`, this.base);
    u.searchParams.set('__clerk_api_version', CLERK_API_VERSION);
    u.searchParams.set('_clerk_js_version', CLERK_JS_VERSION);
    if (this.sessionId && !path.startsWith('/client')) u.searchParams.set('_clerk_session_id', this.sessionId);
    for (const [k, v] of Object.entries(query)) {
      if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, x);
      else if (v !== undefined) u.searchParams.set(k, v);
    }
    return u;
  }

  /** Raw request: {status, body, headers, ms}. method is the logical one (GET/POST/PATCH/PUT/DELETE). */
  async raw(method, path, body, query = {}, extraHeaders = {}) {
    const q = { ...query };
    let wire = method;
    if (method !== 'GET' && method !== 'POST') { q._method = method; wire = 'POST'; }
    const headers = { ...extraHeaders };
    if (this.origin) headers.Origin = this.origin;
    const c = this.cookieHeader();
    if (c) headers.Cookie = c;
    const init = { method: wire, headers };
    if (wire === 'POST') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = formEncode(body);
    }
    const t0 = performance.now();
    const res = await fetch(this.url(path, q), init);
    this.takeCookies(res);
    const text = await res.text();
    const ms = performance.now() - t0; // enumeration tests compare answer times
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    if (json && typeof json === 'object' && 'client' in json && json.client) this.lastClient = json.client;
    return { status: res.status, body: json, headers: res.headers, ms };
  }

  /** Expects 2xx; returns the body (enveloped or bare). */
  async ok(method, path, body, query) {
    const r = await this.raw(method, path, body, query);
    assert.ok(r.status >= 200 && r.status < 300,
      `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Expects an error with status and Clerk code; returns the first error. */
  async fail(method, path, body, status, code, query) {
    const r = await this.raw(method, path, body, query);
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.ok(Array.isArray(r.body?.errors), `error shape: ${JSON.stringify(r.body)}`);
    const e = r.body.errors[0];
    for (const k of ['code', 'message', 'long_message', 'meta']) assert.ok(k in e, `error has ${k}`);
    if (code) assert.equal(e.code, code, JSON.stringify(r.body));
    return e;
  }

  get(path, query) { return this.ok('GET', path, undefined, query); }
  post(path, body, query) { return this.ok('POST', path, body, query); }
  patch(path, body, query) { return this.ok('PATCH', path, body, query); }
  del(path, body, query) { return this.ok('DELETE', path, body, query); }

  /** The current client (GET /v1/client → response). */
  async client() {
    const r = await this.get('/client');
    return r.response;
  }

  /** After a sign-in/up completed: remembers the session for /me calls. */
  useSession(id) { this.sessionId = id; }
}

/**
 * Signs a user in through the Frontend API with identifier + password (the
 * sign-in route must exist). Returns {client, sessionId}.
 */
export async function signInWithPassword(fc, identifier, password) {
  const r = await fc.post('/client/sign_ins', { identifier, password, strategy: 'password' });
  assert.equal(r.response.status, 'complete', JSON.stringify(r.response));
  const sid = r.response.created_session_id;
  assert.ok(sid);
  fc.useSession(sid);
  return { client: r.client, sessionId: sid };
}

/**
 * The newest code a development server logged for `to` since log offset
 * `from` (with no SMTP configured the mail, code included, goes to the log).
 * Waits up to timeoutMs. Returns the 6 digits.
 */
export async function codeFromLog(gh, to, { from = 0, timeoutMs = 5000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = gh.logs().slice(from).split('\n').filter((l) =>
      l.includes('DEVELOPMENT EMAIL') && l.includes(`to=${to} `));
    const last = lines.at(-1);
    const m = last && /subject=\\?"(\d{6}) is your/.exec(last);
    if (m) return m[1];
    if (Date.now() > deadline) throw new Error(`no emailed code for ${to} in the log`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Replaces the instance's settings JSON (instances.settings) straight in the
 * database and restarts the server so it reads them. XXX: stands in for the
 * Backend API's PATCH /v1/instance until that route exists.
 */
export async function setInstanceSettings(gh, settings) {
  const text = JSON.stringify(settings);
  if (gh.db === 'postgres') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: gh.dbUrl });
    await c.connect();
    try { await c.query('UPDATE instances SET settings = $1', [text]); } finally { await c.end(); }
  } else {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const file = gh.dbUrl.replace(/^sqlite:\/\//, '');
    await promisify(execFile)('sqlite3', [file,
      `UPDATE instances SET settings = '${text.replaceAll("'", "''")}'`]);
  }
  await gh.restart();
}
