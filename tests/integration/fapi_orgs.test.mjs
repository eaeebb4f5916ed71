// fapi_orgs.test.mjs: the Frontend API's organization routes as
// <OrganizationSwitcher/>, <CreateOrganization/> and <OrganizationProfile/>
// call them (spec FAPI §3.7), driven by a clerk-js-like client: create an
// organization (the creator is admin and the piggybacked client shows the
// membership), make it active (touch) and mint a token with its `o` claim,
// list roles, members and invitations, invite, accept, leave; members
// without the system permissions are refused; outsiders see nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToken } from '@clerk/backend';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, strongPassword, decodeJwt } from './lib/clerk.mjs';
import { FapiClient, signInWithPassword } from './lib/fapi.mjs';

let gh;
let clerk;
const tag = uniq();
const pw = strongPassword();
let alice, bob, carol; // users
let fa, fb, fc;        // their browsers
let org;

async function user(name) {
  return clerk.users.createUser({
    emailAddress: [`${name}.${tag}@example.com`], password: pw, firstName: name,
    skipPasswordChecks: true,
  });
}

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  gh.sensitive(pw);
  [alice, bob, carol] = await Promise.all([user('alice'), user('bob'), user('carol')]);
  fa = new FapiClient(gh);
  fb = new FapiClient(gh);
  fc = new FapiClient(gh);
  await signInWithPassword(fa, `alice.${tag}@example.com`, pw);
  await signInWithPassword(fb, `bob.${tag}@example.com`, pw);
  await signInWithPassword(fc, `carol.${tag}@example.com`, pw);
});
after(async () => { if (gh) await gh.cleanup(); });

test('environment has organizations enabled', async () => {
  const env = await fa.get('/environment');
  assert.equal(env.organization_settings.enabled, true);
});

test('create an organization: creator is admin, client piggyback includes the membership', async () => {
  const r = await fa.post('/organizations', { name: `Acme ${tag}`, slug: `acme-${tag}` });
  org = r.response;
  assert.equal(org.object, 'organization');
  assert.equal(org.slug, `acme-${tag}`);
  assert.equal(org.members_count, 1);
  assert.equal(org.pending_invitations_count, 0);
  assert.ok(!('private_metadata' in org));
  const sess = r.client.sessions.find((s) => s.id === fa.sessionId);
  const mems = sess.user.organization_memberships;
  assert.equal(mems.length, 1);
  assert.equal(mems[0].organization.id, org.id);
  assert.equal(mems[0].role, 'org:admin');
  assert.ok(mems[0].permissions.includes('org:sys_memberships:manage'));
  assert.ok(!('private_metadata' in mems[0]));
  assert.equal(mems[0].public_user_data.user_id, alice.id);
});

test('create: missing name → 422 form_param_missing name; slug clash → 422', async () => {
  const e = await fa.fail('POST', '/organizations', { name: '' }, 422, 'form_param_missing');
  assert.equal(e.meta.param_name, 'name');
  await fa.fail('POST', '/organizations', { name: 'Other', slug: `acme-${tag}` }, 422);
});

test('set active via touch, then the token carries the o claim', async () => {
  const r = await fa.post(`/client/sessions/${fa.sessionId}/touch`,
    { active_organization_id: org.id, intent: 'select_org' });
  assert.equal(r.response.last_active_organization_id, org.id);
  const t = await fa.post(`/client/sessions/${fa.sessionId}/tokens`, { organization_id: org.id });
  assert.equal(t.object, 'token');
  const claims = await verifyToken(t.jwt, { secretKey: gh.secretKey, apiUrl: gh.apiUrl });
  assert.equal(claims.o.id, org.id);
  assert.equal(claims.o.slg, `acme-${tag}`);
  assert.equal(claims.o.rol, 'admin');
  assert.equal(decodeJwt(t.jwt).payload.azp, 'http://localhost:3000');
  // back to personal
  const p = await fa.post(`/client/sessions/${fa.sessionId}/touch`, { active_organization_id: '' });
  assert.equal(p.response.last_active_organization_id, null);
  const t2 = await fa.post(`/client/sessions/${fa.sessionId}/tokens`, { organization_id: '' });
  assert.equal(decodeJwt(t2.jwt).payload.o, undefined);
});

test('touching an organization one is not a member of → 403 not_allowed_access', async () => {
  await fb.fail('POST', `/client/sessions/${fb.sessionId}/touch`,
    { active_organization_id: org.id }, 403, 'not_allowed_access');
});

test('get, roles, members: members only; outsiders get 404', async () => {
  const g = await fa.get(`/organizations/${org.id}`);
  assert.equal(g.response.id, org.id);
  await fb.fail('GET', `/organizations/${org.id}`, undefined, 404);
  const roles = await fa.get(`/organizations/${org.id}/roles`, { limit: 20, offset: 0 });
  const keys = roles.response.data.map((r) => r.key);
  assert.ok(keys.includes('org:admin') && keys.includes('org:member'));
  assert.equal(typeof roles.response.total_count, 'number');
  const mem = await fa.get(`/organizations/${org.id}/memberships`, { paginated: 'true', limit: 10, offset: 0 });
  assert.equal(mem.response.total_count, 1);
  assert.equal(mem.response.data[0].public_user_data.user_id, alice.id);
  const dom = await fa.get(`/organizations/${org.id}/domains`, { limit: 10, offset: 0 });
  assert.deepEqual(dom.response, { data: [], total_count: 0 });
});

