// organizations.test.mjs: organizations, memberships, roles and permissions
// through the real @clerk/backend SDK, and the session token's `o`/`fea`
// claims checked by @clerk/express getAuth(req).has() against a custom role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { clerkMiddleware, getAuth } from '@clerk/express';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, bapi, expectClerkError, decodeJwt } from './lib/clerk.mjs';

let gh;
let clerk;
let alice; // creator
let bob;
let carol;
let appUrl;
const servers = [];
const tag = uniq();

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  const mk = (n) => clerk.users.createUser({ emailAddress: [`${n}.${tag}@example.com`], firstName: n });
  [alice, bob, carol] = await Promise.all([mk('alice'), mk('bob'), mk('carol')]);
  const app = express();
  app.use(clerkMiddleware({ publishableKey: gh.publishableKey, secretKey: gh.secretKey, apiUrl: gh.apiUrl }));
  app.post('/has', express.json(), (req, res) => {
    const auth = getAuth(req);
    res.json({
      userId: auth.userId, orgId: auth.orgId ?? null, orgRole: auth.orgRole ?? null,
      orgSlug: auth.orgSlug ?? null, orgPermissions: auth.orgPermissions ?? null,
      results: (req.body.checks || []).map((c) => auth.has(c)),
    });
  });
  app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
    res.status(500).json({ error: String(err && err.stack) });
  });
  appUrl = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => { servers.push(srv); resolve(`http://127.0.0.1:${srv.address().port}`); });
  });
});
after(async () => {
  for (const s of servers) s.close();
  if (gh) await gh.cleanup();
});

