// fapi_me.test.mjs: issue 4, the Frontend API's /v1/me routes behind
// <UserButton/> and <UserProfile/> (spec FAPI §3.5, §3.8, §4.7, §4.8, §4.10),
// driven over HTTP as clerk-js drives them (form bodies, _method, the
// __client cookie, an Origin header, _clerk_session_id). Users are made with
// @clerk/backend; browsers sign in through POST /v1/client/sign_ins. Every
// mutation must carry the full current client, and the tests check that the
// piggybacked client shows each change. SQLite by default, PostgreSQL with
// GH_TEST_DB=postgres.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { verifyToken } from '@clerk/backend';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, strongPassword, bapi } from './lib/clerk.mjs';
import { FapiClient, codeFromLog } from './lib/fapi.mjs';
import { Receiver, createEndpoint } from './lib/receiver.mjs';

const ORIGIN = 'http://localhost:3000';
const UA_CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 ' +
  '(KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36';
const UA_FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0';
const TEST_CODE = '424242'; // +clerk_test addresses of a development instance

let gh;
let clerk;
const tag = uniq();
const email = (n) => `me.${n}.${tag}@example.com`;
const testEmail = (n) => `me.${n}.${tag}+clerk_test@example.com`;

const rcv = new Receiver(); // webhooks: the events these changes emit through core

before(async () => {
  await rcv.start();
  gh = await startGatehouse({ env: { GATEHOUSE_WEBHOOK_TIME_SCALE: '0.001' } });
  clerk = clerkFor(gh);
  const ep = await createEndpoint(gh, { url: rcv.url() });
  rcv.secrets = [ep.secret];
});

after(async () => {
  await rcv.stop();
  if (gh) await gh.close();
});

/** A FapiClient that sends a browser's User-Agent on every request. */
class Browser extends FapiClient {
  constructor(ua = UA_CHROME_MAC) {
    super(gh, { origin: ORIGIN });
    this.ua = ua;
  }

  raw(method, path, body, query = {}, headers = {}) {
    return super.raw(method, path, body, query, { 'User-Agent': this.ua, ...headers });
  }
}

/** RFC 6238 (SHA-1, 30 s, 6 digits) with node:crypto, independent of liboath. */
function totp(secretB32, t = Date.now()) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretB32.replace(/=+$/, '')) bits += alpha.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const ctr = Buffer.alloc(8);
  ctr.writeBigUInt64BE(BigInt(Math.floor(t / 1000 / 30)));
  const h = createHmac('sha1', key).update(ctr).digest();
  const o = h[19] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/** verification_attempts_remaining as the Backend API answers it (the SDK drops it). */
async function attemptsLeft(userId) {
  const r = await bapi(gh, 'GET', `/v1/users/${userId}`);
  assert.equal(r.status, 200, r.text);
  return r.json.verification_attempts_remaining;
}

async function makeUser(addr, extra = {}) {
  const password = strongPassword();
  gh.sensitive(password);
  const user = await clerk.users.createUser({ emailAddress: [addr], password, ...extra });
  return { user, password };
}

/** Signs b in with identifier then password, then touches the session as
 * clerk-js's setActive does. Returns the session id. */
async function signIn(b, identifier, password) {
  const si = (await b.post('/client/sign_ins', { identifier, locale: 'en-US' })).response;
  let done = si;
  if (si.status !== 'complete') {
    done = (await b.post(`/client/sign_ins/${si.id}/attempt_first_factor`,
      { strategy: 'password', password })).response;
  }
  assert.equal(done.status, 'complete', JSON.stringify(done));
  const sid = done.created_session_id;
  await b.post(`/client/sessions/${sid}/touch`, { active_organization_id: '', intent: 'select_session' });
  b.useSession(sid);
  return sid;
}

/** A new browser signed in as a new user: {b, user, password, sid}. */
async function signedIn(name, extra = {}, ua = UA_CHROME_MAC) {
  const { user, password } = await makeUser(email(name), extra);
  const b = new Browser(ua);
  const sid = await signIn(b, email(name), password);
  return { b, user, password, sid };
}

/** The user inside the piggybacked client (the session's user). */
function clientUser(env, sid) {
  assert.ok(env.client, `no client in ${JSON.stringify(env).slice(0, 300)}`);
  const s = env.client.sessions.find((x) => x.id === sid);
  assert.ok(s, `session ${sid} not in the client`);
  return s.user;
}

