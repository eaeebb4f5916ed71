// webhooks.test.mjs: webhook endpoints and deliveries (issue 5) against a
// real receiver on loopback. Every delivery is verified twice, with npm
// svix's `new Webhook(secret).verify(rawBody, headers)` and with
// @clerk/backend's `verifyWebhook(request, { signingSecret })`; event data is
// compared with what the Backend API returned. Also: retries while the
// receiver is down, kill -9 with undelivered messages, secret rotation,
// SSRF refusal at creation, attempts/replay/disable/enable, the CLI verb.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGatehouse, REPO_ROOT } from './lib/server.mjs';
import { Receiver, assertVerified, createEndpoint } from './lib/receiver.mjs';
import { bapi, uniq } from './lib/clerk.mjs';
import { sleep } from './lib/net.mjs';

const ENV = { GATEHOUSE_WEBHOOK_TIME_SCALE: '0.001', GATEHOUSE_WEBHOOK_WORKERS: '2' };

async function attempts(gh, ep) {
  const r = await bapi(gh, 'GET', `/v1/webhook_endpoints/${ep.id}/attempts?limit=100`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

let gh;
const rcv = new Receiver();

before(async () => {
  await rcv.start();
  gh = await startGatehouse({ env: ENV });
});

after(async () => {
  await rcv.stop();
  if (gh) await gh.close();
});

let ep;

test('create, get, list an endpoint; the secret is shown only at creation', async () => {
  ep = await createEndpoint(gh, { url: rcv.url(), description: 'sync' });
  assert.equal(ep.object, 'webhook_endpoint');
  assert.match(ep.id, /^ep_[A-Za-z0-9]+$/);
  assert.equal(ep.url, rcv.url());
  assert.deepEqual(ep.events, []);
  assert.equal(ep.description, 'sync');
  assert.equal(ep.enabled, true);
  assert.match(ep.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.ok(Buffer.from(ep.secret.slice(6), 'base64').length >= 24);
  assert.equal(typeof ep.created_at, 'number');
  assert.equal(typeof ep.updated_at, 'number');
  rcv.secrets = [ep.secret];

  const g = await bapi(gh, 'GET', `/v1/webhook_endpoints/${ep.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.secret, undefined);
  assert.equal(g.json.id, ep.id);
  const l = await bapi(gh, 'GET', '/v1/webhook_endpoints');
  assert.equal(l.status, 200);
  assert.equal(l.json.total_count, 1);
  assert.equal(l.json.data[0].id, ep.id);
  assert.equal(l.json.data[0].secret, undefined);
  const nf = await bapi(gh, 'GET', '/v1/webhook_endpoints/ep_nope');
  assert.equal(nf.status, 404);
  assert.equal(nf.json.errors[0].code, 'resource_not_found');
});

test('SSRF: private, link-local and metadata URLs are refused at creation (422 url)', async () => {
  for (const url of ['http://10.0.0.5/hook', 'http://169.254.169.254/latest/meta-data',
    'http://192.168.1.1/', 'http://[fd00::1]/', 'ftp://127.0.0.1/x', 'http://0x0a000001/']) {
    const r = await bapi(gh, 'POST', '/v1/webhook_endpoints', { body: { url } });
    assert.equal(r.status, 422, `${url}: ${r.text}`);
    assert.equal(r.json.errors[0].meta.param_name, 'url', url);
  }
  const missing = await bapi(gh, 'POST', '/v1/webhook_endpoints', { body: {} });
  assert.equal(missing.status, 422);
  assert.equal(missing.json.errors[0].code, 'form_param_missing');
});

test('user and session events arrive signed, with the data the Backend API returned', async () => {
  const email = `hook-${uniq()}@example.com`;
  const created = await bapi(gh, 'POST', '/v1/users', { body: { email_address: [email], first_name: 'Ada' } });
  assert.equal(created.status, 200, created.text);
  const uid = created.json.id;
  const updated = await bapi(gh, 'PATCH', `/v1/users/${uid}`, { body: { last_name: 'Lovelace' } });
  assert.equal(updated.status, 200);
  const sess = await bapi(gh, 'POST', '/v1/sessions', { body: { user_id: uid } });
  assert.equal(sess.status, 200, sess.text);
  const revoked = await bapi(gh, 'POST', `/v1/sessions/${sess.json.id}/revoke`);
  assert.equal(revoked.status, 200);
  const userAfter = await bapi(gh, 'GET', `/v1/users/${uid}`);
  const del = await bapi(gh, 'DELETE', `/v1/users/${uid}`);
  assert.equal(del.status, 200);

  const want = ['user.created', 'user.updated', 'session.created', 'session.revoked', 'user.deleted'];
  await rcv.waitFor(() => want.every((t) => rcv.got.some((g) => g.json?.type === t && (g.json.data.id === uid ||
    g.json.data.user_id === uid))), 15000, want.join(','));
  assertVerified(rcv, ep.secret);
  const one = (t) => rcv.got.find((g) => g.json?.type === t && (g.json.data.id === uid || g.json.data.user_id === uid)).json;

  for (const t of want) {
    const e = one(t);
    assert.equal(e.object, 'event');
    assert.equal(typeof e.timestamp, 'number');
    assert.match(e.instance_id, /^ins_/);
    assert.deepEqual(e.event_attributes, { http_request: { client_ip: '', user_agent: '' } });
  }
  assert.deepEqual(one('user.created').data, created.json);
  assert.deepEqual(one('user.updated').data, updated.json);
  assert.deepEqual(one('user.deleted').data, { deleted: true, id: uid, object: 'user', external_id: null });
  const sc = one('session.created').data;
  const { user: scUser, ...scSession } = sc;
  assert.deepEqual(scSession, sess.json);
  assert.equal(scUser.id, uid);
  assert.equal(scUser.object, 'user');
  const sr = one('session.revoked').data;
  const { user: srUser, ...srSession } = sr;
  assert.deepEqual(srSession, revoked.json);
  assert.deepEqual(srUser, userAfter.json);
  // Creation order for this endpoint.
  const order = rcv.got.filter((g) => g.json && (g.json.data.id === uid || g.json.data.user_id === uid))
    .map((g) => g.json.type);
  assert.deepEqual(order, want);
  // svix-id is unique per message.
  assert.equal(new Set(rcv.got.map((g) => g.id)).size, rcv.got.length);
});

test('metadata, ban and email address changes are user.updated', async () => {
  const u = await bapi(gh, 'POST', '/v1/users', { body: { email_address: [`m-${uniq()}@example.com`] } });
  const before = rcv.got.length;
  const md = await bapi(gh, 'PATCH', `/v1/users/${u.json.id}/metadata`, { body: { public_metadata: { plan: 'pro' } } });
  const ban = await bapi(gh, 'POST', `/v1/users/${u.json.id}/ban`);
  const em = await bapi(gh, 'POST', '/v1/email_addresses', { body: { user_id: u.json.id, email_address: `x-${uniq()}@example.com` } });
  assert.equal(em.status, 200, em.text);
  const seen = await rcv.waitFor((got) => {
    const mine = got.slice(before).filter((g) => g.json?.type === 'user.updated' && g.json.data.id === u.json.id);
    return mine.length >= 3 ? mine : null;
  });
  assert.deepEqual(seen[0].json.data, md.json);
  assert.deepEqual(seen[1].json.data, ban.json);
  assert.equal(seen[2].json.data.email_addresses.length, 2);
  assertVerified(rcv, ep.secret, seen);
});

test('receiver down: retries, then delivered when it comes back', async () => {
  await rcv.stop();
  const u = await bapi(gh, 'POST', '/v1/users', { body: { first_name: 'Retry' } });
  assert.equal(u.status, 200);
  // Wait for at least two failed attempts (immediately, then +5 s scaled).
  const deadline = Date.now() + 10000;
  let failed = [];
  while (Date.now() < deadline) {
    failed = (await attempts(gh, ep)).data.filter((a) => a.response_status_code === null && a.error &&
      a.event_type === 'user.created');
    if (failed.length >= 2) break;
    await sleep(50);
  }
  assert.ok(failed.length >= 2, 'two failed attempts');
  await rcv.start();
  const got = await rcv.waitFor(() => rcv.got.find((g) => g.json?.type === 'user.created' && g.json.data.id === u.json.id));
  assertVerified(rcv, ep.secret, [got]);
  // The receiver may answer before the worker has recorded the attempt.
  let all, log;
  for (let i = 0; i < 100; i++) {
    all = (await attempts(gh, ep)).data;
    log = all.filter((a) => a.message_id === got.id);
    if (log.some((a) => a.response_status_code === 200)) break;
    await sleep(20);
  }
  assert.ok(log.length >= 3, `failures then success in the attempts log: ${JSON.stringify(all.slice(0, 6))}`);
  assert.equal(log[0].response_status_code, 200); // newest first
  assert.ok(log.slice(1).every((a) => a.response_status_code === null));
  // The same svix-id on every attempt: only one message id for this user.
  assert.equal(rcv.got.filter((g) => g.json?.data?.id === u.json.id).length, 1);
});

test('kill -9 with undelivered messages: delivered after restart, none lost', async () => {
  await rcv.stop();
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const u = await bapi(gh, 'POST', '/v1/users', { body: { first_name: `K${i}` } });
    assert.equal(u.status, 200);
    ids.push(u.json.id);
  }
  await sleep(100);
  await gh.kill9();
  await rcv.start();
  await gh.spawn();
  await rcv.waitFor(() => ids.every((id) => rcv.got.some((g) => g.json?.type === 'user.created' && g.json.data.id === id)),
    20000, 'users created before kill -9');
  assertVerified(rcv, ep.secret, rcv.got.filter((g) => ids.includes(g.json?.data?.id)));
});

test('secret rotation: old and new secrets both verify during the overlap', async () => {
  const old = ep.secret;
  const r = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep.id}/rotate_secret`, { body: { overlap_seconds: 300 } });
  assert.equal(r.status, 200, r.text);
  gh.sensitive(r.json.secret);
  assert.match(r.json.secret, /^whsec_/);
  assert.notEqual(r.json.secret, old);
  rcv.secrets = [old, r.json.secret];
  const u = await bapi(gh, 'POST', '/v1/users', { body: { first_name: 'Rot' } });
  const got = await rcv.waitFor(() => rcv.got.find((g) => g.json?.data?.id === u.json.id));
  assert.equal(got.sig.split(' ').length, 2);
  assertVerified(rcv, old, [got]);
  assertVerified(rcv, r.json.secret, [got]);

  // Rotating with no overlap: only the newest secret signs.
  const r2 = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep.id}/rotate_secret`, { body: { overlap_seconds: 0 } });
  assert.equal(r2.status, 200);
  gh.sensitive(r2.json.secret);
  rcv.secrets = [old, r.json.secret, r2.json.secret];
  const u2 = await bapi(gh, 'POST', '/v1/users', { body: { first_name: 'Rot2' } });
  const got2 = await rcv.waitFor(() => rcv.got.find((g) => g.json?.data?.id === u2.json.id));
  assertVerified(rcv, r2.json.secret, [got2]);
  assert.equal(got2.svixOk[r.json.secret], false);
  assert.equal(got2.clerkOk[old], false);
  ep.secret = r2.json.secret;
});

test('events filter, disable/enable, replay, update, delete', async () => {
  const rcv2 = await new Receiver().start();
  const ep2 = await createEndpoint(gh, { url: rcv2.url('/two'), events: ['session.created'] });
  assert.deepEqual(ep2.events, ['session.created']);
  rcv2.secrets = [ep2.secret];
  const u = await bapi(gh, 'POST', '/v1/users', { body: { first_name: 'F' } });
  const s = await bapi(gh, 'POST', '/v1/sessions', { body: { user_id: u.json.id } });
  await rcv2.waitFor((got) => got.some((g) => g.json?.data?.id === s.json.id));
  assert.ok(rcv2.got.every((g) => g.json.type === 'session.created'));
  assertVerified(rcv2, ep2.secret);

  // Disabled: messages are not queued for it (as Svix); enabled again, new
  // messages flow and replay recovers the gap.
  const d = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep2.id}/disable`);
  assert.equal(d.json.enabled, false);
  assert.equal(d.json.disabled_reason, 'manual');
  const s2 = await bapi(gh, 'POST', '/v1/sessions', { body: { user_id: u.json.id } });
  await sleep(500);
  assert.ok(!rcv2.got.some((g) => g.json?.data?.id === s2.json.id));
  const e = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep2.id}/enable`);
  assert.equal(e.json.enabled, true);
  assert.equal(e.json.disabled_reason, null);
  const s3 = await bapi(gh, 'POST', '/v1/sessions', { body: { user_id: u.json.id } });
  await rcv2.waitFor((got) => got.some((g) => g.json?.data?.id === s3.json.id));
  assert.ok(!rcv2.got.some((g) => g.json?.data?.id === s2.json.id));

  // Replay one message: the same svix-id and bytes again.
  const first = rcv2.got.find((g) => g.json?.data?.id === s.json.id);
  const n = rcv2.got.length;
  const rp = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep2.id}/replay`, { body: { message_id: first.id } });
  assert.equal(rp.status, 200, rp.text);
  assert.equal(rp.json.queued, 1);
  const again = await rcv2.waitFor((got) => got.slice(n).find((g) => g.id === first.id));
  assert.equal(again.body, first.body);
  assertVerified(rcv2, ep2.secret, [again]);
  // Replay since a time: only messages the filter takes.
  const n2 = rcv2.got.length;
  const rs = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep2.id}/replay`, { body: { since: s.json.created_at - 1 } });
  assert.equal(rs.json.queued, 3); // s, s2 (missed while disabled), s3
  await rcv2.waitFor((got) => got.slice(n2).some((g) => g.json?.data?.id === s2.json.id) && got.length >= n2 + 3);
  assert.ok(rcv2.got.slice(n2).every((g) => g.json.type === 'session.created'));
  const bad = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep2.id}/replay`, { body: { message_id: 'msg_nope' } });
  assert.equal(bad.status, 404);

  const up = await bapi(gh, 'PATCH', `/v1/webhook_endpoints/${ep2.id}`, { body: { events: [], description: 'all' } });
  assert.equal(up.status, 200);
  assert.deepEqual(up.json.events, []);
  assert.equal(up.json.description, 'all');
  const badUp = await bapi(gh, 'PATCH', `/v1/webhook_endpoints/${ep2.id}`, { body: { url: 'http://10.1.2.3/' } });
  assert.equal(badUp.status, 422);

  const del = await bapi(gh, 'DELETE', `/v1/webhook_endpoints/${ep2.id}`);
  assert.equal(del.status, 200);
  assert.deepEqual(del.json, { object: 'webhook_endpoint', id: ep2.id, deleted: true });
  assert.equal((await bapi(gh, 'GET', `/v1/webhook_endpoints/${ep2.id}`)).status, 404);
  await rcv2.stop();
});