async function has(token, checks) {
  const res = await fetch(`${appUrl}/has`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ checks }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

async function mint(sessionId) {
  const t = (await clerk.sessions.getToken(sessionId)).jwt;
  gh.sensitive(t);
  return t;
}

test('create with createdBy: creator is an org:admin member; get by id and by slug', async () => {
  const org = await clerk.organizations.createOrganization({
    name: `Acme Corp ${tag}`, createdBy: alice.id, publicMetadata: { tier: 'gold' },
  });
  assert.match(org.id, /^org_/);
  assert.equal(org.slug, `acme-corp-${tag}`);
  assert.equal(org.createdBy, alice.id);
  assert.deepEqual(org.publicMetadata, { tier: 'gold' });
  assert.equal(org.imageUrl, '');
  const byId = await clerk.organizations.getOrganization({ organizationId: org.id });
  const bySlug = await clerk.organizations.getOrganization({ slug: org.slug, includeMembersCount: true });
  assert.equal(byId.id, org.id);
  assert.equal(bySlug.id, org.id);
  assert.equal(bySlug.membersCount, 1);
  const ms = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  assert.equal(ms.totalCount, 1);
  const m = ms.data[0];
  assert.equal(m.role, 'org:admin');
  assert.ok(m.permissions.includes('org:sys_memberships:manage'));
  assert.equal(m.organization.id, org.id);
  assert.equal(m.publicUserData.userId, alice.id);
  assert.equal(m.publicUserData.identifier, `alice.${tag}@example.com`);
  const raw = await bapi(gh, 'GET', `/v1/organizations/${org.id}/memberships`);
  assert.equal(raw.json.data[0].role_name, 'Admin');
  await expectClerkError(clerk.organizations.getOrganization({ slug: `nope-${tag}` }), 404, 'resource_not_found');
});

test('list: query, orderBy, includeMembersCount, organization_id filter; update; metadata; delete', async () => {
  const a = await clerk.organizations.createOrganization({ name: `Zeta ${tag}`, slug: `zeta-${tag}` });
  const b = await clerk.organizations.createOrganization({ name: `Alpha ${tag}`, slug: `alpha-${tag}`, createdBy: bob.id });
  const l = await clerk.organizations.getOrganizationList({ query: tag, orderBy: 'name', includeMembersCount: true, limit: 50 });
  const names = l.data.map((o) => o.name);
  assert.ok(names.indexOf(`Alpha ${tag}`) < names.indexOf(`Zeta ${tag}`));
  assert.equal(l.data.find((o) => o.id === b.id).membersCount, 1);
  assert.equal(l.data.find((o) => o.id === a.id).membersCount, 0);
  const byMembers = await clerk.organizations.getOrganizationList({ query: tag, orderBy: '-members_count', limit: 50 });
  assert.equal(byMembers.data.at(-1).membersCount, undefined);
  const only = await bapi(gh, 'GET', `/v1/organizations?organization_id=${a.id}`);
  assert.equal(only.json.total_count, 1);
  assert.equal(only.json.data[0].id, a.id);

  const up = await clerk.organizations.updateOrganization(a.id, { name: `Zeta Two ${tag}`, maxAllowedMemberships: 5, adminDeleteEnabled: false });
  assert.equal(up.name, `Zeta Two ${tag}`);
  assert.equal(up.maxAllowedMemberships, 5);
  assert.equal(up.adminDeleteEnabled, false);
  await clerk.organizations.updateOrganizationMetadata(a.id, { publicMetadata: { x: 1, y: { z: 2 } } });
  const merged = await clerk.organizations.updateOrganizationMetadata(a.id, { publicMetadata: { y: { w: 3 }, x: null } });
  assert.deepEqual(merged.publicMetadata, { y: { z: 2, w: 3 } });
  const replaced = await bapi(gh, 'PUT', `/v1/organizations/${a.id}/metadata`, { body: { public_metadata: { only: true } } });
  assert.deepEqual(replaced.json.public_metadata, { only: true });

  await expectClerkError(clerk.organizations.createOrganization({ name: 'dup', slug: `zeta-${tag}` }), 422, 'form_identifier_exists');
  const clash = await expectClerkError(clerk.organizations.updateOrganization(a.id, { slug: `alpha-${tag}` }), 422, 'form_identifier_exists');
  assert.equal(clash.errors[0].meta.paramName, 'slug');
  const byCreated = await clerk.organizations.getOrganizationList({ query: tag, orderBy: '-created_at', limit: 50 });
  assert.ok(byCreated.data.findIndex((o) => o.id === b.id) < byCreated.data.findIndex((o) => o.id === a.id), 'newest first');
  await expectClerkError(clerk.organizations.updateOrganization(a.id, { maxAllowedMemberships: -1 }), 422);
  const bad = await expectClerkError(clerk.organizations.createOrganization({ name: 'bad', slug: 'Bad Slug!' }), 422, 'form_param_format_invalid');
  assert.equal(bad.errors[0].meta.paramName, 'slug');
  await expectClerkError(clerk.organizations.createOrganization({ name: 'x', createdBy: 'user_nope' }), 404);

  const del = await clerk.organizations.deleteOrganization(a.id);
  assert.equal(del.deleted, true);
  const rawDel = await bapi(gh, 'DELETE', `/v1/organizations/${b.id}`);
  assert.equal(rawDel.json.slug, `alpha-${tag}`);
  await expectClerkError(clerk.organizations.getOrganization({ organizationId: a.id }), 404);
});

test('memberships: create, list filters, update role, metadata, delete, quota, per user', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Mem ${tag}`, createdBy: alice.id, maxAllowedMemberships: 2 });
  const m = await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: bob.id, role: 'org:member' });
  assert.equal(m.role, 'org:member');
  assert.deepEqual(m.permissions, ['org:sys_memberships:read']);
  assert.equal(m.publicUserData.firstName, 'bob');
  await expectClerkError(clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: bob.id, role: 'org:member' }), 422, 'already_a_member_in_organization');
  await expectClerkError(clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: carol.id, role: 'org:member' }), 422, 'organization_membership_quota_exceeded');
  const unk = await expectClerkError(clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: carol.id, role: 'org:nope' }), 422);
  assert.equal(unk.errors[0].meta.paramName, 'role');

  const admins = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, role: ['org:admin'] });
  assert.equal(admins.totalCount, 1);
  assert.equal(admins.data[0].publicUserData.userId, alice.id);
  const q = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, query: 'bob' });
  assert.equal(q.totalCount, 1);
  const byUser = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, userId: [bob.id] });
  assert.equal(byUser.data[0].publicUserData.userId, bob.id);

  const badRole = await expectClerkError(clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: bob.id, role: 'org:nope' }), 422);
  assert.equal(badRole.errors[0].meta.paramName, 'role');
  const up = await clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: bob.id, role: 'org:admin' });
  assert.equal(up.role, 'org:admin');
  const md = await clerk.organizations.updateOrganizationMembershipMetadata({ organizationId: org.id, userId: bob.id, publicMetadata: { a: 1 } });
  assert.deepEqual(md.publicMetadata, { a: 1 });

  const users = await clerk.users.getUserList({ organizationId: [org.id] });
  assert.deepEqual(users.data.map((u) => u.id).sort(), [alice.id, bob.id].sort());
  const mine = await clerk.users.getOrganizationMembershipList({ userId: bob.id });
  assert.ok(mine.data.some((x) => x.organization.id === org.id));
  const all = await bapi(gh, 'GET', '/v1/organization_memberships?limit=100');
  assert.ok(all.json.total_count >= 2);

  const removed = await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: bob.id });
  assert.equal(removed.publicUserData.userId, bob.id);
  assert.equal(removed.deleted, undefined);
  await expectClerkError(clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: bob.id }), 404);
  const now = await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: carol.id, role: 'org:member' });
  assert.equal(now.role, 'org:member');
});

test('roles and permissions CRUD; bad key shapes and reserved prefix refused', async () => {
  const perms = await clerk.organizationPermissions.getOrganizationPermissionList();
  assert.ok(perms.data.some((p) => p.key === 'org:sys_profile:manage'));
  const p = await clerk.organizationPermissions.createOrganizationPermission({ name: 'Widgets read', key: `org:widgets${tag}:read`, description: 'd' });
  assert.equal(p.key, `org:widgets${tag}:read`);
  const rawP = await bapi(gh, 'GET', `/v1/organization_permissions/${p.id}`);
  assert.equal(rawP.json.object, 'permission');
  assert.equal(rawP.json.type, 'user');
  for (const key of ['widgets:read', 'org:widgets', 'org:Widgets:read', 'org::read', 'org:a:b:c']) {
    const e = await expectClerkError(clerk.organizationPermissions.createOrganizationPermission({ name: 'x', key }), 422, 'form_param_format_invalid');
    assert.equal(e.errors[0].meta.paramName, 'key');
  }
  await expectClerkError(clerk.organizationPermissions.createOrganizationPermission({ name: 'x', key: 'org:sys_profile:hack' }), 422);
  await expectClerkError(clerk.organizationPermissions.createOrganizationPermission({ name: 'x', key: p.key }), 422, 'form_identifier_exists');
  const pu = await clerk.organizationPermissions.updateOrganizationPermission({ permissionId: p.id, name: 'Renamed' });
  assert.equal(pu.name, 'Renamed');

  const r = await clerk.organizationRoles.createOrganizationRole({ name: 'Viewer', key: `org:viewer${tag}`, description: 'v', permissions: [p.id] });
  assert.equal(r.key, `org:viewer${tag}`);
  assert.deepEqual(r.permissions.map((x) => x.key), [p.key]);
  const rawR = await bapi(gh, 'GET', `/v1/organization_roles/${r.id}`);
  assert.equal(rawR.json.object, 'role');
  assert.equal(rawR.json.permissions[0].object, 'permission');
  const list = await clerk.organizationRoles.getOrganizationRoleList({ limit: 100 });
  assert.ok(list.data.some((x) => x.key === 'org:admin'));
  assert.ok(list.data.some((x) => x.key === 'org:member'));
  const p2 = await clerk.organizationPermissions.createOrganizationPermission({ name: 'W write', key: `org:widgets${tag}:write` });
  const r2 = await clerk.organizationRoles.assignPermissionToOrganizationRole({ organizationRoleId: r.id, permissionId: p2.id });
  assert.equal(r2.permissions.length, 2);
  const r3 = await clerk.organizationRoles.removePermissionFromOrganizationRole({ organizationRoleId: r.id, permissionId: p.id });
  assert.deepEqual(r3.permissions.map((x) => x.key), [p2.key]);
  const ru = await clerk.organizationRoles.updateOrganizationRole({ organizationRoleId: r.id, name: 'Viewer 2' });
  assert.equal(ru.name, 'Viewer 2');
  await expectClerkError(clerk.organizationRoles.createOrganizationRole({ name: 'x', key: 'viewer' }), 422, 'form_param_format_invalid');
  const dr = await clerk.organizationRoles.deleteOrganizationRole(r.id);
  assert.equal(dr.deleted, true);
  const dp = await clerk.organizationPermissions.deleteOrganizationPermission(p.id);
  assert.equal(dp.deleted, true);
  const admin = list.data.find((x) => x.key === 'org:admin');
  await expectClerkError(clerk.organizationRoles.deleteOrganizationRole(admin.id), 422);
});

test('session token o/fea: getAuth().has() agrees with a custom role (3 features × 2 actions), and follows changes', async () => {
  const keys = [`org:projects:manage`, `org:projects:read`, `org:billing:read`, `org:billing:manage`,
    `org:reports:read`, `org:reports:export`];
  const perm = {};
  for (const k of keys) {
    const existing = (await clerk.organizationPermissions.getOrganizationPermissionList({ query: k, limit: 10 })).data.find((x) => x.key === k);
    perm[k] = existing ?? await clerk.organizationPermissions.createOrganizationPermission({ name: k, key: k });
  }
  const granted = keys.filter((k) => k !== 'org:billing:manage');
  const role = await clerk.organizationRoles.createOrganizationRole({
    name: 'Analyst', key: `org:analyst${tag}`, permissions: granted.map((k) => perm[k].id),
  });
  const org = await clerk.organizations.createOrganization({ name: `Tok ${tag}`, createdBy: alice.id });
  await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: carol.id, role: role.key });

  // Not a member → refused.
  const refused = await bapi(gh, 'POST', '/v1/sessions', { body: { user_id: bob.id, active_organization_id: org.id } });
  assert.equal(refused.status, 422, refused.text);
  assert.equal(refused.json.errors[0].meta.param_name, 'active_organization_id');
  const s = await bapi(gh, 'POST', '/v1/sessions', { body: { user_id: carol.id, active_organization_id: org.id } });
  assert.equal(s.status, 200, s.text);
  const sid = s.json.id;

  let token = await mint(sid);
  const claims = decodeJwt(token).payload;
  assert.equal(claims.o.id, org.id);
  assert.equal(claims.o.slg, org.slug);
  assert.equal(claims.o.rol, `analyst${tag}`);
  assert.equal(claims.fea, 'o:billing,o:projects,o:reports');
  assert.equal(claims.o.per, 'export,manage,read');
  // billing: read(4); projects: manage(2)+read(4)=6; reports: export(1)+read(4)=5
  assert.equal(claims.o.fpm, '4,6,5');

  const checks = [...keys.map((k) => ({ permission: k })), { role: role.key }, { role: 'org:admin' }, { permission: 'org:sys_memberships:read' }];
  let r = await has(token, checks);
  assert.equal(r.userId, carol.id);
  assert.equal(r.orgId, org.id);
  assert.equal(r.orgRole, role.key);
  assert.deepEqual(r.results, [...keys.map((k) => granted.includes(k)), true, false, false], JSON.stringify(r));

  // Revoke one permission from the role → the next token lacks it.
  await clerk.organizationRoles.removePermissionFromOrganizationRole({ organizationRoleId: role.id, permissionId: perm['org:reports:export'].id });
  token = await mint(sid);
  r = await has(token, keys.map((k) => ({ permission: k })));
  assert.deepEqual(r.results, keys.map((k) => granted.includes(k) && k !== 'org:reports:export'));

  // Change the member's role to org:member → no custom permissions, role member.
  await clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: carol.id, role: 'org:member' });
  token = await mint(sid);
  const c2 = decodeJwt(token).payload;
  assert.equal(c2.o.rol, 'member');
  assert.equal(c2.fea, undefined);
  r = await has(token, [{ role: 'org:member' }, { permission: 'org:projects:read' }, { role: role.key }]);
  assert.deepEqual(r.results, [true, false, false]);
  assert.deepEqual(r.orgPermissions, []);

  // Removed from the org → no org claims.
  await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: carol.id });
  token = await mint(sid);
  assert.equal(decodeJwt(token).payload.o, undefined);
  r = await has(token, [{ role: 'org:member' }]);
  assert.equal(r.orgId, null);
  assert.deepEqual(r.results, [false]);
});
