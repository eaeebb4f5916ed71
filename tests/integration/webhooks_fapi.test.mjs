// webhooks_fapi.test.mjs (issue 5): the events the browser flows cause,
// driven through the Frontend API the way clerk-js does (lib/fapi.mjs) and
// delivered to a real receiver that verifies each one with npm svix and
// @clerk/backend's verifyWebhook: session.ended (sign-out of one session,
// and of the whole client), session.removed, and
// organizationInvitation.accepted from a ticket sign-up, a ticket sign-in
// and the signed-in user's accept, each after its organizationMembership.created.
// data is compared with what the Backend API answers for the same resource.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { Receiver, assertVerified, createEndpoint } from './lib/receiver.mjs';
import { bapi, uniq, strongPassword } from './lib/clerk.mjs';
import { FapiClient, signInWithPassword } from './lib/fapi.mjs';

const ENV = { GATEHOUSE_WEBHOOK_TIME_SCALE: '0.001', GATEHOUSE_WEBHOOK_WORKERS: '2' };
const ORIGIN = 'http://localhost:3000';
const tag = uniq();
const mail = (n) => `wf.${n}.${tag}@example.com`;

let gh;
let ep;
const rcv = new Receiver();

before(async () => {
  await rcv.start();
  gh = await startGatehouse({ env: ENV });
  ep = await createEndpoint(gh, { url: rcv.url() });
  rcv.secrets = [ep.secret];
});
after(async () => {
  await rcv.stop();
  if (gh) await gh.close();
});

async function ok(method, path, body) {
  const r = await bapi(gh, method, path, body === undefined ? {} : { body });
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  return r.json;
}

/** A user with a password, made through the Backend API. */
async function newUser(name) {
  const password = strongPassword();
  gh.sensitive(password);
  const u = await ok('POST', '/v1/users', { email_address: [mail(name)], password, first_name: name });
  return { user: u, password };
}

/** The one event of `type` whose data.id is `id` (waits for it). */
async function eventOf(type, id) {
  const g = await rcv.waitFor(() => rcv.got.find((x) => x.json?.type === type && x.json.data.id === id),
    15000, `${type} for ${id}`);
  assertVerified(rcv, ep.secret, [g]);
  return g;
}

function ticketOf(url) {
  const t = new URL(url).searchParams.get('__clerk_ticket');
  gh.sensitive(t);
  return t;
}

test('sign-out of one session → session.ended; removing one → session.removed; signing the client out → session.ended', async () => {
  const { user, password } = await newUser('ender');
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const { sessionId: s1 } = await signInWithPassword(fc, mail('ender'), password);
  await fc.post(`/client/sessions/${s1}/end`);
  const e1 = await eventOf('session.ended', s1);
  const { user: u1, ...sess1 } = e1.json.data;
  assert.deepEqual(sess1, await ok('GET', `/v1/sessions/${s1}`));
  assert.equal(sess1.status, 'ended');
  assert.deepEqual(u1, await ok('GET', `/v1/users/${user.id}`));

  const fc2 = new FapiClient(gh, { origin: ORIGIN });
  const { sessionId: s2 } = await signInWithPassword(fc2, mail('ender'), password);
  await fc2.post(`/client/sessions/${s2}/remove`);
  const e2 = await eventOf('session.removed', s2);
  assert.equal(e2.json.data.status, 'removed');
  assert.equal(e2.json.data.user.id, user.id);

  const fc3 = new FapiClient(gh, { origin: ORIGIN });
  const { sessionId: s3 } = await signInWithPassword(fc3, mail('ender'), password);
  await fc3.del('/client');
  const e3 = await eventOf('session.ended', s3);
  assert.equal(e3.json.data.status, 'ended');
  // Ending an ended session again emits nothing more.
  await fc.raw('POST', `/client/sessions/${s1}/end`);
  const created = rcv.got.filter((x) => x.json?.type === 'session.created' && x.json.data.user_id === user.id);
  assert.equal(created.length, 3);
  assert.equal(rcv.got.filter((x) => x.json?.data?.id === s1 && x.json.type === 'session.ended').length, 1);
});

test('organizationInvitation.accepted: ticket sign-up, ticket sign-in and /me accept, each after the membership', async () => {
  const { user: admin } = await newUser('admin');
  const org = await ok('POST', '/v1/organizations', { name: `Hooks FAPI ${tag}`, created_by: admin.id });
  const invite = async (email) => ok('POST', `/v1/organizations/${org.id}/invitations`,
    { email_address: email, role: 'org:member', inviter_user_id: admin.id });
  const after = async (inv, userId) => {
    const acc = await eventOf('organizationInvitation.accepted', inv.id);
    const got = await ok('GET', `/v1/organizations/${org.id}/invitations/${inv.id}`);
    assert.deepEqual(acc.json.data, { ...got, user_id: userId });
    assert.equal(acc.json.data.status, 'accepted');
    const mems = await ok('GET', `/v1/organizations/${org.id}/memberships?user_id=${userId}`);
    const mem = await eventOf('organizationMembership.created', mems.data[0].id);
    assert.ok(rcv.got.indexOf(mem) < rcv.got.indexOf(acc), 'the membership is queued first');
    for (const g of rcv.got) assert.ok(!g.body.includes(inv.ticket), 'a raw ticket in a webhook body');
  };

  // A new person signs up with the ticket.
  const inv1 = await invite(mail('newbie'));
  inv1.ticket = ticketOf(inv1.url);
  const fc1 = new FapiClient(gh, { origin: ORIGIN });
  const pw = strongPassword();
  gh.sensitive(pw);
  const su = await fc1.post('/client/sign_ups', { strategy: 'ticket', ticket: inv1.ticket, password: pw,
    first_name: 'New', locale: 'en-US' });
  assert.equal(su.response.status, 'complete', JSON.stringify(su.response));
  await after(inv1, su.response.created_user_id);

  // An existing account signs in with the ticket.
  const { user: old } = await newUser('oldtimer');
  const inv2 = await invite(mail('oldtimer'));
  inv2.ticket = ticketOf(inv2.url);
  const fc2 = new FapiClient(gh, { origin: ORIGIN });
  const si = await fc2.post('/client/sign_ins', { strategy: 'ticket', ticket: inv2.ticket });
  assert.equal(si.response.status, 'complete', JSON.stringify(si.response));
  await after(inv2, old.id);

  // A signed-in user accepts from their invitation list.
  const { user: member, password } = await newUser('signedin');
  const inv3 = await invite(mail('signedin'));
  inv3.ticket = ticketOf(inv3.url);
  const fc3 = new FapiClient(gh, { origin: ORIGIN });
  await signInWithPassword(fc3, mail('signedin'), password);
  await fc3.post(`/me/organization_invitations/${inv3.id}/accept`);
  await after(inv3, member.id);
  assertVerified(rcv, ep.secret);
});