test('410 Gone disables the endpoint', async () => {
  const rcv3 = await new Receiver().start();
  rcv3.status = 410;
  const ep3 = await createEndpoint(gh, { url: rcv3.url('/gone'), events: ['user.created'] });
  rcv3.secrets = [ep3.secret];
  await bapi(gh, 'POST', '/v1/users', { body: { first_name: 'G' } });
  await rcv3.waitFor((got) => got.length >= 1);
  let g;
  for (let i = 0; i < 50; i++) {
    g = await bapi(gh, 'GET', `/v1/webhook_endpoints/${ep3.id}`);
    if (!g.json.enabled) break;
    await sleep(50);
  }
  assert.equal(g.json.enabled, false);
  assert.equal(g.json.disabled_reason, 'gone');
  await bapi(gh, 'DELETE', `/v1/webhook_endpoints/${ep3.id}`);
  await rcv3.stop();
});

test('CLI: gatehouse webhooks add URL --events prints the id and the secret', async () => {
  const r = await gh.admin(['webhooks', 'add', rcv.url('/cli'), '--events', 'user.created,user.deleted']);
  assert.equal(r.code, 0, r.stderr);
  const id = /WEBHOOK_ENDPOINT_ID=(ep_\w+)/.exec(r.stdout)[1];
  const secret = /CLERK_WEBHOOK_SIGNING_SECRET=(whsec_\S+)/.exec(r.stdout)[1];
  gh.sensitive(secret);
  const g = await bapi(gh, 'GET', `/v1/webhook_endpoints/${id}`);
  assert.deepEqual(g.json.events, ['user.created', 'user.deleted']);
  const bad = await gh.admin(['webhooks', 'add', 'http://10.0.0.1/']);
  assert.notEqual(bad.code, 0);
  await bapi(gh, 'DELETE', `/v1/webhook_endpoints/${id}`);
});

