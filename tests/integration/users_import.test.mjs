// users_import.test.mjs: issue 7's bulk loader as a user feature: `gatehouse
// users import FILE` (JSON lines, each a POST /v1/users body) and `gatehouse
// users export`, run as admin verbs against a live server's database
// (SQLite by default, PostgreSQL with GH_TEST_DB=postgres), checked through
// @clerk/backend: imported users are real users (identifiers, metadata,
// created_at, password digests that verify), refused lines are reported by
// number without their content, and an export imports back into a fresh
// Gatehouse with working passwords.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq } from './lib/clerk.mjs';

let gh;
let clerk;
const tag = uniq();
const CH = 'correct horse';
const BCRYPT = '$2a$04$HJTin.CyzKLxrFEI.m/LKORM8az4myor83Enbo01GE2xbyCxQzNsC'; // "correct horse"
const ARGON = '$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo'; // "password"
const PLAIN = `Imp-${tag}-pw-9q!`;
const mail = (s) => `${s}.${tag}@example.com`;

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  gh.sensitive(CH, PLAIN, BCRYPT, ARGON);
});
after(async () => { if (gh) await gh.cleanup(); });

/** The import file: [lines, what each line should do]. */
function importLines() {
  const created = Date.UTC(2021, 4, 6, 7, 8, 9);
  return [
    JSON.stringify({ email_address: [mail('ada')], username: `ada${tag}`, first_name: 'Ada', last_name: 'Lovelace',
      external_id: `ext-ada-${tag}`, password_digest: BCRYPT, password_hasher: 'bcrypt',
      public_metadata: { plan: 'pro' }, private_metadata: { crm: 7 }, created_at: created }),
    JSON.stringify({ email_address: mail('bob'), phone_number: ['+15555550142'], password_digest: ARGON,
      password_hasher: 'argon2id' }),
    '',
    JSON.stringify({ email_address: [mail('cy')], password: PLAIN, banned: true }),
    '{"email_address": [', // 5: not JSON
    JSON.stringify({ email_address: [mail('ada')] }), // 6: taken by line 1 (same batch)
    JSON.stringify({ email_address: [mail('pre')] }), // 7: taken by a user made over the API
    JSON.stringify({ email_address: ['not-an-email'] }), // 8: invalid
    JSON.stringify({ email_address: [mail('dig')], password_digest: 'abc', password_hasher: 'awscognito' }), // 9
    JSON.stringify([mail('arr')]), // 10: not an object
    JSON.stringify({ email_address: [mail('dup1')], username: `bob${tag}`, password_digest: BCRYPT, password_hasher: 'bcrypt' }),
    JSON.stringify({ email_address: [mail('dup2')], username: `bob${tag}` }), // 12: username taken by line 11 (an earlier batch)
  ];
}

test('users import: valid lines become users, refused lines are reported by number', async () => {
  await clerk.users.createUser({ emailAddress: [mail('pre')], skipPasswordRequirement: true });
  const file = join(gh.dir, 'users.jsonl');
  await writeFile(file, importLines().join('\n') + '\n');
  const r = await gh.admin(['users', 'import', file, '--batch', '4']);
  assert.equal(r.code, 1, `exit 1 when lines were refused; stderr:\n${r.stderr}`);
  const err = r.stderr;
  assert.match(err, /^line 5: the line is not valid JSON$/m);
  assert.match(err, /^line 6: email_address: That email address is taken\. Please try another\.$/m);
  assert.match(err, /^line 7: email_address: That email address is taken/m);
  assert.match(err, /^line 8: email_address: /m);
  assert.match(err, /^line 9: password_hasher: /m);
  assert.match(err, /^line 10: the line must be a JSON object$/m);
  assert.match(err, /^line 12: username: That username is taken/m);
  assert.doesNotMatch(err, /^line (1|2|4|11):/m);
  assert.match(err, /imported 4 users from 11 lines \(7 refused\)/);
  assert.match(err, /^import: 100%/m, 'progress lines when stderr is not a terminal');

  const [ada] = (await clerk.users.getUserList({ emailAddress: [mail('ada')] })).data;
  assert.ok(ada, 'ada imported');
  assert.equal(ada.firstName, 'Ada');
  assert.equal(ada.username, `ada${tag}`);
  assert.equal(ada.externalId, `ext-ada-${tag}`);
  assert.deepEqual(ada.publicMetadata, { plan: 'pro' });
  assert.deepEqual(ada.privateMetadata, { crm: 7 });
  assert.equal(ada.createdAt, Date.UTC(2021, 4, 6, 7, 8, 9));
  assert.equal(ada.passwordEnabled, true);
  assert.equal(ada.emailAddresses[0].verification?.status, 'verified');
  assert.equal(ada.primaryEmailAddressId, ada.emailAddresses[0].id);
  assert.deepEqual(await clerk.users.verifyPassword({ userId: ada.id, password: CH }), { verified: true });

  const [bob] = (await clerk.users.getUserList({ phoneNumber: ['+15555550142'] })).data;
  assert.equal(bob.emailAddresses[0].emailAddress, mail('bob'));
  assert.deepEqual(await clerk.users.verifyPassword({ userId: bob.id, password: 'password' }), { verified: true });

  const [cy] = (await clerk.users.getUserList({ emailAddress: [mail('cy')] })).data;
  assert.equal(cy.banned, true);
  assert.deepEqual(await clerk.users.verifyPassword({ userId: cy.id, password: PLAIN }), { verified: true });

  const [dup1] = (await clerk.users.getUserList({ emailAddress: [mail('dup1')] })).data;
  assert.equal(dup1.username, `bob${tag}`);
  for (const gone of ['dup2', 'dig', 'arr']) {
    assert.equal((await clerk.users.getUserList({ emailAddress: [mail(gone)] })).totalCount, 0, gone);
  }
});

