// browser.mjs: Debian's chromium (installed by scripts/setup.sh), headless,
// driven through playwright-core, with every request recorded. Two fences keep
// the browser on loopback: the host resolver maps every name except loopback
// to nothing (so a stray request cannot leave the machine), and
// assertLoopbackOnly() fails a test whose page even tried. Screenshots go to
// tests/browser/artifacts/<name>.png.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../artifacts');
export const CHROMIUM = process.env.GH_CHROMIUM || '/usr/bin/chromium';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const QUIET_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/** True when url stays on this machine (or never touches the network). */
export function isLoopbackUrl(url) {
  let u;
  try { u = new URL(url); } catch { return false; }
  if (QUIET_SCHEMES.has(u.protocol)) return true;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return false;
  return LOOPBACK_HOSTS.has(u.hostname) || /^127\.\d+\.\d+\.\d+$/.test(u.hostname) ||
    u.hostname.endsWith('.localhost');
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: run scripts/setup.sh (apt package "chromium")`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      '--metrics-recording-only',
      '--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
      // Anything that is not loopback resolves to nothing.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
}

function slug(name) {
  return String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'shot';
}

/**
 * A fresh browser context (own cookies and storage) with one page, recording
 * every request, websocket and console error. close() when done.
 */
export async function openSession(browser, { name = 'session' } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(15000);
  const requests = []; // {url, method, resourceType}
  const consoleErrors = [];
  const failed = []; // "METHOD url: reason" for requests that got no response
  const record = (req) => requests.push({ url: req.url(), method: req.method(), resourceType: req.resourceType() });
  context.on('request', record);
  context.on('requestfailed', (req) => failed.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  const httpErrors = []; // "status METHOD path" for answers >= 400 (the Frontend API's refusals)
  context.on('response', (res) => {
    if (res.status() >= 400) {
      const u = new URL(res.url());
      httpErrors.push(`${res.status()} ${res.request().method()} ${u.pathname}${u.searchParams.get('_method') ? ` (_method=${u.searchParams.get('_method')})` : ''}`);
    }
  });
  const watch = (page) => {
    page.on('websocket', (ws) => requests.push({ url: ws.url(), method: 'WS', resourceType: 'websocket' }));
    page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  };
  context.on('page', watch);
  const page = await context.newPage();

  const session = {
    context,
    page,
    requests,
    consoleErrors,
    failed,
    httpErrors,
    name,
    /** Requests whose URL contains `part` (e.g. '/v1/client/sign_ups'). */
    requestsTo(part) { return requests.filter((r) => r.url.includes(part)); },
    /** Fails if any request of this session went to a non-loopback host. */
    assertLoopbackOnly() {
      const away = requests.filter((r) => !isLoopbackUrl(r.url));
      assert.deepEqual(away.map((r) => `${r.method} ${r.url}`), [],
        'the browser made requests that left loopback');
    },
    /** Saves artifacts/<name>.png (full page) and returns its path. */
    async shot(shotName = name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, `${slug(shotName)}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() { await context.close().catch(() => {}); },
  };
  return session;
}
