// limits.test.mjs (issue 2): the connection limits Gatehouse sets
// explicitly: header and URI size (431 / 414, Clerk-shaped while Gatehouse
// can still answer), the per-IP connection limit, and the idle connection
// timeout (libmicrohttpd's default is none). The server stays up after each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGatehouse } from './lib/server.mjs';
import { bapi, assertClerkErrorBody } from './lib/clerk.mjs';
import { sleep } from './lib/net.mjs';

const PER_IP = 3;
const TIMEOUT_S = 2;
let gh;

before(async () => {
  gh = await startGatehouse({
    env: { GATEHOUSE_PER_IP_CONN_LIMIT: String(PER_IP), GATEHOUSE_CONN_TIMEOUT: String(TIMEOUT_S) },
  });
});
after(async () => { if (gh) await gh.cleanup(); });

/** A raw socket from `from` (a loopback address) to the backend listener. */
function connect(from) {
  const url = new URL(gh.backendUrl);
  const sock = net.connect({ port: Number(url.port), host: url.hostname, localAddress: from });
  const st = { sock, data: '', closedAt: null, openedAt: Date.now() };
  sock.setEncoding('utf8');
  sock.on('data', (d) => { st.data += d; });
  sock.on('error', () => {});
  sock.on('close', () => { st.closedAt = Date.now(); });
  st.ready = new Promise((res) => { sock.on('connect', res); sock.on('close', res); });
  return st;
}

/** Sends a raw request on a fresh connection; resolves {status, headers, text, json}. */
function rawRequest(head) {
  return new Promise((resolve, reject) => {
    const st = connect('127.0.0.1');
    st.sock.on('connect', () => st.sock.write(head));
    st.sock.on('close', () => {
      const m = /^HTTP\/1\.[01] (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(st.data);
      if (!m) { reject(new Error(`no HTTP response: ${JSON.stringify(st.data.slice(0, 200))}`)); return; }
      const headers = new Headers();
      for (const line of m[2].split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      let json;
      try { json = JSON.parse(m[3]); } catch { json = undefined; }
      resolve({ status: Number(m[1]), headers, text: m[3], json });
    });
  });
}

const auth = () => `Authorization: Bearer ${gh.secretKey}\r\n`;

test('headers over --max-header-bytes → 431 Clerk error; far over → still a 431', async () => {
  const host = `Host: ${new URL(gh.backendUrl).host}\r\n`;
  const big = `X-Filler: ${'a'.repeat(20000)}\r\n`; // over 16 KiB, inside MHD's pool
  const r = await rawRequest(`GET /v1/users HTTP/1.1\r\n${host}${auth()}${big}Connection: close\r\n\r\n`);
  assertClerkErrorBody(r, 431, 'request_header_fields_too_large');
  const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'b'.repeat(200)}\r\n`).join('');
  const r2 = await rawRequest(`GET /v1/users HTTP/1.1\r\n${host}${auth()}${many}Connection: close\r\n\r\n`);
  assert.equal(r2.status, 431, r2.text.slice(0, 200)); // MHD answers: past its connection pool
  const ok = await bapi(gh, 'GET', '/v1/users');
  assert.equal(ok.status, 200);
});

test('a request line over the URI cap → 414 Clerk error', async () => {
  const host = `Host: ${new URL(gh.backendUrl).host}\r\n`;
  const r = await rawRequest(`GET /v1/users?q=${'x'.repeat(9000)} HTTP/1.1\r\n${host}${auth()}Connection: close\r\n\r\n`);
  assertClerkErrorBody(r, 414, 'request_uri_too_long');
  assert.equal((await bapi(gh, 'GET', '/v1/users')).status, 200);
});

test(`per-IP connection limit (${PER_IP}): the next connection from that IP is refused, others are served`, async () => {
  // From 127.0.0.2 so the test's own keep-alive connections (127.0.0.1) do not count.
  const held = [];
  for (let i = 0; i < PER_IP; i++) {
    held.push(connect('127.0.0.2'));
    await held.at(-1).ready;
  }
  await sleep(100);
  const extra = connect('127.0.0.2');
  await extra.ready;
  const deadline = Date.now() + 1000;
  while (extra.closedAt === null && Date.now() < deadline) await sleep(20);
  assert.notEqual(extra.closedAt, null, 'connection over the per-IP limit is closed at once');
  assert.equal(extra.data, '');
  assert.ok(held.every((h) => h.closedAt === null), 'the connections within the limit stay open');
  // Another client IP is not affected.
  assert.equal((await bapi(gh, 'GET', '/v1/users')).status, 200);
  for (const h of held) h.sock.destroy();
  await sleep(100);
  const again = connect('127.0.0.2');
  await again.ready;
  again.sock.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  const until = Date.now() + 3000;
  while (again.closedAt === null && Date.now() < until) await sleep(20);
  assert.match(again.data, /^HTTP\/1\.1 200/, 'served again once the held connections are gone');
});

test(`an idle connection is closed after --conn-timeout (${TIMEOUT_S} s)`, async () => {
  const idle = connect('127.0.0.3');
  await idle.ready;
  const half = connect('127.0.0.3'); // sent half a request line, then nothing
  await half.ready;
  half.sock.write('GET /v1/us');
  const deadline = Date.now() + (TIMEOUT_S + 8) * 1000;
  while ((idle.closedAt === null || half.closedAt === null) && Date.now() < deadline) await sleep(50);
  for (const c of [idle, half]) {
    assert.notEqual(c.closedAt, null, 'idle connection closed by the server');
    const after = (c.closedAt - c.openedAt) / 1000;
    assert.ok(after >= TIMEOUT_S - 0.5, `closed after ${after} s, before the timeout`);
  }
  assert.equal((await bapi(gh, 'GET', '/v1/users')).status, 200);
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});