test('users import: usage errors and an unreadable file', async () => {
  const r1 = await gh.admin(['users', 'import']);
  assert.equal(r1.code, 2);
  const r2 = await gh.admin(['users', 'import', join(gh.dir, 'missing.jsonl')]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /cannot open/);
  const r3 = await gh.admin(['users', 'import', join(gh.dir, 'x.jsonl'), '--batch', '0']);
  assert.equal(r3.code, 2);
  const empty = join(gh.dir, 'empty.jsonl');
  await writeFile(empty, '\n\n');
  const r4 = await gh.admin(['users', 'import', empty, '--quiet']);
  assert.equal(r4.code, 0, r4.stderr);
  assert.match(r4.stderr, /imported 0 users from 0 lines \(0 refused\)/);
  assert.doesNotMatch(r4.stderr, /^import:/m);
});

test('users export writes every user as an import line; it imports back with working passwords', async () => {
  const out = join(gh.dir, 'export.jsonl');
  const r = await gh.admin(['users', 'export', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(out)).mode & 0o777, 0o600, 'the export holds digests: owner-only');
  const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const total = (await clerk.users.getUserList({ limit: 1 })).totalCount;
  assert.equal(lines.length, total);
  assert.match(r.stderr, new RegExp(`exported ${total} users`));
  const ada = lines.find((l) => l.email_address.includes(mail('ada')));
  assert.equal(ada.password_hasher, 'argon2id', 'rehashed by its first verification');
  assert.deepEqual(ada.private_metadata, { crm: 7 });
  const dup1 = lines.find((l) => l.email_address.includes(mail('dup1')));
  assert.equal(dup1.password_hasher, 'bcrypt', 'an imported digest never used exports as given');
  assert.equal(dup1.password_digest, BCRYPT);
  const cy = lines.find((l) => l.email_address.includes(mail('cy')));
  assert.equal(cy.password_hasher, 'argon2id', 'native hashes export as argon2id digests');
  assert.equal(cy.banned, true);

  const gh2 = await startGatehouse();
  try {
    const r2 = await gh2.admin(['users', 'import', out]);
    assert.equal(r2.code, 0, r2.stderr);
    const clerk2 = clerkFor(gh2);
    assert.equal((await clerk2.users.getUserList({ limit: 1 })).totalCount, total);
    const [cy2] = (await clerk2.users.getUserList({ emailAddress: [mail('cy')] })).data;
    assert.deepEqual(await clerk2.users.verifyPassword({ userId: cy2.id, password: PLAIN }), { verified: true });
    const [ada2] = (await clerk2.users.getUserList({ emailAddress: [mail('ada')] })).data;
    assert.equal(ada2.createdAt, Date.UTC(2021, 4, 6, 7, 8, 9));
    assert.deepEqual(await clerk2.users.verifyPassword({ userId: ada2.id, password: CH }), { verified: true });
    const [dup2] = (await clerk2.users.getUserList({ emailAddress: [mail('dup1')] })).data;
    assert.deepEqual(await clerk2.users.verifyPassword({ userId: dup2.id, password: CH }), { verified: true });
    gh2.sensitive(CH, PLAIN, BCRYPT, ARGON);
    await gh2.close();
  } finally {
    await gh2.cleanup();
  }
});

test('no line content reaches the logs', async () => {
  await gh.close();
  gh = null;
});
