// user_imports.test.mjs: issue 3, "Users, remaining pieces": password digest
// imports (every hasher, with known vectors), MFA material on create
// (totp_secret, backup_codes), disableUserMFA / verifyTOTP, and the extra user
// list filters, through @clerk/backend against Gatehouse (SQLite by default,
// PostgreSQL with GH_TEST_DB=postgres).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, expectClerkError, bapi, metrics, metricSum } from './lib/clerk.mjs';

let gh;
let clerk;
const tag = uniq();
const CH = 'correct horse';

// Known vectors (same sources as tests/unit/test_digest.c).
const VECTORS = [
  ['argon2i', '$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG', 'password'],
  ['argon2id', '$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo', 'password'],
  ['bcrypt', '$2a$04$HJTin.CyzKLxrFEI.m/LKORM8az4myor83Enbo01GE2xbyCxQzNsC', CH],
  ['bcrypt', '$2y$04$S1AvJDXd9pYEfCcmJuVZPeqszxjR0sG3J.68GLei5rJhxXxjr4xzC', CH],
  ['bcrypt_sha256_django', 'bcrypt_sha256$$2b$04$GUp7OlZ8L4Du4Sk7PHaWHOYe/7mAyb2Dx2lQlZ8e2l.MyHHEtImOi', CH],
  ['md5', '3cb4e732631f47e6eb961f34554b7cde', CH],
  ['sha256', '4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631', CH],
  ['pbkdf2_sha256', 'pbkdf2_sha256$1000$AQJzYWx0eWJ5dGVz/w==$Rid0U/kh13XhgJ/yVOanUtkcp0KPwRgAtv4HA0qFsMY=', CH],
  ['pbkdf2_sha256_django', 'pbkdf2_sha256$1200$Xy9zSaltDj$69odNtAG5EApbfAq/lVeCiiueCIYBDis9PZjXo4xAmM=', CH],
  ['pbkdf2_sha1', 'pbkdf2_sha1$1100$sha1salt$c74466a5555cf445a3b9f01049d0a125c968585f', CH],
  ['phpass', '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0', 'test12345'],
  ['md5_phpass', '$H$9abcdEFGH5GPBBbFTYC0.NCHA4okHC.', CH],
  ['scrypt_firebase',
    'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==' +
    '$42xEC+ixf3L2lw==' +
    '$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==' +
    '$Bw==$8$14', 'user1password'],
  ['scrypt_werkzeug',
    'scrypt:1024:8:1$werkzeugSalt1234$eefadb52d158030aa65d530e12fa35615d290fe4e6026c4a802ea2a1663902a3' +
    'e5941e0ab70ca7a7bbda31aa48390beb0e0fe6fbacc48baca43e71be9d840662', CH],
  ['ldap_ssha', '{SSHA}vAjhh+e9YW+Gl8xv5wEgLBBxr+tzc2hh', CH],
];

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** RFC 6238 (SHA-1, 30 s, 6 digits), written here independently of liboath. */
function totp(secretB32, t = Date.now()) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretB32.replace(/=+$/, '')) bits += alpha.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const ctr = Buffer.alloc(8);
  ctr.writeBigUInt64BE(BigInt(Math.floor(t / 1000 / 30)));
  const h = createHmac('sha1', key).update(ctr).digest();
  const o = h[19] & 0xf;
  const n = (h.readUInt32BE(o) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}

async function hashes() {
  return metricSum((await metrics(gh)).series, 'gatehouse_password_hashes_total');
}

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
  gh.sensitive(CH, 'user1password', 'test12345', TOTP_SECRET, ...VECTORS.map((v) => v[1]));
});
after(async () => { if (gh) await gh.cleanup(); });

test('createUser with passwordDigest verifies for every hasher, then rehashes to argon2id', async () => {
  let i = 0;
  for (const [hasher, digest, pw] of VECTORS) {
    i += 1;
    const u = await clerk.users.createUser({
      emailAddress: [`imp${i}.${tag}@example.com`],
      passwordDigest: digest,
      passwordHasher: hasher,
    });
    assert.equal(u.passwordEnabled, true, hasher);
    assert.ok(!JSON.stringify(u.raw).includes(digest.slice(-16)), `${hasher}: digest not echoed`);
    await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password: `${pw}x` }), 422,
      'incorrect_password');
    const before1 = await hashes();
    const r = await clerk.users.verifyPassword({ userId: u.id, password: pw });
    assert.equal(r.verified, true, hasher);
    // The successful check stored a fresh argon2id hash: exactly one hash was made.
    assert.equal(await hashes(), before1 + 1, `${hasher}: rehashed once`);
    const before2 = await hashes();
    assert.equal((await clerk.users.verifyPassword({ userId: u.id, password: pw })).verified, true);
    assert.equal(await hashes(), before2, `${hasher}: the stored hash is now current`);
    await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password: `${pw}x` }), 422,
      'incorrect_password');
  }
});