function expectError(e, code, param) {
  assert.equal(e.code, code, JSON.stringify(e));
  if (param !== undefined) assert.equal(e.meta?.param_name, param, JSON.stringify(e));
}

test('GET /v1/me: the user with the client; no session or another client\'s session is signed_out', async () => {
  const { b, user, sid } = await signedIn('get', { firstName: 'Gia', privateMetadata: { secret: 1 } });
  const r = await b.get('/me');
  const u = r.response;
  assert.equal(u.object, 'user');
  assert.equal(u.id, user.id);
  assert.equal(u.first_name, 'Gia');
  assert.equal(u.password_enabled, true);
  assert.equal(u.totp_enabled, false);
  assert.equal(u.backup_code_enabled, false);
  assert.equal(u.two_factor_enabled, false);
  assert.equal(u.delete_self_enabled, true);
  assert.ok(!('private_metadata' in u), 'private metadata never reaches a browser');
  assert.deepEqual(u.organization_memberships, []);
  assert.match(u.image_url, /^http/);
  assert.equal(u.email_addresses.length, 1);
  const e = u.email_addresses[0];
  assert.equal(u.primary_email_address_id, e.id);
  assert.equal(e.object, 'email_address');
  assert.equal(e.email_address, email('get'));
  assert.equal(e.verification.status, 'verified');
  assert.deepEqual(e.linked_to, []);
  assert.equal(clientUser(r, sid).id, user.id);

  // No client at all, or a session id that belongs to another browser: 401 signed_out.
  const stranger = new Browser();
  stranger.useSession(sid);
  expectError(await stranger.fail('GET', '/me', undefined, 401), 'signed_out');
  const other = await signedIn('get2');
  other.b.useSession(sid);
  expectError(await other.b.fail('GET', '/me', undefined, 401), 'signed_out');
  expectError(await other.b.fail('PATCH', '/me', { first_name: 'X' }, 401), 'signed_out');
  assert.equal((await clerk.users.getUser(user.id)).firstName, 'Gia');
});

test('PATCH /v1/me and /v1/me/metadata: names, username, metadata; errors name their field', async () => {
  const { b, user, sid } = await signedIn('patch', { firstName: 'Pat', lastName: 'Old' });
  const r = await b.patch('/me', { first_name: 'Patricia', last_name: '', username: `pat_${tag}`,
    unsafe_metadata: { theme: 'dark', keep: 1 }, ignored_param: 'x' });
  assert.equal(r.response.first_name, 'Patricia');
  assert.equal(r.response.last_name, null);
  assert.equal(r.response.username, `pat_${tag}`);
  assert.deepEqual(r.response.unsafe_metadata, { theme: 'dark', keep: 1 });
  const cu = clientUser(r, sid);
  assert.equal(cu.first_name, 'Patricia');
  assert.equal(cu.username, `pat_${tag}`);

  const m = await b.patch('/me/metadata', { unsafe_metadata: { theme: null, extra: { a: 1 } } });
  assert.deepEqual(m.response.unsafe_metadata, { keep: 1, extra: { a: 1 } });
  assert.deepEqual(clientUser(m, sid).unsafe_metadata, { keep: 1, extra: { a: 1 } });
  const back = await clerk.users.getUser(user.id);
  assert.equal(back.firstName, 'Patricia');
  assert.deepEqual(back.unsafeMetadata, { keep: 1, extra: { a: 1 } });

  expectError(await b.fail('PATCH', '/me', { username: 'ab' }, 422), 'form_username_invalid_length', 'username');
  const other = await makeUser(email('patch-other'), { username: `taken_${tag}` });
  assert.ok(other.user.id);
  expectError(await b.fail('PATCH', '/me', { username: `taken_${tag}` }, 422), 'form_identifier_exists', 'username');
  expectError(await b.fail('PATCH', '/me', { unsafe_metadata: '[1]' }, 422), 'form_param_format_invalid', 'unsafe_metadata');
  expectError(await b.fail('PATCH', '/me/metadata', { unsafe_metadata: 'nope' }, 422), 'form_param_format_invalid', 'unsafe_metadata');
  expectError(await b.fail('PATCH', '/me', { primary_email_address_id: 'idn_nope' }, 422),
    'form_param_value_invalid', 'primary_email_address_id');
});

