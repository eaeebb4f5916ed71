// webhooks_orgs.test.mjs: organization, organizationMembership,
// organizationInvitation, role and permission events (issue 5) delivered to
// a real receiver on loopback,
// each delivery verified with npm svix and @clerk/backend's verifyWebhook;
// data deep-equals what the Backend API answered for the same change
// (DeletedObject for the deletes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { Receiver, assertVerified, createEndpoint } from './lib/receiver.mjs';
import { bapi, uniq } from './lib/clerk.mjs';

const ENV = { GATEHOUSE_WEBHOOK_TIME_SCALE: '0.001', GATEHOUSE_WEBHOOK_WORKERS: '2' };

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

/** The events about object `id`, in delivery order, once `types` have all arrived. */
async function eventsFor(id, types) {
  const of = () => rcv.got.filter((g) => g.json?.data?.id === id).map((g) => g.json);
  await rcv.waitFor(() => of().length >= types.length, 15000, `${types.join(',')} for ${id}`);
  const got = of();
  assert.deepEqual(got.map((e) => e.type), types);
  for (const e of got) {
    assert.equal(e.object, 'event');
    assert.match(e.instance_id, /^ins_/);
    assert.equal(typeof e.timestamp, 'number');
  }
  return got;
}

async function newUser(name) {
  return ok('POST', '/v1/users', { email_address: [`${name}-${uniq()}@example.com`], first_name: name });
}

test('organization and membership events carry what the Backend API returned', async () => {
  const alice = await newUser('alice');
  const bob = await newUser('bob');
  const org = await ok('POST', '/v1/organizations', { name: 'Hooks Inc', created_by: alice.id });
  const mems = await ok('GET', `/v1/organizations/${org.id}/memberships`);
  const aliceMem = mems.data.find((m) => m.public_user_data.user_id === alice.id);
  assert.ok(aliceMem);
  const renamed = await ok('PATCH', `/v1/organizations/${org.id}`, { name: 'Hooks Ltd' });
  const merged = await ok('PATCH', `/v1/organizations/${org.id}/metadata`, { public_metadata: { tier: 'gold' } });
  const replaced = await ok('PUT', `/v1/organizations/${org.id}/metadata`, { private_metadata: { crm: 7 } });

  const bobMem = await ok('POST', `/v1/organizations/${org.id}/memberships`, { user_id: bob.id, role: 'org:member' });
  const promoted = await ok('PATCH', `/v1/organizations/${org.id}/memberships/${bob.id}`, { role: 'org:admin' });
  const tagged = await ok('PATCH', `/v1/organizations/${org.id}/memberships/${bob.id}/metadata`,
    { public_metadata: { team: 'ops' } });
  const removed = await ok('DELETE', `/v1/organizations/${org.id}/memberships/${bob.id}`);
  const deleted = await ok('DELETE', `/v1/organizations/${org.id}`);
  assert.deepEqual(deleted, { object: 'organization', id: org.id, slug: org.slug, deleted: true });

  const oe = await eventsFor(org.id, ['organization.created', 'organization.updated', 'organization.updated',
    'organization.updated', 'organization.deleted']);
  assert.deepEqual(oe[0].data, org);
  assert.deepEqual(oe[1].data, renamed);
  assert.deepEqual(oe[2].data, merged);
  assert.deepEqual(oe[3].data, replaced);
  assert.deepEqual(oe[4].data, deleted);

  const ae = await eventsFor(aliceMem.id, ['organizationMembership.created']);
  assert.deepEqual(ae[0].data, aliceMem);
  assert.equal(ae[0].data.role, 'org:admin');
  // The creator's membership is written (and queued) after its organization.
  const idx = (id, t) => rcv.got.findIndex((g) => g.json?.data?.id === id && g.json.type === t);
  assert.ok(idx(org.id, 'organization.created') < idx(aliceMem.id, 'organizationMembership.created'));

  const be = await eventsFor(bobMem.id, ['organizationMembership.created', 'organizationMembership.updated',
    'organizationMembership.updated', 'organizationMembership.deleted']);
  assert.deepEqual(be[0].data, bobMem);
  assert.deepEqual(be[1].data, promoted);
  assert.deepEqual(be[2].data, tagged);
  assert.deepEqual(be[3].data, removed);
  assert.equal(be[3].data.organization.id, org.id);
  assert.equal(be[3].data.public_user_data.user_id, bob.id);

  assertVerified(rcv, ep.secret);
  assert.equal(new Set(rcv.got.map((g) => g.id)).size, rcv.got.length);
});

