// fapi.mjs: a browser-less Frontend API client for the Node tests, sending
// what clerk-js sends (spec FAPI §2): form bodies (null as "", objects as
// JSON text), PATCH/PUT/DELETE as POST ?_method=, the __clerk_api_version and
// _clerk_js_version query parameters, the app's Origin header, and cookies
// kept in a small jar (the __client cookie the server sets). Also: reading
// emailed codes from a development server's log. No test logic here.

export const CLERK_API_VERSION = '2026-08-20';
export const CLERK_JS_VERSION = '6.40.0';

/** Form-encodes like clerk-js: null → "", objects → JSON text, arrays → repeated keys. */
export function formBody(fields = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else if (v === null) p.append(k, '');
    else if (typeof v === 'object') p.append(k, JSON.stringify(v));
    else p.append(k, String(v));
  }
  return p.toString();
}

export class FapiClient {
  /** gh: a started Gatehouse; origin: the app's origin (an allowed dev origin by default). */
  constructor(gh, { origin = 'http://localhost:3000' } = {}) {
    this.gh = gh;
    this.origin = origin;
    this.jar = new Map();
  }

  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keepCookies(res) {
    const list = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
    for (const line of list) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (gone || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  /**
   * One request as clerk-js makes it. Resolves {status, body (parsed JSON or
   * null), headers, ms}. query: extra query parameters.
   */
  async request(method, path, fields, { query = {}, headers = {} } = {}) {
    const url = new URL(this.gh.frontendUrl + path);
    url.searchParams.set('__clerk_api_version', CLERK_API_VERSION);
    url.searchParams.set('_clerk_js_version', CLERK_JS_VERSION);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let wire = method;
    if (method !== 'GET' && method !== 'POST') {
      url.searchParams.set('_method', method);
      wire = 'POST';
    }
    const h = { Origin: this.origin, ...headers };
    const cookie = this.cookieHeader();
    if (cookie) h.Cookie = cookie;
    const init = { method: wire, headers: h, redirect: 'manual' };
    if (wire !== 'GET') {
      h['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = formBody(fields || {});
    }
    const t0 = performance.now();
    const res = await fetch(url, init);
    const text = await res.text();
    const ms = performance.now() - t0;
    this.keepCookies(res);
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = text; }
    return { status: res.status, body, headers: res.headers, ms };
  }

  get(path, opts) { return this.request('GET', path, undefined, opts); }
  post(path, fields, opts) { return this.request('POST', path, fields, opts); }
  patch(path, fields, opts) { return this.request('PATCH', path, fields, opts); }
  delete(path, fields, opts) { return this.request('DELETE', path, fields, opts); }
}

/**
 * The newest code a development server logged for `to` since log offset
 * `from` (the mail text is written to the log when no SMTP is configured).
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
