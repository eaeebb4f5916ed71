// webhooks_email.test.mjs (issue 5): email.created, as Clerk sends it for an
// email it delivers itself ("email" object, delivered_by_clerk true), for
// every email Gatehouse sends: sign-up and sign-in codes
// (slug verification_code), reset-password codes (reset_password_code), and
// invitations to the instance (invitation) and to an organization
// (organization_invitation). Each is verified with npm svix and
// @clerk/backend's verifyWebhook. The code in data.otp_code is the one the
// user got (it verifies the sign-up), and data.action_url is the
// invitation's url. The body holds the code or the ticket, so only an
// endpoint whose events filter names email.created gets it (a catch-all
// endpoint does not), and the event is written only while such an endpoint
// is enabled: replay finds nothing from before that.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { Receiver, assertVerified, createEndpoint } from './lib/receiver.mjs';
import { bapi, uniq, strongPassword } from './lib/clerk.mjs';
import { FapiClient, codeFromLog } from './lib/fapi.mjs';
import { sleep } from './lib/net.mjs';

const ENV = { GATEHOUSE_WEBHOOK_TIME_SCALE: '0.001', GATEHOUSE_WEBHOOK_WORKERS: '2' };
const ORIGIN = 'http://localhost:3000';
const tag = uniq();
const mail = (n) => `em.${n}.${tag}@example.com`;

let gh;
let ep;
let t0;
const rcv = new Receiver();
const all = new Receiver(); // an endpoint with no events filter

before(async () => {
  await rcv.start();
  await all.start();
  gh = await startGatehouse({ env: ENV });
  const ca = await createEndpoint(gh, { url: all.url('/all') });
  all.secrets = [ca.secret];
  // Before any endpoint listens: an invitation email whose event is not kept.
  t0 = Date.now() - 1000;
  const r = await bapi(gh, 'POST', '/v1/invitations', { body: { email_address: mail('unheard') } });
  assert.equal(r.status, 200, r.text);
  gh.sensitive(new URL(r.json.url).searchParams.get('__clerk_ticket'));
  ep = await createEndpoint(gh, { url: rcv.url(), events: ['email.created'] });
  rcv.secrets = [ep.secret];
});
after(async () => {
  await rcv.stop();
  await all.stop();
  if (gh) await gh.close();
});

/** The email.created event sent to `to` with `slug` (waits for it). */
async function emailTo(to, slug) {
  const g = await rcv.waitFor(() => rcv.got.find((x) => x.json?.type === 'email.created' &&
    x.json.data.to_email_address === to && x.json.data.slug === slug), 15000, `email.created ${slug} to ${to}`);
  assertVerified(rcv, ep.secret, [g]);
  const e = g.json.data;
  assert.equal(e.object, 'email');
  assert.match(e.id, /^ema_/);
  assert.equal(e.status, 'queued');
  assert.equal(e.delivered_by_clerk, true);
  assert.equal(typeof e.from_email_name, 'string');
  assert.ok(e.from_email_name.length > 0 && !e.from_email_name.includes('@'));
  assert.equal(typeof e.subject, 'string');
  assert.match(e.body, /^<!doctype html>/);
  assert.equal(typeof e.body_plain, 'string');
  assert.equal(typeof e.data.app.name, 'string');
  assert.equal(g.json.object, 'event');
  assert.equal(typeof g.json.instance_id, 'string');
  return e;
}