test('role and permission events; granting or revoking a permission is role.updated', async () => {
  const feat = `f${uniq().toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const p1 = await ok('POST', '/v1/organization_permissions',
    { name: 'Read reports', key: `org:${feat}:read`, description: 'r' });
  const p1u = await ok('PATCH', `/v1/organization_permissions/${p1.id}`, { name: 'Read all reports' });
  const p2 = await ok('POST', '/v1/organization_permissions', { name: 'Write reports', key: `org:${feat}:write` });
  const role = await ok('POST', '/v1/organization_roles',
    { name: 'Analyst', key: `org:${feat}_analyst`, description: 'a', permissions: [p1.id] });
  const roleU = await ok('PATCH', `/v1/organization_roles/${role.id}`, { description: 'reads reports' });
  const granted = await ok('POST', `/v1/organization_roles/${role.id}/permissions/${p2.id}`);
  assert.equal(granted.permissions.length, 2);
  const revoked = await ok('DELETE', `/v1/organization_roles/${role.id}/permissions/${p1.id}`);
  assert.equal(revoked.permissions.length, 1);
  const roleDel = await ok('DELETE', `/v1/organization_roles/${role.id}`);
  const p1Del = await ok('DELETE', `/v1/organization_permissions/${p1.id}`);

  const pe = await eventsFor(p1.id, ['permission.created', 'permission.updated', 'permission.deleted']);
  assert.deepEqual(pe[0].data, p1);
  assert.deepEqual(pe[1].data, p1u);
  assert.deepEqual(pe[2].data, { object: 'permission', id: p1.id, deleted: true });
  assert.deepEqual(pe[2].data, p1Del);
  const p2e = await eventsFor(p2.id, ['permission.created']);
  assert.deepEqual(p2e[0].data, p2);

  const re = await eventsFor(role.id, ['role.created', 'role.updated', 'role.updated', 'role.updated', 'role.deleted']);
  assert.deepEqual(re[0].data, role);
  assert.deepEqual(re[1].data, roleU);
  assert.deepEqual(re[2].data, granted);
  assert.deepEqual(re[3].data, revoked);
  assert.deepEqual(re[4].data, { object: 'role', id: role.id, deleted: true });
  assert.deepEqual(re[4].data, roleDel);
  assertVerified(rcv, ep.secret);
});

test('organizationInvitation.created and .revoked carry the invitation as the Backend API reads it', async () => {
  const inviter = await newUser('inviter');
  const org = await ok('POST', '/v1/organizations', { name: `Invites ${uniq()}`, created_by: inviter.id });
  const inv = await ok('POST', `/v1/organizations/${org.id}/invitations`, {
    email_address: `invitee-${uniq()}@example.com`, role: 'org:member', inviter_user_id: inviter.id,
    public_metadata: { source: 'hooks' }, private_metadata: { crm: 1 },
  });
  const ticket = new URL(inv.url).searchParams.get('__clerk_ticket');
  gh.sensitive(ticket);
  const got = await ok('GET', `/v1/organizations/${org.id}/invitations/${inv.id}`);
  const revoked = await ok('POST', `/v1/organizations/${org.id}/invitations/${inv.id}/revoke`,
    { requesting_user_id: inviter.id });
  const bulk = await ok('POST', `/v1/organizations/${org.id}/invitations/bulk`, [
    { email_address: `b1-${uniq()}@example.com`, role: 'org:member' },
    { email_address: `b2-${uniq()}@example.com`, role: 'org:admin' },
  ]);
  for (const b of bulk.data) gh.sensitive(new URL(b.url).searchParams.get('__clerk_ticket'));
  // An app-level invitation emits nothing (Clerk has no such event).
  const appInv = await ok('POST', '/v1/invitations', { email_address: `app-${uniq()}@example.com` });
  gh.sensitive(new URL(appInv.url).searchParams.get('__clerk_ticket'));

  const ie = await eventsFor(inv.id, ['organizationInvitation.created', 'organizationInvitation.revoked']);
  // data is the invitation as GET returns it: url null (the ticket is shown
  // only in the create answer, and never stored or sent anywhere else).
  assert.deepEqual(ie[0].data, got);
  assert.equal(ie[0].data.url, null);
  assert.deepEqual(ie[0].data, { ...inv, url: null });
  assert.equal(ie[0].data.public_inviter_data.user_id, inviter.id);
  assert.deepEqual(ie[1].data, revoked);
  assert.equal(ie[1].data.status, 'revoked');
  for (const [i, b] of bulk.data.entries()) {
    const be = await eventsFor(b.id, ['organizationInvitation.created']);
    assert.deepEqual(be[0].data, { ...b, url: null }, `bulk item ${i}`);
  }
  assert.ok(!rcv.got.some((g) => g.json?.data?.id === appInv.id), 'no event for an app-level invitation');
  for (const g of rcv.got) assert.ok(!g.body.includes(ticket), 'a raw ticket in a webhook body');
  assertVerified(rcv, ep.secret);
});

test('a refused change queues nothing (the event is in the change\'s transaction)', async () => {
  const before = rcv.got.length;
  const r = await bapi(gh, 'POST', '/v1/organizations', { body: { name: 'Nobody', created_by: 'user_nosuchuser' } });
  assert.equal(r.status, 404, r.text);
  const dup = await bapi(gh, 'POST', '/v1/organization_permissions', { body: { name: 'x', key: 'org:sys_x:y' } });
  assert.equal(dup.status, 422, dup.text);
  const badInv = await bapi(gh, 'POST', '/v1/organizations/org_nosuchorg00000000000000/invitations',
    { body: { email_address: 'x@example.com', role: 'org:member' } });
  assert.equal(badInv.status, 404, badInv.text);
  // A later change's event arrives, with nothing from the refused ones before it.
  const org = await ok('POST', '/v1/organizations', { name: 'Somebody' });
  await eventsFor(org.id, ['organization.created']);
  assert.deepEqual(rcv.got.slice(before).map((g) => g.json.type), ['organization.created']);
});