test('updateUser sets a password digest', async () => {
  const u = await clerk.users.createUser({ emailAddress: [`upd.${tag}@example.com`], skipPasswordRequirement: true });
  assert.equal(u.passwordEnabled, false);
  const v = await clerk.users.updateUser(u.id, { passwordDigest: VECTORS[5][1], passwordHasher: 'md5' });
  assert.equal(v.passwordEnabled, true);
  assert.equal((await clerk.users.verifyPassword({ userId: u.id, password: CH })).verified, true);
  await expectClerkError(clerk.users.updateUser(u.id, { passwordDigest: 'nothex', passwordHasher: 'md5' }),
    422, 'form_param_format_invalid');
});

test('bad digests and hashers are 422 naming the parameter', async () => {
  const cases = [
    [{ passwordDigest: '$2a$10$short', passwordHasher: 'bcrypt' }, 'form_param_format_invalid', 'password_digest'],
    [{ passwordDigest: 'hash$salt', passwordHasher: 'scrypt_firebase' }, 'form_param_format_invalid', 'password_digest'],
    [{ passwordDigest: 'scrypt:16384:8:1$salt$not-hex!', passwordHasher: 'scrypt_werkzeug' }, 'form_param_format_invalid', 'password_digest'],
    [{ passwordDigest: 'argon2id$...', passwordHasher: 'argon2id' }, 'form_param_format_invalid', 'password_digest'],
    [{ passwordDigest: 'abc', passwordHasher: 'awscognito' }, 'form_param_value_invalid', 'password_hasher'],
    [{ passwordDigest: VECTORS[5][1] }, 'form_param_missing', 'password_hasher'],
    [{ passwordHasher: 'md5' }, 'form_param_missing', 'password_digest'],
    [{ passwordDigest: VECTORS[5][1], passwordHasher: 'md5', password: 'Another-password-1' }, 'form_param_format_invalid', 'password_digest'],
  ];
  for (const [params, code, param] of cases) {
    const e = await expectClerkError(clerk.users.createUser({ emailAddress: [`bad.${uniq()}@example.com`], ...params }), 422, code);
    assert.equal(e.errors[0].meta?.paramName, param, JSON.stringify(params));
  }
});

test('totp_secret and backup_codes on create; verifyTOTP; disableUserMFA', async () => {
  const codes = ['abcd1234', 'efgh5678'];
  gh.sensitive(...codes);
  const u = await clerk.users.createUser({
    emailAddress: [`mfa.${tag}@example.com`], skipPasswordRequirement: true,
    totpSecret: TOTP_SECRET, backupCodes: codes,
  });
  assert.equal(u.totpEnabled, true);
  assert.equal(u.backupCodeEnabled, true);
  assert.equal(u.twoFactorEnabled, true);
  assert.ok(!JSON.stringify(u.raw).includes(TOTP_SECRET));

  const ok = await clerk.users.verifyTOTP({ userId: u.id, code: totp(TOTP_SECRET) });
  assert.equal(ok.verified, true);
  assert.equal(ok.code_type, 'totp'); // raw JSON: the SDK types it as {verified, code_type}
  await expectClerkError(clerk.users.verifyTOTP({ userId: u.id, code: '000000' === totp(TOTP_SECRET) ? '111111' : '000000' }), 422);
  const b = await clerk.users.verifyTOTP({ userId: u.id, code: codes[0] });
  assert.equal(b.code_type, 'backup_code');
  await expectClerkError(clerk.users.verifyTOTP({ userId: u.id, code: codes[0] }), 422); // consumed
  assert.equal((await clerk.users.verifyTOTP({ userId: u.id, code: codes[1] })).code_type, 'backup_code');
  assert.equal((await clerk.users.getUser(u.id)).backupCodeEnabled, false, 'last code used');

  const r = await bapi(gh, 'DELETE', `/v1/users/${u.id}/mfa`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { user_id: u.id });
  const after1 = await clerk.users.getUser(u.id);
  assert.equal(after1.totpEnabled, false);
  assert.equal(after1.twoFactorEnabled, false);
  await clerk.users.updateUser(u.id, { backupCodes: ['zzzz9999'] });
  assert.equal((await clerk.users.getUser(u.id)).backupCodeEnabled, true);
  const d = await clerk.users.disableUserMFA(u.id);
  assert.equal(d.user_id ?? d.userId, u.id);
  assert.equal((await clerk.users.getUser(u.id)).twoFactorEnabled, false);
  await expectClerkError(clerk.users.disableUserMFA('user_doesnotexist0000000000000'), 404);
  await expectClerkError(clerk.users.createUser({ emailAddress: [`mfa2.${tag}@example.com`], totpSecret: 'not base32!' }),
    422, 'form_param_format_invalid');
});

