// email_addresses.test.mjs: clerk.emailAddresses.* against Gatehouse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, expectClerkError, assertResource } from './lib/clerk.mjs';

let gh;
let clerk;
let user;
let second;
const tag = uniq();

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  user = await clerk.users.createUser({ emailAddress: [`first.${tag}@example.com`], firstName: 'Em' });
});
after(async () => { if (gh) await gh.cleanup(); });

test('createEmailAddress adds a second, verified address', async () => {
  second = await clerk.emailAddresses.createEmailAddress({
    userId: user.id, emailAddress: `second.${tag}@example.com`, verified: true,
  });
  assertResource(second, 'EmailAddress');
  assert.match(second.id, /^idn_[A-Za-z0-9]+$/);
  assert.equal(second.emailAddress, `second.${tag}@example.com`);
  assert.equal(second.verification?.status, 'verified');
  assert.ok(Array.isArray(second.linkedTo));
  const u = await clerk.users.getUser(user.id);
  assert.equal(u.emailAddresses.length, 2);
  assert.equal(u.primaryEmailAddress?.emailAddress, `first.${tag}@example.com`, 'primary unchanged');
});

test('createEmailAddress rejects a taken address and an unknown user', async () => {
  await expectClerkError(clerk.emailAddresses.createEmailAddress({
    userId: user.id, emailAddress: `first.${tag}@example.com`,
  }), 422, 'form_identifier_exists');
  await expectClerkError(clerk.emailAddresses.createEmailAddress({
    userId: 'user_doesnotexist000000000000', emailAddress: `ghost.${tag}@example.com`,
  }), 404, 'resource_not_found');
});

test('getEmailAddress', async () => {
  const e = await clerk.emailAddresses.getEmailAddress(second.id);
  assert.equal(e.id, second.id);
  assert.equal(e.emailAddress, second.emailAddress);
  await expectClerkError(clerk.emailAddresses.getEmailAddress('idn_doesnotexist00000000000'), 404, 'resource_not_found');
});

test('updateEmailAddress primary switches the user primary', async () => {
  const e = await clerk.emailAddresses.updateEmailAddress(second.id, { primary: true });
  assert.equal(e.id, second.id);
  const u = await clerk.users.getUser(user.id);
  assert.equal(u.primaryEmailAddressId, second.id);
  assert.equal(u.primaryEmailAddress?.emailAddress, `second.${tag}@example.com`);
});

test('deleteEmailAddress returns a DeletedObject', async () => {
  const first = (await clerk.users.getUser(user.id)).emailAddresses.find((x) => x.id !== second.id);
  const del = await clerk.emailAddresses.deleteEmailAddress(first.id);
  assertResource(del, 'DeletedObject');
  assert.equal(del.id, first.id);
  assert.equal(del.deleted, true);
  assert.equal(del.object, 'email_address');
  const u = await clerk.users.getUser(user.id);
  assert.deepEqual(u.emailAddresses.map((x) => x.id), [second.id]);
  assert.equal(u.primaryEmailAddressId, second.id);
  await expectClerkError(clerk.emailAddresses.getEmailAddress(first.id), 404, 'resource_not_found');
  // the freed address is usable again, and is findable by the user list filter
  const other = await clerk.users.createUser({ emailAddress: [`first.${tag}@example.com`] });
  const found = await clerk.users.getUserList({ emailAddress: [`first.${tag}@example.com`] });
  assert.deepEqual(found.data.map((x) => x.id), [other.id]);
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});
