// smoke.test.mjs: Clerk's unmodified browser SDK loads in Debian's chromium
// from Gatehouse's frontend listener, into an app on another origin, and
// talks only to loopback. Runs in every scripts/test.sh (the full flows are
// in flows.test.mjs, off with GH_BROWSER_FLOWS=0).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, browserTest, bundleUrls, CLERK_JS_VERSION, CLERK_UI_VERSION } from './lib/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });
const bt = (name, fn) => browserTest(() => stack, name, fn);

bt('the bundles load in Chromium from Gatehouse', async (s) => {
  const { clerkJs, clerkUi } = bundleUrls(stack.gh.frontendUrl);
  const responses = new Map();
  s.page.on('response', (r) => { if (r.url() === clerkJs || r.url() === clerkUi) responses.set(r.url(), r); });
  await s.page.goto(`${stack.app.url}/smoke`, { waitUntil: 'load' });
  for (const url of [clerkJs, clerkUi]) {
    const r = responses.get(url);
    assert.ok(r, `the page did not fetch ${url}`);
    assert.equal(r.status(), 200, url);
    const h = await r.allHeaders();
    assert.equal(h['access-control-allow-origin'], '*', url);
    assert.equal(h['content-type'], 'text/javascript; charset=utf-8', url);
  }
  const got = await s.page.evaluate(() => ({
    clerk: typeof window.Clerk,
    hasLoad: typeof window.Clerk?.load,
    version: window.Clerk?.version,
    publishableKey: window.Clerk?.publishableKey,
    proxyUrl: window.Clerk?.proxyUrl,
    uiCtor: typeof window.__internal_ClerkUICtor,
    uiVersion: window.__internal_ClerkUICtor?.version,
  }));
  assert.deepEqual(got, {
    clerk: 'object',
    hasLoad: 'function',
    version: CLERK_JS_VERSION,
    publishableKey: stack.gh.publishableKey,
    proxyUrl: stack.gh.frontendUrl,
    uiCtor: 'function',
    uiVersion: CLERK_UI_VERSION,
  });
  assert.deepEqual(s.consoleErrors, []);
  await s.shot('smoke-bundles');
});

bt('Clerk.load() sends its Frontend API calls to Gatehouse (proxyUrl) and nowhere else', async (s) => {
  await s.page.goto(`${stack.app.url}/`, { waitUntil: 'load' });
  // Whatever the FAPI answers (before the Frontend API exists it is 404),
  // load() has to ask Gatehouse for the environment and the client.
  await s.page.waitForFunction(() => document.getElementById('state').dataset.status !== 'loading',
    null, { timeout: 20000 });
  const fapi = s.requests.filter((r) => r.url.startsWith(`${stack.gh.frontendUrl}/v1/`));
  const paths = fapi.map((r) => new URL(r.url).pathname);
  assert.ok(paths.includes('/v1/environment'), `no /v1/environment request: ${paths.join(', ')}`);
  assert.ok(paths.includes('/v1/client'), `no /v1/client request: ${paths.join(', ')}`);
  for (const r of fapi) {
    const q = new URL(r.url).searchParams;
    assert.equal(q.get('_clerk_js_version'), CLERK_JS_VERSION, r.url);
    assert.ok(q.get('__clerk_api_version'), r.url);
  }
  // Nothing but the app, Gatehouse and data:/blob: URLs.
  const origins = new Set(s.requests.map((r) => { try { return new URL(r.url).origin; } catch { return r.url; } }));
  for (const o of origins) {
    assert.ok([stack.app.url, stack.gh.frontendUrl, 'null'].includes(o), `unexpected origin ${o}`);
  }
});
