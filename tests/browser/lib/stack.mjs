// stack.mjs: everything a browser test file needs, started once per file:
// an SMTP sink, build/gatehouse (through tests/integration/lib/server.mjs: a
// temp SQLite file or a fresh PostgreSQL database per GH_TEST_DB /
// GH_TEST_PG_URL, free loopback ports, the printed keys) with its mail going
// to the sink, the test app on a third port, and chromium. browserTest()
// wraps node:test's test(): a fresh browser context per test, a screenshot in
// artifacts/ when the test fails, and a loopback-only check when it passes.
import { test } from 'node:test';
import { createPublicKey, verify as verifySig } from 'node:crypto';
import { startGatehouse } from '../../integration/lib/server.mjs';
import { startSmtpSink } from './smtp.mjs';
import { startApp } from './app.mjs';
import { launchBrowser, openSession } from './browser.mjs';

export { extractCode } from './smtp.mjs';
export { bundleUrls, CLERK_JS_VERSION, CLERK_UI_VERSION } from './app.mjs';

/** Starts the sink, Gatehouse, the app and chromium. opts.env: extra Gatehouse env. */
export async function startStack(opts = {}) {
  const smtp = await startSmtpSink();
  let gh;
  let app;
  let browser;
  try {
    gh = await startGatehouse({
      env: {
        GATEHOUSE_SMTP_URL: smtp.url,
        GATEHOUSE_SMTP_FROM: 'Gatehouse <no-reply@gatehouse.localhost>',
        ...opts.env,
      },
    });
    app = await startApp({ frontendUrl: gh.frontendUrl, publishableKey: gh.publishableKey });
    browser = await launchBrowser();
  } catch (e) {
    await browser?.close();
    await app?.close();
    await gh?.cleanup();
    await smtp.close();
    throw e;
  }
  const stack = {
    gh,
    smtp,
    app,
    browser,
    /** A new isolated browser context + page (see browser.mjs). */
    session: (name) => openSession(browser, { name }),
    /** Backend API call with the instance's secret key; resolves {status, body}. */
    async bapi(method, path, body) {
      const res = await fetch(`${gh.backendUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${gh.secretKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      return { status: res.status, body: json, text };
    },
    /** Verifies a session JWT against Gatehouse's JWKS; returns its claims. */
    async verifyJwt(jwt) {
      gh.sensitive(jwt);
      const [h, p, s] = jwt.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url'));
      const jwks = await (await fetch(`${gh.frontendUrl}/.well-known/jwks.json`)).json();
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      if (!jwk) throw new Error(`no JWKS key for kid ${header.kid}`);
      const ok = verifySig('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }),
        Buffer.from(s, 'base64url'));
      if (!ok || header.alg !== 'RS256') throw new Error('session token signature does not verify');
      return JSON.parse(Buffer.from(p, 'base64url'));
    },
    /** Stops everything; Gatehouse must exit 0 with clean logs (no secrets, no sanitizer reports). */
    async close() {
      try {
        await browser.close();
        await app.close();
        await smtp.close();
      } finally {
        await gh.close();
      }
    },
  };
  return stack;
}

/**
 * test(name) with a browser session: fn(session, t). On failure the page is
 * saved to artifacts/<name>.png (path printed) before the error propagates;
 * on success every request must have stayed on loopback. getStack is a
 * function because the stack starts in before().
 */
export function browserTest(getStack, name, fn, opts = {}) {
  return test(name, opts, async (t) => {
    const s = await getStack().session(name);
    try {
      await fn(s, t);
      s.assertLoopbackOnly();
    } catch (e) {
      const path = await s.shot(name).catch((se) => `(screenshot failed: ${se.message})`);
      let extra = s.consoleErrors.length ? `\nbrowser console errors:\n  ${s.consoleErrors.slice(-10).join('\n  ')}` : '';
      if (s.failed.length) extra += `\nfailed requests:\n  ${s.failed.slice(-10).join('\n  ')}`;
      if (s.httpErrors.length) extra += `\nHTTP errors seen by the browser:\n  ${s.httpErrors.slice(-10).join('\n  ')}`;
      e.message = `${e.message}\nscreenshot: ${path}${extra}`;
      throw e;
    } finally {
      await s.close();
    }
  });
}