test('sign-up code: email.created carries the code the user got, and that code verifies', async () => {
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const to = mail('signup');
  const password = strongPassword();
  gh.sensitive(password);
  const su = (await fc.post('/client/sign_ups', { email_address: to, password })).response;
  const from = gh.logs().length;
  await fc.post(`/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' });
  const code = await codeFromLog(gh, to, { from });
  gh.sensitive(code);
  const e = await emailTo(to, 'verification_code');
  assert.equal(e.data.otp_code, code);
  assert.ok(e.subject.startsWith(code), e.subject);
  assert.ok(e.body.includes(code) && e.body_plain.includes(code));
  const done = await fc.post(`/client/sign_ups/${su.id}/attempt_verification`,
    { strategy: 'email_code', code: e.data.otp_code });
  assert.equal(done.response.status, 'complete');
});

test('sign-in code and reset-password code: verification_code and reset_password_code', async () => {
  const to = mail('signin');
  const password = strongPassword();
  gh.sensitive(password);
  const u = await bapi(gh, 'POST', '/v1/users', { body: { email_address: [to], password } });
  assert.equal(u.status, 200, u.text);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = (await fc.post('/client/sign_ins', { identifier: to })).response;
  const ec = si.supported_first_factors.find((f) => f.strategy === 'email_code');
  await fc.post(`/client/sign_ins/${si.id}/prepare_first_factor`,
    { strategy: 'email_code', email_address_id: ec.email_address_id });
  const e1 = await emailTo(to, 'verification_code');
  gh.sensitive(e1.data.otp_code);
  const ok = await fc.post(`/client/sign_ins/${si.id}/attempt_first_factor`,
    { strategy: 'email_code', code: e1.data.otp_code });
  assert.equal(ok.response.status, 'complete');

  const fc2 = new FapiClient(gh, { origin: ORIGIN });
  const si2 = (await fc2.post('/client/sign_ins', { identifier: to })).response;
  const rf = si2.supported_first_factors.find((f) => f.strategy === 'reset_password_email_code');
  await fc2.post(`/client/sign_ins/${si2.id}/prepare_first_factor`,
    { strategy: 'reset_password_email_code', email_address_id: rf.email_address_id });
  const e2 = await emailTo(to, 'reset_password_code');
  gh.sensitive(e2.data.otp_code);
  assert.match(e2.data.otp_code, /^\d{6}$/);
  assert.notEqual(e2.id, e1.id);
});

test('invitations: instance and organization invitation emails carry the invitation url', async () => {
  const to = mail('invited');
  const inv = await bapi(gh, 'POST', '/v1/invitations', { body: { email_address: to } });
  assert.equal(inv.status, 200, inv.text);
  gh.sensitive(new URL(inv.json.url).searchParams.get('__clerk_ticket'));
  const e = await emailTo(to, 'invitation');
  assert.equal(e.data.action_url, inv.json.url);
  assert.ok(e.body_plain.includes(inv.json.url));

  const owner = await bapi(gh, 'POST', '/v1/users', { body: { email_address: [mail('owner')] } });
  const org = await bapi(gh, 'POST', '/v1/organizations', { body: { name: `Acme ${tag}`, created_by: owner.json.id } });
  assert.equal(org.status, 200, org.text);
  const oto = mail('member');
  const oi = await bapi(gh, 'POST', `/v1/organizations/${org.json.id}/invitations`,
    { body: { email_address: oto, role: 'org:member', inviter_user_id: owner.json.id } });
  assert.equal(oi.status, 200, oi.text);
  gh.sensitive(new URL(oi.json.url).searchParams.get('__clerk_ticket'));
  const oe = await emailTo(oto, 'organization_invitation');
  assert.equal(oe.data.action_url, oi.json.url);
  assert.equal(oe.data.org.name, `Acme ${tag}`);
});

test('no listener, no event: an email sent before any endpoint took email.created is not replayable', async () => {
  const rs = await bapi(gh, 'POST', `/v1/webhook_endpoints/${ep.id}/replay`, { body: { since: t0 } });
  assert.equal(rs.status, 200, rs.text);
  await sleep(300);
  assert.ok(!rcv.got.some((g) => g.json?.data?.to_email_address === mail('unheard')));
  // Everything replayed is one of this file's own listened-to emails.
  assert.ok(rcv.got.every((g) => g.json?.type === 'email.created'));
});

test('a catch-all endpoint gets every other event but never email.created', async () => {
  const u = await bapi(gh, 'POST', '/v1/users', { body: { email_address: [mail('catchall')] } });
  await all.waitFor((got) => got.some((g) => g.json?.type === 'user.created' && g.json.data.id === u.json.id),
    15000, 'user.created at the catch-all endpoint');
  assert.ok(rcv.got.length >= 4, 'the named endpoint got the emails');
  assert.ok(!all.got.some((g) => g.json?.type === 'email.created'));
  assertVerified(all, all.secrets[0]);
});