test('email addresses: add, prepare, wrong and right code, make primary, remove', async () => {
  const { b, user, sid } = await signedIn('mail');
  const primaryId = user.primaryEmailAddressId;
  const addr = testEmail('added');
  const c = await b.post('/me/email_addresses', { email_address: addr.toUpperCase() });
  const e = c.response;
  assert.equal(e.object, 'email_address');
  assert.equal(e.email_address, addr, 'normalised to lower case');
  assert.equal(e.verification, null, 'nothing prepared yet');
  const listed = clientUser(c, sid).email_addresses.find((x) => x.id === e.id);
  assert.ok(listed, 'the client shows the new address');
  assert.equal(clientUser(c, sid).primary_email_address_id, primaryId, 'an added address is not primary');

  // Taken (by anyone) and malformed addresses.
  const other = await makeUser(email('mail-other'));
  assert.ok(other.user.id);
  expectError(await b.fail('POST', '/me/email_addresses', { email_address: email('mail-other') }, 422),
    'form_identifier_exists', 'email_address');
  expectError(await b.fail('POST', '/me/email_addresses', { email_address: 'not-an-email' }, 422),
    'form_param_format_invalid', 'email_address');
  expectError(await b.fail('POST', '/me/email_addresses', {}, 422), 'form_param_missing', 'email_address');

  // An unverified address cannot become primary.
  expectError(await b.fail('PATCH', '/me', { primary_email_address_id: e.id }, 422),
    'form_param_value_invalid', 'primary_email_address_id');
  // Verifying before any code was sent, and unknown strategies.
  expectError(await b.fail('POST', `/me/email_addresses/${e.id}/attempt_verification`, { code: TEST_CODE }, 422),
    'verification_missing');
  expectError(await b.fail('POST', `/me/email_addresses/${e.id}/prepare_verification`, { strategy: 'email_link' }, 422),
    'form_param_value_invalid', 'strategy');

  const p = await b.post(`/me/email_addresses/${e.id}/prepare_verification`, { strategy: 'email_code' });
  assert.equal(p.response.verification.status, 'unverified');
  assert.equal(p.response.verification.strategy, 'email_code');
  assert.equal(p.response.verification.attempts, 0);
  assert.ok(p.response.verification.expire_at > Date.now());
  assert.equal(clientUser(p, sid).email_addresses.find((x) => x.id === e.id).verification.strategy, 'email_code');
  expectError(await b.fail('POST', `/me/email_addresses/${e.id}/prepare_verification`, { strategy: 'email_code' }, 429),
    'too_many_requests');

  expectError(await b.fail('POST', `/me/email_addresses/${e.id}/attempt_verification`, { code: '000000' }, 422),
    'form_code_incorrect', 'code');
  const g = await b.get(`/me/email_addresses/${e.id}`);
  assert.equal(g.response.verification.attempts, 1);
  const v = await b.post(`/me/email_addresses/${e.id}/attempt_verification`, { code: TEST_CODE });
  assert.equal(v.response.verification.status, 'verified');
  assert.equal(v.response.verification.strategy, 'email_code');
  assert.equal(clientUser(v, sid).email_addresses.find((x) => x.id === e.id).verification.status, 'verified');

  // Verified: it may become primary; the primary cannot be removed; the old one can.
  const pr = await b.patch('/me', { primary_email_address_id: e.id });
  assert.equal(pr.response.primary_email_address_id, e.id);
  assert.equal(clientUser(pr, sid).primary_email_address_id, e.id);
  expectError(await b.fail('DELETE', `/me/email_addresses/${e.id}`, undefined, 400), 'bad_request');
  const d = await b.del(`/me/email_addresses/${primaryId}`);
  assert.deepEqual(d.response, { object: 'email_address', id: primaryId, deleted: true });
  assert.deepEqual(clientUser(d, sid).email_addresses.map((x) => x.id), [e.id]);
  const back = await clerk.users.getUser(user.id);
  assert.equal(back.primaryEmailAddressId, e.id);
  assert.equal(back.emailAddresses[0].verification.status, 'verified');

  // Someone else's address is not found, whichever route asks.
  const theirs = other.user.emailAddresses[0].id;
  expectError(await b.fail('GET', `/me/email_addresses/${theirs}`, undefined, 404), 'resource_not_found');
  expectError(await b.fail('DELETE', `/me/email_addresses/${theirs}`, undefined, 404), 'resource_not_found');
  expectError(await b.fail('POST', `/me/email_addresses/${theirs}/prepare_verification`, { strategy: 'email_code' }, 404),
    'resource_not_found');
  assert.equal((await clerk.users.getUser(other.user.id)).emailAddresses.length, 1);
});