test('user list filters: substring queries, time ranges, banned', async () => {
  const t = uniq(3);
  const a = await clerk.users.createUser({
    emailAddress: [`zed.${t}@filters.example.com`], phoneNumber: ['+15005550101'],
    username: `zed_${t}`, firstName: 'Zed', lastName: `Quux${t}`, skipPasswordRequirement: true,
    createdAt: new Date('2020-01-01T00:00:00Z'),
  });
  const b = await clerk.users.createUser({
    emailAddress: [`amy.${t}@filters.example.com`], username: `amy_${t}`, firstName: 'Amy',
    lastName: `Quux${t}`, skipPasswordRequirement: true, createdAt: new Date('2020-06-01T00:00:00Z'),
  });
  await clerk.users.banUser(b.id);
  const ids = (l) => l.data.map((u) => u.id).sort();
  const mine = [a.id, b.id].sort();

  assert.deepEqual(ids(await clerk.users.getUserList({ emailAddressQuery: `.${t}@filters` })), mine);
  assert.deepEqual(ids(await clerk.users.getUserList({ emailAddressQuery: `ZED.${t}` })), [a.id]);
  assert.deepEqual(ids(await clerk.users.getUserList({ phoneNumberQuery: '5550101', usernameQuery: t })), [a.id]);
  assert.deepEqual(ids(await clerk.users.getUserList({ usernameQuery: `amy_${t}` })), [b.id]);
  assert.deepEqual(ids(await clerk.users.getUserList({ nameQuery: `quux${t}` })), mine);
  assert.deepEqual(ids(await clerk.users.getUserList({ nameQuery: `zed quux${t}` })), [a.id]);
  assert.deepEqual(ids(await clerk.users.getUserList({ phoneNumber: ['+15005550101'] })), [a.id]);
  const q = { nameQuery: `quux${t}` };
  assert.deepEqual(ids(await clerk.users.getUserList({ ...q, banned: true })), [b.id]);
  // The SDK drops falsy query values, so banned=false goes raw.
  const nb = await bapi(gh, 'GET', `/v1/users?name_query=quux${t}&banned=false`);
  assert.deepEqual(nb.json.map((u) => u.id), [a.id]);
  const mid = Date.parse('2020-03-01T00:00:00Z');
  assert.deepEqual(ids(await clerk.users.getUserList({ ...q, createdAtBefore: mid })), [a.id]);
  assert.deepEqual(ids(await clerk.users.getUserList({ ...q, createdAtAfter: mid })), [b.id]);
  // nobody here has signed in or been active: the time filters exclude NULLs
  assert.equal((await clerk.users.getUserList({ ...q, lastSignInAtAfter: 1 })).totalCount, 0);
  assert.equal((await clerk.users.getUserList({ ...q, lastActiveAtBefore: Date.now() })).totalCount, 0);
  assert.equal((await clerk.users.getUserList({ ...q, lastActiveAtSince: 1 })).totalCount, 0);
  const list = await clerk.users.getUserList({ ...q, orderBy: '+first_name' });
  assert.deepEqual(list.data.map((u) => u.id), [b.id, a.id]);
  assert.equal(list.totalCount, 2);
  // Every order_by field the spec lists is accepted; where a and b differ
  // the order is checked both ways (b was banned last: newest updated_at).
  const order = async (ob) => (await clerk.users.getUserList({ ...q, orderBy: ob })).data.map((u) => u.id);
  for (const [ob, first] of [['created_at', a], ['updated_at', a], ['email_address', b], ['first_name', b],
    ['username', b]]) {
    const other = first === a ? b : a;
    assert.deepEqual(await order(`+${ob}`), [first.id, other.id], `+${ob}`);
    assert.deepEqual(await order(`-${ob}`), [other.id, first.id], `-${ob}`);
  }
  for (const ob of ['web3wallet', 'last_name', 'phone_number', 'last_active_at', 'last_sign_in_at']) {
    assert.deepEqual((await order(`-${ob}`)).sort(), mine, ob);
  }
  const badOrder = await bapi(gh, 'GET', `/v1/users?order_by=-nope`);
  assert.equal(badOrder.status, 422);
  assert.equal(badOrder.json.errors[0].meta.param_name, 'order_by');
  const c = await bapi(gh, 'GET', `/v1/users/count?name_query=quux${t}&banned=true`);
  assert.deepEqual(c.json, { object: 'total_count', total_count: 1 });
  for (const bad of ['created_at_before=-1', 'last_sign_in_at_after=abc', 'last_active_at_before=1.5']) {
    const r = await bapi(gh, 'GET', `/v1/users?${bad}`);
    assert.equal(r.status, 422, bad);
    assert.equal(r.json.errors[0].code, 'form_param_format_invalid');
  }
});
