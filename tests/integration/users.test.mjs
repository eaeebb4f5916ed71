// users.test.mjs: clerk.users.* from @clerk/backend against Gatehouse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { sleep } from './lib/net.mjs';
import {
  clerkFor, uniq, strongPassword, expectClerkError, assertResource, bapi, assertClerkErrorBody,
} from './lib/clerk.mjs';

let gh;
let clerk;
const tag = uniq();
const pw = strongPassword();
let alice; // created with everything

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  gh.sensitive(pw);
});
after(async () => { if (gh) await gh.cleanup(); });

test('createUser with every common field', async () => {
  const createdAt = new Date('2021-03-04T05:06:07.000Z');
  alice = await clerk.users.createUser({
    emailAddress: [`alice.${tag}@example.com`],
    password: pw,
    firstName: 'Alice',
    lastName: 'Liddell',
    username: `alice_${tag}`,
    externalId: `ext-alice-${tag}`,
    publicMetadata: { plan: 'pro', nestedObj: { innerCamel: 1, deepList: [1, 'two', { x: null }] } },
    privateMetadata: { stripeCustomerId: 'cus_123' },
    skipPasswordChecks: true,
    createdAt,
  });
  assert.match(alice.id, /^user_[A-Za-z0-9]+$/);
  assert.equal(alice.firstName, 'Alice');
  assert.equal(alice.lastName, 'Liddell');
  assert.equal(alice.username, `alice_${tag}`);
  assert.equal(alice.externalId, `ext-alice-${tag}`);
  assert.equal(alice.passwordEnabled, true);
  assert.equal(alice.banned, false);
  assert.equal(alice.locked, false);
  assert.deepEqual(alice.publicMetadata,
    { plan: 'pro', nestedObj: { innerCamel: 1, deepList: [1, 'two', { x: null }] } });
  assert.deepEqual(alice.privateMetadata, { stripeCustomerId: 'cus_123' });
  assert.deepEqual(alice.unsafeMetadata, {});
  assert.equal(alice.createdAt, createdAt.getTime());
  assert.equal(typeof alice.updatedAt, 'number');
  assert.equal(typeof alice.imageUrl, 'string');
  // getters and raw JSON
  assert.equal(alice.emailAddresses.length, 1);
  assert.equal(alice.primaryEmailAddress?.emailAddress, `alice.${tag}@example.com`);
  assert.equal(alice.primaryEmailAddressId, alice.emailAddresses[0].id);
  assert.equal(alice.emailAddresses[0].verification?.status, 'verified');
  assert.ok(alice.raw && alice.raw.object === 'user', 'user.raw is the wire JSON');
  assert.equal(alice.raw.id, alice.id);
  assert.ok(!('password' in alice.raw), 'no password in the user JSON');
  assert.ok(!('deleted' in alice.raw), 'a live user has no deleted key');
  assert.ok(Array.isArray(alice.raw.email_addresses[0].linked_to));
  assert.ok(!JSON.stringify(alice.raw).includes(pw), 'password not echoed');
});

test('getUser returns the same user', async () => {
  const u = await clerk.users.getUser(alice.id);
  assert.equal(u.id, alice.id);
  assert.equal(u.primaryEmailAddress?.emailAddress, `alice.${tag}@example.com`);
  assert.deepEqual(u.publicMetadata, alice.publicMetadata);
  assert.deepEqual(u.privateMetadata, alice.privateMetadata);
});