test('email verification: the emailed code, and racing wrong guesses cannot pass the attempt limit', async () => {
  const { b, sid } = await signedIn('race');
  const addr = email('race-added');
  const e = (await b.post('/me/email_addresses', { email_address: addr })).response;
  let from = gh.logs().length;
  await b.post(`/me/email_addresses/${e.id}/prepare_verification`, { strategy: 'email_code' });
  const code = await codeFromLog(gh, addr, { from });
  const wrong = code === '111111' ? '222222' : '111111';

  // Ten wrong guesses at once: at most five are compared (each counted before
  // the comparison), the rest are refused as failed.
  const rs = await Promise.all(Array.from({ length: 10 }, () =>
    b.raw('POST', `/me/email_addresses/${e.id}/attempt_verification`, { code: wrong })));
  const codes = rs.map((r) => r.body.errors?.[0]?.code);
  assert.ok(rs.every((r) => r.status === 422), JSON.stringify(codes));
  assert.ok(codes.filter((c) => c === 'form_code_incorrect').length <= 5, JSON.stringify(codes));
  assert.equal(codes.filter((c) => c === 'form_code_incorrect').length + codes.filter((c) => c === 'verification_failed').length, 10);
  // The right code no longer helps; the address shows failed.
  expectError(await b.fail('POST', `/me/email_addresses/${e.id}/attempt_verification`, { code }, 422),
    'verification_failed', 'code');
  const g = await b.get(`/me/email_addresses/${e.id}`);
  assert.equal(g.response.verification.status, 'failed');
  assert.equal(clientUser(g, sid).email_addresses.find((x) => x.id === e.id).verification.status, 'failed');

  // A new code (after the resend cooldown would be the UI's job; here a second address) works.
  const addr2 = email('race-second');
  const e2 = (await b.post('/me/email_addresses', { email_address: addr2 })).response;
  from = gh.logs().length;
  await b.post(`/me/email_addresses/${e2.id}/prepare_verification`, { strategy: 'email_code' });
  const code2 = await codeFromLog(gh, addr2, { from });
  const ok = await b.post(`/me/email_addresses/${e2.id}/attempt_verification`, { code: code2 });
  assert.equal(ok.response.verification.status, 'verified');
  // The emailed code works once: the address is verified, a repeat changes nothing.
  const again = await b.post(`/me/email_addresses/${e2.id}/attempt_verification`, { code: code2 });
  assert.equal(again.response.verification.status, 'verified');
});