test('docs/openapi.json documents every webhook route in routes.c, with the shapes the server answers', async () => {
  const doc = JSON.parse(await readFile(join(REPO_ROOT, 'docs/openapi.json'), 'utf8'));
  const routes = await readFile(join(REPO_ROOT, 'src/http/routes.c'), 'utf8');
  const found = [...routes.matchAll(/\{\s*"([A-Z]+)",\s*"(\/v1\/webhook_endpoints[^"]*)"/g)]
    .map(([, m, path]) => [m.toLowerCase(), path.replace(/:([a-z_]+)/g, '{$1}')]);
  assert.ok(found.length >= 10, `webhook routes in routes.c: ${found.length}`);
  for (const [m, path] of found) assert.ok(doc.paths[path]?.[m], `${m.toUpperCase()} ${path} missing from docs/openapi.json`);
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
  assert.deepEqual(documented.sort(), found.map(([m, p]) => `${m} ${p}`).sort(), 'no documented route the server lacks');

  const S = doc.components.schemas;
  const made = await createEndpoint(gh, { url: rcv.url('/doc') });
  assert.deepEqual(Object.keys(made).sort(), [...S.WebhookEndpoint.required, 'secret'].sort());
  const g = await bapi(gh, 'GET', `/v1/webhook_endpoints/${made.id}`);
  assert.deepEqual(Object.keys(g.json).sort(), [...S.WebhookEndpoint.required].sort());
  const a = (await attempts(gh, ep)).data[0];
  assert.deepEqual(Object.keys(a).sort(), [...S.WebhookAttempt.required].sort());
  await bapi(gh, 'DELETE', `/v1/webhook_endpoints/${made.id}`);
});