test('getUserList filters, ordering and paging; getCount', async () => {
  const made = [];
  for (let i = 0; i < 3; i++) {
    made.push(await clerk.users.createUser({
      emailAddress: [`list${i}.${tag}@example.com`],
      firstName: `Lister${i}`,
      username: `lister${i}_${tag}`,
      externalId: `ext-list-${i}-${tag}`,
    }));
    await sleep(5); // distinct created_at for the ordering checks
  }
  const all = await clerk.users.getUserList({ limit: 100 });
  assert.ok(Array.isArray(all.data), 'data is an array');
  assert.equal(typeof all.totalCount, 'number');
  assert.equal(all.totalCount, 4);
  assert.equal(all.data.length, 4);

  const byEmail = await clerk.users.getUserList({ emailAddress: [`list1.${tag}@example.com`, `list2.${tag}@example.com`] });
  assert.deepEqual(byEmail.data.map((u) => u.id).sort(), [made[1].id, made[2].id].sort());
  assert.equal(byEmail.totalCount, 2);

  const byId = await clerk.users.getUserList({ userId: [made[0].id] });
  assert.deepEqual(byId.data.map((u) => u.id), [made[0].id]);
  assert.equal(byId.totalCount, 1);

  const byExt = await clerk.users.getUserList({ externalId: [`ext-alice-${tag}`] });
  assert.deepEqual(byExt.data.map((u) => u.id), [alice.id]);

  const byUsername = await clerk.users.getUserList({ username: [`lister2_${tag}`] });
  assert.deepEqual(byUsername.data.map((u) => u.id), [made[2].id]);

  const byQuery = await clerk.users.getUserList({ query: 'Lister1' });
  assert.deepEqual(byQuery.data.map((u) => u.id), [made[1].id]);
  const byQueryEmail = await clerk.users.getUserList({ query: `alice.${tag}` });
  assert.deepEqual(byQueryEmail.data.map((u) => u.id), [alice.id]);

  const newest = await clerk.users.getUserList({ orderBy: '-created_at', limit: 100 });
  assert.equal(newest.data[0].id, made[2].id, 'newest first');
  assert.equal(newest.data.at(-1).id, alice.id, 'alice was created with createdAt in 2021');
  const oldest = await clerk.users.getUserList({ orderBy: '+created_at', limit: 100 });
  assert.deepEqual(oldest.data.map((u) => u.id), newest.data.map((u) => u.id).reverse());

  const page = await clerk.users.getUserList({ orderBy: '+created_at', limit: 2, offset: 1 });
  assert.deepEqual(page.data.map((u) => u.id), oldest.data.slice(1, 3).map((u) => u.id));
  assert.equal(page.totalCount, 4, 'totalCount ignores limit/offset');

  assert.equal(await clerk.users.getCount(), 4);
  assert.equal(await clerk.users.getCount({ emailAddress: [`list0.${tag}@example.com`] }), 1);
});

test('query encoding (spec §A3): defaults, falsy values, limit bounds, repeated keys, form decoding', async () => {
  const extra = [];
  for (let i = 0; i < 8; i++) {
    extra.push(await clerk.users.createUser({ emailAddress: [`enc${i}.${tag}@example.com`], firstName: `Ann Marie${i}` }));
  }
  const total = await clerk.users.getCount();
  assert.ok(total >= 12, `need more than 10 users, have ${total}`);
  // No limit → 10 (the default); falsy values are never sent by the SDK, so
  // the defaults apply to them too.
  const dflt = await clerk.users.getUserList();
  assert.equal(dflt.data.length, 10);
  assert.equal(dflt.totalCount, total);
  const falsy = await clerk.users.getUserList({ limit: 0, offset: 0, orderBy: undefined, query: '' });
  assert.deepEqual(falsy.data.map((u) => u.id), dflt.data.map((u) => u.id));
  assert.equal(dflt.data[0].id, extra.at(-1).id, 'default order is -created_at');
  // limit 1..500
  assert.equal((await bapi(gh, 'GET', '/v1/users?limit=500')).json.length, total);
  assert.equal((await bapi(gh, 'GET', '/v1/users?limit=1')).json.length, 1);
  for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'limit=-1', 'offset=-1', 'offset=x']) {
    const e = assertClerkErrorBody(await bapi(gh, 'GET', `/v1/users?${bad}`), 422);
    assert.equal(e.meta.param_name, bad.split('=')[0], bad);
  }
  assertClerkErrorBody(await bapi(gh, 'GET', '/v1/users?order_by=-password'), 422);
  // Repeated keys (no brackets) are arrays; the SDK sends them that way.
  const two = await bapi(gh, 'GET', `/v1/users?user_id=${extra[0].id}&user_id=${extra[1].id}`);
  assert.deepEqual(two.json.map((u) => u.id).sort(), [extra[0].id, extra[1].id].sort());
  // Form decoding: the SDK encodes a space as '+', a raw client as %20.
  const spaced = await clerk.users.getUserList({ query: 'Ann Marie3' });
  assert.deepEqual(spaced.data.map((u) => u.id), [extra[3].id]);
  const pct = await bapi(gh, 'GET', '/v1/users?query=Ann%20Marie4');
  assert.deepEqual(pct.json.map((u) => u.id), [extra[4].id]);
  const plusEmail = await bapi(gh, 'GET', `/v1/users?email_address=${encodeURIComponent(`enc5.${tag}@example.com`)}`);
  assert.deepEqual(plusEmail.json.map((u) => u.id), [extra[5].id]);
  // Unknown query keys are ignored.
  assert.equal((await bapi(gh, 'GET', '/v1/users?no_such_filter=1&limit=2')).json.length, 2);
  for (const u of extra) await clerk.users.deleteUser(u.id);
});