test('active sessions: bare list with activity; revoking another session stops its token minting', async () => {
  const { user, password } = await makeUser(email('devices'));
  const mac = new Browser(UA_CHROME_MAC);
  const phone = new Browser(UA_FIREFOX_ANDROID);
  const sidMac = await signIn(mac, email('devices'), password);
  const sidPhone = await signIn(phone, email('devices'), password);

  const list = await mac.get('/me/sessions/active');
  assert.ok(Array.isArray(list), 'a bare array, no envelope');
  assert.deepEqual(list.map((s) => s.id).sort(), [sidMac, sidPhone].sort());
  const m = list.find((s) => s.id === sidMac);
  assert.equal(m.object, 'session');
  assert.equal(m.status, 'active');
  assert.equal(m.user, null);
  assert.equal(typeof m.last_active_at, 'number');
  assert.equal(m.latest_activity.object, 'session_activity');
  assert.equal(typeof m.latest_activity.id, 'string');
  assert.equal(m.latest_activity.browser_name, 'Chrome');
  assert.equal(m.latest_activity.browser_version, '120.0.6099.71');
  assert.equal(m.latest_activity.device_type, 'Macintosh');
  assert.equal(m.latest_activity.is_mobile, false);
  assert.equal(m.latest_activity.ip_address, '127.0.0.1');
  assert.ok('city' in m.latest_activity && 'country' in m.latest_activity);
  const ph = list.find((s) => s.id === sidPhone).latest_activity;
  assert.equal(ph.browser_name, 'Firefox');
  assert.equal(ph.device_type, 'Android');
  assert.equal(ph.is_mobile, true);

  // The phone's token works until the Mac revokes its session.
  const before = await phone.post(`/client/sessions/${sidPhone}/tokens`, {});
  assert.equal((await verifyToken(before.jwt, { secretKey: gh.secretKey, apiUrl: gh.apiUrl })).sid, sidPhone);
  const rv = await mac.post(`/me/sessions/${sidPhone}/revoke`, {});
  assert.equal(rv.response.id, sidPhone);
  assert.equal(rv.response.status, 'revoked');
  assert.equal(rv.response.latest_activity.object, 'session_activity');
  assert.deepEqual(rv.client.sessions.map((s) => s.id), [sidMac], 'the Mac\'s own client is unchanged');
  expectError(await phone.fail('POST', `/client/sessions/${sidPhone}/tokens`, {}, 401), 'signed_out');
  assert.deepEqual((await phone.client()).sessions, []);
  assert.equal((await clerk.sessions.getSession(sidPhone)).status, 'revoked');
  assert.deepEqual((await mac.get('/me/sessions/active')).map((s) => s.id), [sidMac]);

  // Another user's session is not found; an unknown one neither.
  const stranger = await signedIn('devices-other');
  expectError(await mac.fail('POST', `/me/sessions/${stranger.sid}/revoke`, {}, 404), 'resource_not_found');
  expectError(await mac.fail('POST', '/me/sessions/sess_nope/revoke', {}, 404), 'resource_not_found');
  assert.equal((await clerk.sessions.getSession(stranger.sid)).status, 'active');
  assert.equal(user.id, (await mac.get('/me')).response.id);
});

test('change password: current password checked, others signed out, old password refused at sign-in', async () => {
  const { user, password } = await makeUser(email('pw'));
  const b = new Browser();
  const sid = await signIn(b, email('pw'), password);
  const other = new Browser(UA_FIREFOX_ANDROID);
  const sidOther = await signIn(other, email('pw'), password);
  const next = strongPassword();
  gh.sensitive(next);

  const fresh0 = await attemptsLeft(user.id);
  expectError(await b.fail('POST', '/me/change_password', { new_password: next, current_password: 'wrong-password-1' }, 422),
    'form_password_incorrect', 'current_password');
  assert.equal(await attemptsLeft(user.id), fresh0 - 1,
    'a wrong current password counts toward the lockout');
  expectError(await b.fail('POST', '/me/change_password', { new_password: next }, 422),
    'form_param_missing', 'current_password');
  expectError(await b.fail('POST', '/me/change_password', { new_password: 'short', current_password: password }, 422),
    'form_password_length_too_short', 'new_password');
  expectError(await b.fail('POST', '/me/change_password', { current_password: password }, 422),
    'form_param_missing', 'new_password');
  // Nothing changed so far: the other browser is still signed in.
  await other.post(`/client/sessions/${sidOther}/tokens`, {});

  const r = await b.post('/me/change_password',
    { new_password: next, current_password: password, sign_out_of_other_sessions: 'true' });
  assert.equal(r.response.id, user.id);
  assert.equal(r.response.password_enabled, true);
  assert.deepEqual(r.client.sessions.map((s) => s.id), [sid], 'this browser stays signed in');
  assert.equal(await attemptsLeft(user.id), fresh0, 'and a right one clears it');
  await b.post(`/client/sessions/${sid}/tokens`, {});
  expectError(await other.fail('POST', `/client/sessions/${sidOther}/tokens`, {}, 401), 'signed_out');
  assert.equal((await clerk.sessions.getSession(sidOther)).status, 'revoked');

  // Sign-in: the old password is refused, the new one works.
  const fresh = new Browser();
  const si = (await fresh.post('/client/sign_ins', { identifier: email('pw') })).response;
  expectError(await fresh.fail('POST', `/client/sign_ins/${si.id}/attempt_first_factor`,
    { strategy: 'password', password }, 422), 'form_password_incorrect', 'password');
  await signIn(new Browser(), email('pw'), next);
  assert.equal((await clerk.users.verifyPassword({ userId: user.id, password: next })).verified, true);
});