test('invite bob; bob sees it, accepts it, becomes a member', async () => {
  const inv = await fa.post(`/organizations/${org.id}/invitations`,
    { email_address: `bob.${tag}@example.com`, role: 'org:member' });
  assert.equal(inv.response.object, 'organization_invitation');
  assert.equal(inv.response.status, 'pending');
  assert.ok(!('url' in inv.response), 'the ticket never goes to the inviter');
  const list = await fa.get(`/organizations/${org.id}/invitations`, { status: 'pending' });
  assert.equal(list.response.total_count, 1);
  const mine = await fb.get('/me/organization_invitations', { status: 'pending', limit: 10, offset: 0 });
  assert.equal(mine.response.total_count, 1);
  assert.equal(mine.response.data[0].public_organization_data.id, org.id);
  const acc = await fb.post(`/me/organization_invitations/${inv.response.id}/accept`, {});
  assert.equal(acc.response.status, 'accepted');
  const sess = acc.client.sessions.find((s) => s.id === fb.sessionId);
  assert.ok(sess.user.organization_memberships.some((m) => m.organization.id === org.id && m.role === 'org:member'));
  await fb.fail('POST', `/me/organization_invitations/${inv.response.id}/accept`, {}, 400);
  const mm = await fb.get('/me/organization_memberships', { paginated: 'true', limit: 10, offset: 0 });
  assert.equal(mm.response.total_count, 1);
});

test('a plain member cannot manage: invite, role change, delete → 403 not_allowed_access', async () => {
  await fb.fail('POST', `/organizations/${org.id}/invitations`,
    { email_address: `x.${tag}@example.com`, role: 'org:member' }, 403, 'not_allowed_access');
  await fb.fail('PATCH', `/organizations/${org.id}`, { name: 'Hijacked' }, 403, 'not_allowed_access');
  await fb.fail('DELETE', `/organizations/${org.id}`, {}, 403, 'not_allowed_access');
  await fb.fail('PATCH', `/organizations/${org.id}/memberships/${bob.id}`, { role: 'org:admin' }, 403,
    'not_allowed_access');
  // but reading members is allowed (org:sys_memberships:read)
  const mem = await fb.get(`/organizations/${org.id}/memberships`, { limit: 10, offset: 0 });
  assert.equal(mem.response.total_count, 2);
});

test('admin adds carol directly, changes her role, removes her', async () => {
  const add = await fa.post(`/organizations/${org.id}/memberships`, { user_id: carol.id, role: 'org:member' });
  assert.equal(add.response.role, 'org:member');
  const up = await fa.patch(`/organizations/${org.id}/memberships/${carol.id}`, { role: 'org:admin' });
  assert.equal(up.response.role, 'org:admin');
  await fa.fail('PATCH', `/organizations/${org.id}/memberships/${carol.id}`, { role: 'org:nope' }, 422);
  const rm = await fa.del(`/organizations/${org.id}/memberships/${carol.id}`, {});
  assert.equal(rm.response.public_user_data.user_id, carol.id);
  await fc.fail('GET', `/organizations/${org.id}`, undefined, 404);
});

test('bulk invite and revoke', async () => {
  const r = await fa.post(`/organizations/${org.id}/invitations/bulk`,
    { email_address: [`d.${tag}@example.com`, `e.${tag}@example.com`], role: 'org:member' });
  assert.equal(r.response.length, 2);
  const rv = await fa.post(`/organizations/${org.id}/invitations/${r.response[0].id}/revoke`, {});
  assert.equal(rv.response.status, 'revoked');
  await fa.fail('POST', `/organizations/${org.id}/invitations/${r.response[0].id}/revoke`, {}, 400);
});

test('update name and slug as admin', async () => {
  const r = await fa.patch(`/organizations/${org.id}`, { name: `Acme Two ${tag}`, slug: `acme2-${tag}` });
  assert.equal(r.response.name, `Acme Two ${tag}`);
  assert.equal(r.response.slug, `acme2-${tag}`);
  const b = await clerk.organizations.getOrganization({ organizationId: org.id });
  assert.equal(b.slug, `acme2-${tag}`);
});

test('bob leaves; alice deletes the organization', async () => {
  const l = await fb.del(`/me/organization_memberships/${org.id}`, {});
  assert.equal(l.response.deleted, true);
  await fb.fail('GET', `/organizations/${org.id}`, undefined, 404);
  const d = await fa.del(`/organizations/${org.id}`, {});
  assert.deepEqual(d.response, { object: 'organization', id: org.id, deleted: true });
  const sess = d.client.sessions.find((s) => s.id === fa.sessionId);
  assert.equal(sess.user.organization_memberships.length, 0);
});

test('a request from a foreign origin is refused (CSRF)', async () => {
  const evil = new FapiClient(gh, { origin: 'https://evil.example' });
  evil.cookies = fa.cookies;
  evil.sessionId = fa.sessionId;
  await evil.fail('POST', '/organizations', { name: 'x' }, 403, 'origin_invalid');
});

test('signed-out calls get 401 signed_out', async () => {
  const anon = new FapiClient(gh);
  await anon.fail('GET', '/me/organization_memberships', undefined, 401, 'signed_out');
  await anon.fail('POST', '/organizations', { name: 'x' }, 401, 'signed_out');
});
