// assets.test.mjs: the frontend listener serves Clerk's pinned browser bundles
// (src/ui/vendor, installed by scripts/setup.sh) at Clerk's path shape
// /npm/@clerk/<pkg>@<tag>/dist/<file…>, found with no configuration, byte for
// byte, with the headers a crossorigin script tag needs, and nothing outside
// the two dist/ trees: raw traversal shapes go over a plain socket so no
// client normalises them first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createHash } from 'node:crypto';
import { startGatehouse, REPO_ROOT } from './lib/server.mjs';

const VENDOR = join(REPO_ROOT, 'src/ui/vendor/node_modules/@clerk');
const PINS = JSON.parse(readFileSync(join(REPO_ROOT, 'src/ui/vendor/package.json'), 'utf8')).dependencies;
const JS_VER = PINS['@clerk/clerk-js'];
const UI_VER = PINS['@clerk/ui'];

const sha = (buf) => createHash('sha256').update(buf).digest('hex');
const local = (pkg, file) => readFileSync(join(VENDOR, pkg, 'dist', file));

/** One raw HTTP/1.1 request; resolves {status, head, body}. */
function rawGet(port, target, extraHeaders = '') {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks = [];
    sock.on('connect', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extraHeaders}` +
      'Connection: close\r\n\r\n'));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const i = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.slice(9, 12)), head: text.slice(0, i), body: text.slice(i + 4) });
    });
  });
}

let gh;
before(async () => { gh = await startGatehouse(); });
after(async () => { await gh?.close(); });

test('both entry scripts are served at every tag, byte for byte, with ACAO *', async () => {
  assert.equal(JS_VER, '6.40.0');
  assert.equal(UI_VER, '1.36.0');
  const cases = [
    ['clerk-js', ['6', '6.40', 'latest', JS_VER], 'clerk.browser.js'],
    ['ui', ['1', 'latest', UI_VER], 'ui.browser.js'],
  ];
  for (const [pkg, tags, file] of cases) {
    const want = local(pkg, file);
    for (const tag of tags) {
      const res = await fetch(`${gh.frontendUrl}/npm/@clerk/${pkg}@${tag}/dist/${file}`);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200, `${pkg}@${tag}`);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(Number(res.headers.get('content-length')), want.length);
      assert.equal(sha(body), sha(want), `${pkg}@${tag} differs from the installed file`);
      assert.equal(res.headers.get('cache-control'), tag.split('.').length === 3
        ? 'public, max-age=31536000, immutable' : 'public, max-age=600');
    }
  }
  assert.match(gh.logs(), /browser bundles @clerk\/clerk-js 6\.40\.0 and @clerk\/ui 1\.36\.0 from /);
});

test('a script tag\'s Origin gets one "Access-Control-Allow-Origin: *", not the FAPI echo', async () => {
  // crossorigin="anonymous" sends Origin; the app origin is one the FAPI's
  // credentialed CORS would echo. Two ACAO headers make the browser refuse it.
  const r = await rawGet(gh.frontendPort, `/npm/@clerk/clerk-js@${JS_VER}/dist/clerk.browser.js`,
    'Origin: http://127.0.0.1:3000\r\n');
  assert.equal(r.status, 200);
  const acao = r.head.split('\r\n').filter((l) => /^access-control-allow-origin:/i.test(l));
  assert.deepEqual(acao.map((l) => l.split(':').slice(1).join(':').trim()), ['*']);
  assert.doesNotMatch(r.head, /access-control-allow-credentials/i);
});

test('lazy chunks, nested files and source maps load at the exact version', async () => {
  const chunk = readdirSync(join(VENDOR, 'ui/dist')).find((f) => /^signin_ui_.*\.js$/.test(f));
  assert.ok(chunk, 'no signin chunk in @clerk/ui/dist');
  let res = await fetch(`${gh.frontendUrl}/npm/@clerk/ui@${UI_VER}/dist/${chunk}`);
  assert.equal(res.status, 200);
  assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(local('ui', chunk)));
  res = await fetch(`${gh.frontendUrl}/npm/@clerk/ui@${UI_VER}/dist/index.js.map`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  JSON.parse(await res.text());
  const nested = readdirSync(join(VENDOR, 'ui/dist/themes')).find((f) => f.endsWith('.js'));
  res = await fetch(`${gh.frontendUrl}/npm/@clerk/ui@1/dist/themes/${nested}`);
  assert.equal(res.status, 200);
  assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(local('ui', `themes/${nested}`)));
});

test('HEAD, ETag and If-None-Match', async () => {
  const url = `${gh.frontendUrl}/npm/@clerk/ui@${UI_VER}/dist/ui.browser.js`;
  const head = await fetch(url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), statSync(join(VENDOR, 'ui/dist/ui.browser.js')).size);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const etag = head.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.ok(head.headers.get('last-modified'));
  const again = await fetch(url, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(again.headers.get('access-control-allow-origin'), '*');
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  const other = await fetch(url, { headers: { 'If-None-Match': '"nope"' } });
  assert.equal(other.status, 200);
  await other.arrayBuffer();
});

test('parallel downloads of the largest entry all arrive whole', async () => {
  const want = sha(local('clerk-js', 'clerk.browser.js'));
  const got = await Promise.all(Array.from({ length: 16 }, async () => {
    const res = await fetch(`${gh.frontendUrl}/npm/@clerk/clerk-js@${JS_VER}/dist/clerk.browser.js`);
    return sha(Buffer.from(await res.arrayBuffer()));
  }));
  for (const g of got) assert.equal(g, want);
});

test('nothing outside the two dist/ trees is reachable', async () => {
  const targets = [
    '/npm/@clerk/ui@1/dist/../package.json',
    '/npm/@clerk/ui@1/dist/../../clerk-js/package.json',
    '/npm/@clerk/ui@1/dist/%2e%2e/package.json',
    '/npm/@clerk/ui@1/dist/%2E%2E%2Fpackage.json',
    '/npm/@clerk/ui@1/dist/.%2e/package.json',
    '/npm/@clerk/ui@1/dist/..%2fpackage.json',
    '/npm/@clerk/ui@1/dist/..%5cpackage.json',
    '/npm/@clerk/ui@1/dist/..\\package.json',
    '/npm/@clerk/ui@1/dist/ui.browser.js%00.png',
    '/npm/@clerk/ui@1/dist//etc/passwd',
    '/npm/@clerk/ui@1/dist/%2fetc%2fpasswd',
    '/npm/@clerk/ui@1%2f..%2f..%2fclerk-js/dist/clerk.browser.js',
    '/npm/@clerk/ui@1/package.json',
    '/npm/@clerk/ui@1/dist/',
    '/npm/@clerk/ui@1/dist/themes',
    '/npm/@clerk/..%2f..%2f..@1/dist/package.json',
    '/npm/@clerk/shared@4/dist/index.js',
    '/npm/@clerk/ui@2/dist/ui.browser.js',
    '/npm/@clerk/clerk-js@5/dist/clerk.browser.js',
  ];
  for (const t of targets) {
    const r = await rawGet(gh.frontendPort, t);
    assert.ok(r.status === 404 || r.status === 400, `${t}: status ${r.status}`);
    assert.doesNotMatch(r.body, /"version"|root:/, `${t} leaked a file`);
  }
  // The server is still fine afterwards.
  const ok = await fetch(`${gh.frontendUrl}/npm/@clerk/ui@1/dist/ui.browser.js`);
  assert.equal(ok.status, 200);
  await ok.arrayBuffer();
});

test('a wrong GATEHOUSE_ASSETS_DIR is logged at start and answers 404', async () => {
  const other = await startGatehouse({ env: { GATEHOUSE_ASSETS_DIR: join(gh.dir, 'nowhere') } });
  try {
    assert.match(other.logs(), /browser bundles not found \(looked in [^)]*nowhere/);
    const res = await fetch(`${other.frontendUrl}/npm/@clerk/ui@1/dist/ui.browser.js`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).errors[0].code, 'resource_not_found');
  } finally {
    await other.close();
  }
});