test('TOTP enrolment: secret and URI, wrong then right code, backup codes, sign-in asks for it, removal', async () => {
  const { b, user, password, sid } = await signedIn('totp');
  const c = await b.post('/me/totp', {});
  const t = c.response;
  assert.equal(t.object, 'totp');
  assert.match(t.id, /^totp_/);
  assert.equal(t.verified, false);
  assert.match(t.secret, /^[A-Z2-7]{32}$/);
  gh.sensitive(t.secret);
  const uri = new URL(t.uri);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname.slice(1)).split(':')[1], email('totp'));
  assert.equal(uri.searchParams.get('secret'), t.secret);
  assert.ok(uri.searchParams.get('issuer'));
  assert.equal(clientUser(c, sid).totp_enabled, false, 'not on before the first code');

  expectError(await b.fail('POST', '/me/totp/attempt_verification', { code: '123' }, 422), 'form_code_incorrect', 'code');
  const wrong = totp(t.secret, Date.now() + 10 * 60 * 1000);
  expectError(await b.fail('POST', '/me/totp/attempt_verification', { code: wrong }, 422), 'form_code_incorrect', 'code');
  const v = await b.post('/me/totp/attempt_verification', { code: totp(t.secret) });
  assert.equal(v.response.verified, true);
  assert.equal(v.response.id, t.id);
  assert.ok(!('secret' in v.response), 'the secret is shown once');
  const codes = v.response.backup_codes;
  assert.equal(codes.length, 10);
  assert.ok(codes.every((x) => /^[a-z0-9]{8}$/.test(x)));
  gh.sensitive(...codes);
  const cu = clientUser(v, sid);
  assert.equal(cu.totp_enabled, true);
  assert.equal(cu.backup_code_enabled, true);
  assert.equal(cu.two_factor_enabled, true);
  expectError(await b.fail('POST', '/me/totp', {}, 400), 'bad_request');

  // A fresh sign-in now needs the second factor, and a computed code passes it.
  const fresh = new Browser();
  const si = (await fresh.post('/client/sign_ins', { identifier: email('totp') })).response;
  const mid = (await fresh.post(`/client/sign_ins/${si.id}/attempt_first_factor`,
    { strategy: 'password', password })).response;
  assert.equal(mid.status, 'needs_second_factor');
  assert.ok(mid.supported_second_factors.some((f) => f.strategy === 'totp'));
  const done = (await fresh.post(`/client/sign_ins/${si.id}/attempt_second_factor`,
    { strategy: 'totp', code: totp(t.secret) })).response;
  assert.equal(done.status, 'complete');

  // New backup codes replace the old ones.
  const bc = await b.post('/me/backup_codes', {});
  assert.equal(bc.response.object, 'backup_code');
  assert.equal(bc.response.codes.length, 10);
  gh.sensitive(...bc.response.codes);
  assert.ok(bc.response.codes.every((x) => !codes.includes(x)));
  assert.equal((await clerk.users.verifyTOTP({ userId: user.id, code: bc.response.codes[0] })).code_type, 'backup_code');
  await assert.rejects(clerk.users.verifyTOTP({ userId: user.id, code: codes[0] }));

  const d = await b.del('/me/totp');
  assert.deepEqual(d.response, { object: 'totp', id: t.id, deleted: true });
  const after = clientUser(d, sid);
  assert.equal(after.totp_enabled, false);
  assert.equal(after.backup_code_enabled, false);
  assert.equal(after.two_factor_enabled, false);
  expectError(await b.fail('DELETE', '/me/totp', undefined, 404), 'resource_not_found');
  expectError(await b.fail('POST', '/me/backup_codes', {}, 400), 'bad_request');
  expectError(await b.fail('POST', '/me/totp/attempt_verification', { code: totp(t.secret) }, 422), 'verification_missing');
});