test('updateUser names, username, password', async () => {
  const newPw = strongPassword();
  gh.sensitive(newPw);
  const u = await clerk.users.updateUser(alice.id, {
    firstName: 'Alicia', lastName: 'L.', username: `alicia_${tag}`, password: newPw, skipPasswordChecks: true,
  });
  assert.equal(u.firstName, 'Alicia');
  assert.equal(u.lastName, 'L.');
  assert.equal(u.username, `alicia_${tag}`);
  assert.ok(u.updatedAt >= alice.updatedAt);
  assert.deepEqual(await clerk.users.verifyPassword({ userId: alice.id, password: newPw }), { verified: true });
  await expectClerkError(clerk.users.verifyPassword({ userId: alice.id, password: pw }), 422);
  // put the first password back for the later test
  await clerk.users.updateUser(alice.id, { password: pw, skipPasswordChecks: true });
});

test('updateUserMetadata deep-merges and null deletes', async () => {
  const u = await clerk.users.updateUserMetadata(alice.id, {
    publicMetadata: { nestedObj: { innerCamel: 2, added: true, deepList: null }, plan: null, extraKey: 'x' },
    privateMetadata: { another: { k: 'v' } },
  });
  assert.deepEqual(u.publicMetadata, { nestedObj: { innerCamel: 2, added: true }, extraKey: 'x' });
  assert.deepEqual(u.privateMetadata, { stripeCustomerId: 'cus_123', another: { k: 'v' } });
  const again = await clerk.users.getUser(alice.id);
  assert.deepEqual(again.publicMetadata, u.publicMetadata);
});

test('updateUser with publicMetadata replaces it (PATCH + PUT /metadata)', async () => {
  const u = await clerk.users.updateUser(alice.id, { firstName: 'Al', publicMetadata: { onlyThis: { camelKey: 1 } } });
  assert.equal(u.firstName, 'Al');
  assert.deepEqual(u.publicMetadata, { onlyThis: { camelKey: 1 } });
  assert.deepEqual(u.privateMetadata, { stripeCustomerId: 'cus_123', another: { k: 'v' } }, 'omitted field kept');
});

test('ban/unban and lock/unlock', async () => {
  assert.equal((await clerk.users.banUser(alice.id)).banned, true);
  assert.equal((await clerk.users.getUser(alice.id)).banned, true);
  assert.equal((await clerk.users.unbanUser(alice.id)).banned, false);
  assert.equal((await clerk.users.lockUser(alice.id)).locked, true);
  assert.equal((await clerk.users.unlockUser(alice.id)).locked, false);
});

test('verifyPassword: right, wrong, and user without a password', async () => {
  assert.deepEqual(await clerk.users.verifyPassword({ userId: alice.id, password: pw }), { verified: true });
  const wrong = `${pw}-nope`;
  gh.sensitive(wrong);
  await expectClerkError(clerk.users.verifyPassword({ userId: alice.id, password: wrong }), 422);
  const nopw = await clerk.users.createUser({ emailAddress: [`nopw.${tag}@example.com`] });
  assert.equal(nopw.passwordEnabled, false);
  await expectClerkError(clerk.users.verifyPassword({ userId: nopw.id, password: wrong }), 400);
});

test('deleteUser returns a DeletedObject; the user is then gone', async () => {
  const victim = await clerk.users.createUser({ emailAddress: [`victim.${tag}@example.com`] });
  const del = await clerk.users.deleteUser(victim.id);
  assertResource(del, 'DeletedObject');
  assert.equal(del.id, victim.id);
  assert.equal(del.deleted, true);
  assert.equal(del.object, 'user');
  const err = await expectClerkError(clerk.users.getUser(victim.id), 404, 'resource_not_found');
  assert.equal(typeof err.errors[0].message, 'string');
  await expectClerkError(clerk.users.deleteUser(victim.id), 404, 'resource_not_found');
  // the freed email can be used again
  const again = await clerk.users.createUser({ emailAddress: [`victim.${tag}@example.com`] });
  assert.notEqual(again.id, victim.id);
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});
