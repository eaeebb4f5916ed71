// webhooks_multi.test.mjs (PostgreSQL only, issue 5): two Gatehouse
// processes on one database share the outbox; their workers claim deliveries
// with FOR UPDATE SKIP LOCKED, so in normal operation each message reaches
// the receiver once, whichever process made the change, and every delivery
// verifies with svix and verifyWebhook.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, storeKind, Gatehouse } from './lib/server.mjs';
import { Receiver, assertVerified, createEndpoint } from './lib/receiver.mjs';
import { bapi } from './lib/clerk.mjs';
import { freePort, sleep } from './lib/net.mjs';

const ENV = { GATEHOUSE_WEBHOOK_TIME_SCALE: '0.001', GATEHOUSE_WEBHOOK_WORKERS: '2' };
const pgOnly = storeKind() !== 'postgres' && 'PostgreSQL only (GH_TEST_DB=postgres)';

let a;
let b;
const rcv = new Receiver();

after(async () => {
  await rcv.stop();
  if (b) await b.cleanup();
  if (a) await a.cleanup();
});

test('two instances on one database deliver each message once', { skip: pgOnly }, async () => {
  await rcv.start();
  a = await startGatehouse({ env: ENV });
  // A second process on the same database and master key, other ports.
  const frontendPort = await freePort();
  const backendPort = await freePort();
  b = new Gatehouse({
    db: a.db, dir: a.dir, env: ENV, dbUrl: a.dbUrl, keyFile: a.keyFile, frontendPort, backendPort,
    frontendUrl: `http://127.0.0.1:${frontendPort}`, backendUrl: `http://127.0.0.1:${backendPort}`,
    apiUrl: `http://127.0.0.1:${backendPort}`, cleaned: true, // a owns the database and the dir
  });
  await b.spawn();
  b.secretKey = a.secretKey;
  const ep = await createEndpoint(a, { url: rcv.url(), events: ['user.created'] });
  b.sensitive(ep.secret);
  rcv.secrets = [ep.secret];

  const N = 30;
  const ids = [];
  await Promise.all(Array.from({ length: N }, async (_, i) => {
    const r = await bapi(i % 2 ? a : b, 'POST', '/v1/users', { body: { first_name: `M${i}` } });
    assert.equal(r.status, 200, r.text);
    ids.push(r.json.id);
  }));
  await rcv.waitFor(() => ids.every((id) => rcv.got.some((g) => g.json?.data?.id === id)), 20000,
    `${N} user.created deliveries`);
  await sleep(500); // a duplicate would arrive about now
  const mine = rcv.got.filter((g) => ids.includes(g.json?.data?.id));
  assert.equal(mine.length, N, `each message once: ${mine.length} deliveries for ${N} messages`);
  assert.equal(new Set(mine.map((g) => g.id)).size, N);
  assertVerified(rcv, ep.secret, mine);

  await b.stop();
  b.checkLogs();
  await a.close();
  a = null;
});