test('DELETE /v1/me: refused when self-deletion is off; otherwise the user and its sessions go', async () => {
  const kept = await signedIn('del-off');
  await clerk.users.updateUser(kept.user.id, { deleteSelfEnabled: false });
  expectError(await kept.b.fail('DELETE', '/me', undefined, 403), 'not_allowed_access');
  assert.equal((await clerk.users.getUser(kept.user.id)).id, kept.user.id);

  const { b, user, sid } = await signedIn('del');
  const r = await b.del('/me');
  assert.deepEqual(r.response, { object: 'user', id: user.id, deleted: true });
  assert.deepEqual(r.client.sessions, [], 'the piggybacked client is signed out');
  assert.equal(r.client.last_active_session_id, null);
  const res = await bapi(gh, 'GET', `/v1/users/${user.id}`);
  assert.equal(res.status, 404);
  expectError(await b.fail('POST', `/client/sessions/${sid}/tokens`, {}, 401), 'signed_out');
  expectError(await b.fail('GET', '/me', undefined, 401), 'signed_out');
});

test('profile images are refused with a Clerk error; mutations from another origin are refused', async () => {
  const { b } = await signedIn('img');
  expectError(await b.fail('POST', '/me/profile_image', {}, 403), 'feature_not_enabled');
  expectError(await b.fail('DELETE', '/me/profile_image', undefined, 403), 'feature_not_enabled');
  const evil = new Browser();
  evil.cookies = b.cookies;
  evil.sessionId = b.sessionId;
  evil.origin = 'http://evil.example';
  expectError(await evil.fail('PATCH', '/me', { first_name: 'Evil' }, 403), 'origin_invalid');
});

test('webhooks: profile and address changes are user.updated, revoke is session.revoked, DELETE /me is user.deleted', async () => {
  const { user, password } = await makeUser(email('hooks'));
  const b = new Browser();
  await signIn(b, email('hooks'), password);
  const other = new Browser(UA_FIREFOX_ANDROID);
  const sidOther = await signIn(other, email('hooks'), password);
  await b.patch('/me', { first_name: 'Hooked' });
  const e = (await b.post('/me/email_addresses', { email_address: testEmail('hooks2') })).response;
  await b.post(`/me/email_addresses/${e.id}/prepare_verification`, { strategy: 'email_code' });
  await b.post(`/me/email_addresses/${e.id}/attempt_verification`, { code: TEST_CODE });
  await b.post(`/me/sessions/${sidOther}/revoke`, {});
  await b.del('/me');

  const of = (type, id) => rcv.got.filter((g) => g.json?.type === type && g.json?.data?.id === id);
  await rcv.waitFor(() => of('user.deleted', user.id).length === 1, 15000, 'user.deleted');
  await rcv.waitFor(() => of('session.revoked', sidOther).length === 1, 15000, 'session.revoked');
  const updates = of('user.updated', user.id).map((g) => g.json.data);
  assert.ok(updates.some((d) => d.first_name === 'Hooked'), 'PATCH /v1/me');
  assert.ok(updates.some((d) => d.email_addresses.some((x) => x.id === e.id && x.verification?.status === 'verified')),
    'the verified address');
  assert.equal(of('user.deleted', user.id)[0].json.data.deleted, true);
});

test('remove password: refused while the instance requires one, then allowed', async () => {
  const { b, user, password, sid } = await signedIn('rmpw');
  expectError(await b.fail('POST', '/me/remove_password', { current_password: password }, 403), 'not_allowed_access');

  // The operator stops requiring passwords (Gatehouse's own key on PATCH /v1/instance).
  const pr = await bapi(gh, 'PATCH', '/v1/instance', { body: { password_enabled: false } });
  assert.equal(pr.status, 204, pr.text);

  expectError(await b.fail('POST', '/me/remove_password', { current_password: 'wrong-password-1' }, 422),
    'form_password_incorrect', 'current_password');
  const r = await b.post('/me/remove_password', { current_password: password });
  assert.equal(r.response.password_enabled, false);
  assert.equal(clientUser(r, sid).password_enabled, false);
  expectError(await b.fail('POST', '/me/remove_password', { current_password: password }, 400), 'password_not_set');
  // Without a password, setting one needs no current password.
  const np = strongPassword();
  gh.sensitive(np);
  const s = await b.post('/me/change_password', { new_password: np });
  assert.equal(s.response.password_enabled, true);
  assert.equal((await clerk.users.verifyPassword({ userId: user.id, password: np })).verified, true);
});
