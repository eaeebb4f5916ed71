// fapi_sign_in.test.mjs: issue 4, the Frontend API's sign-in state machine
// (spec FAPI §3.3–§3.5, §4.4), driven over HTTP as clerk-js drives it (form
// bodies, _method, the __client cookie, an Origin header), with users and
// tickets made through @clerk/backend and minted tokens checked with its
// verifyToken. Also enumeration protection (issue 6): an unknown identifier
// answers like a known one, in shape, errors and time. SQLite by default,
// PostgreSQL with GH_TEST_DB=postgres.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { verifyToken } from '@clerk/backend';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, strongPassword, bapi, decodeJwt } from './lib/clerk.mjs';
import { FapiClient, codeFromLog, setInstanceSettings } from './lib/fapi.mjs';

let gh;
let clerk;
const tag = uniq();
const ORIGIN = 'http://localhost:3000';
const email = (n) => `si.${n}.${tag}@example.com`;
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
});

after(async () => {
  if (gh) await gh.close();
});

/** RFC 6238 (SHA-1, 30 s, 6 digits), independent of liboath. */
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

async function makeUser(addr, { password = strongPassword(), ...extra } = {}) {
  gh.sensitive(password);
  const u = await clerk.users.createUser({ emailAddress: [addr], password, ...extra });
  return { user: u, password };
}

let decoy; // {identifier, id}: checked again after a restart

function ok(r, what) {
  assert.equal(r.status, 200, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.response;
}

function error(r, status, code, param) {
  const ctx = `${r.status} ${JSON.stringify(r.body)}`;
  assert.equal(r.status, status, ctx);
  const e = r.body.errors[0];
  assert.equal(e.code, code, ctx);
  if (param !== undefined) assert.equal(e.meta.param_name, param, ctx);
  assert.equal(typeof e.message, 'string');
  assert.equal(typeof e.long_message, 'string');
  return e;
}

const signIns = '/client/sign_ins';

async function passwordSignIn(addr, password, fc = new FapiClient(gh, { origin: ORIGIN })) {
  const si = ok(await fc.raw('POST', signIns, { identifier: addr, locale: 'en-US', timezone: 'UTC' }), 'create');
  const done = ok(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`,
    { strategy: 'password', password }), 'password');
  return { fc, si: done };
}

async function userJson(id) {
  const r = await bapi(gh, 'GET', `/v1/users/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('password sign-in: identifier, then password; session, token, last_sign_in_at', async () => {
  const addr = email('pw');
  const { user, password } = await makeUser(addr, { firstName: 'Zoe' });
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const r = await fc.raw('POST', signIns, { identifier: addr.toUpperCase(), locale: 'en-US', timezone: 'UTC' });
  const si = ok(r, 'create');
  assert.ok(fc.cookies.has('__client'), 'the first mutation sets the client cookie');
  assert.equal(si.object, 'sign_in_attempt');
  assert.match(si.id, /^sia_/);
  assert.equal(si.status, 'needs_first_factor');
  assert.equal(si.identifier, addr);
  assert.deepEqual(si.supported_first_factors.map((f) => f.strategy),
    ['password', 'email_code', 'reset_password_email_code']);
  const ec = si.supported_first_factors[1];
  assert.equal(ec.email_address_id, user.emailAddresses[0].id);
  assert.equal(ec.safe_identifier, addr);
  assert.equal(ec.primary, true);
  assert.equal(si.supported_second_factors, null);
  assert.equal(si.first_factor_verification, null);
  assert.equal(si.created_session_id, null);
  assert.equal(si.user_data.first_name, null, 'names wait for the first factor (enumeration protection)');
  assert.equal(typeof si.user_data.image_url, 'string');
  assert.equal(r.body.client.sign_in.id, si.id);
  assert.deepEqual(r.body.client.sessions, []);

  const got = ok(await fc.raw('GET', `${signIns}/${si.id}`), 'get');
  assert.equal(got.id, si.id);
  assert.equal(got.status, 'needs_first_factor');

  const a = await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'password', password });
  const done = ok(a, 'attempt');
  assert.equal(done.status, 'complete');
  assert.match(done.created_session_id, /^sess_/);
  assert.equal(done.first_factor_verification.status, 'verified');
  assert.equal(done.first_factor_verification.strategy, 'password');
  assert.equal(done.user_data.first_name, 'Zoe');
  const client = a.body.client;
  assert.equal(client.last_active_session_id, done.created_session_id);
  assert.equal(client.sessions.length, 1);
  const sess = client.sessions[0];
  assert.equal(sess.id, done.created_session_id);
  assert.equal(sess.status, 'active');
  assert.equal(sess.user.id, user.id);

  // The piggybacked token and a fresh one are RS256 session tokens with azp = Origin.
  for (const jwt of [sess.last_active_token.jwt,
    (await fc.raw('POST', `/client/sessions/${sess.id}/tokens`, { organization_id: '' })).body.jwt]) {
    gh.sensitive(jwt);
    const claims = await verifyToken(jwt, { secretKey: gh.secretKey, apiUrl: gh.apiUrl,
      authorizedParties: [ORIGIN] });
    assert.equal(claims.sub, user.id);
    assert.equal(claims.sid, sess.id);
    assert.equal(claims.azp, ORIGIN);
    assert.equal(decodeJwt(jwt).header.alg, 'RS256');
  }
  const u = await clerk.users.getUser(user.id);
  assert.ok(u.lastSignInAt > Date.now() - 60000, `last_sign_in_at ${u.lastSignInAt}`);
});

test('identifier and password in one call; sign-out, then sign in again', async () => {
  const addr = email('one');
  const { password } = await makeUser(addr);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const r = await fc.raw('POST', signIns, { identifier: addr, strategy: 'password', password });
  const si = ok(r, 'create+password');
  assert.equal(si.status, 'complete');
  const first = si.created_session_id;

  // Single-session mode (the default): a second sign-in on this client is refused.
  error(await fc.raw('POST', signIns, { identifier: addr }), 400, 'session_exists');

  const out = await fc.raw('DELETE', '/client/sessions');
  assert.equal(out.status, 200);
  assert.deepEqual(out.body.response.sessions, []);
  assert.equal((await clerk.sessions.getSession(first)).status, 'ended');

  const again = ok(await fc.raw('POST', signIns, { identifier: addr, password }), 'again');
  assert.equal(again.status, 'complete');
  assert.notEqual(again.created_session_id, first);
  const c = (await fc.raw('GET', '/client')).body.response;
  assert.deepEqual(c.sessions.map((s) => s.id), [again.created_session_id]);
});

test('wrong password: 422 form_password_incorrect on password, counted toward the lockout', async () => {
  const addr = email('wrong');
  const { user, password } = await makeUser(addr);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  const e = error(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`,
    { strategy: 'password', password: 'not-the-password-1' }), 422, 'form_password_incorrect', 'password');
  assert.match(e.message, /Password is incorrect/);
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 9);
  // Wrong in the create call too (clerk-js then retries with the identifier only).
  error(await fc.raw('POST', signIns, { identifier: addr, password: 'still-wrong-22' }), 422,
    'form_password_incorrect', 'password');
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 8);
  // Missing strategy / unknown strategy.
  const si2 = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  error(await fc.raw('POST', `${signIns}/${si2.id}/attempt_first_factor`, { password }), 422, 'form_param_missing', 'strategy');
  error(await fc.raw('POST', `${signIns}/${si2.id}/attempt_first_factor`, { strategy: 'phone_code', code: '1' }), 422,
    'strategy_for_user_invalid', 'strategy');
  // A success clears the count.
  ok(await fc.raw('POST', `${signIns}/${si2.id}/attempt_first_factor`, { strategy: 'password', password }), 'right');
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 10);
  // A finished sign-in takes no more steps.
  error(await fc.raw('POST', `${signIns}/${si2.id}/attempt_first_factor`, { strategy: 'password', password }), 400,
    'sign_in_not_ready');
});

test('email code sign-in with a +clerk_test address (424242); wrong code; resend cooldown', async () => {
  const addr = `si.code+clerk_test.${tag}@example.com`;
  const { user } = await makeUser(addr);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  const ec = si.supported_first_factors.find((f) => f.strategy === 'email_code');
  const prep = ok(await fc.raw('POST', `${signIns}/${si.id}/prepare_first_factor`,
    { strategy: 'email_code', email_address_id: ec.email_address_id }), 'prepare');
  assert.equal(prep.status, 'needs_first_factor');
  assert.equal(prep.first_factor_verification.status, 'unverified');
  assert.equal(prep.first_factor_verification.strategy, 'email_code');
  assert.ok(prep.first_factor_verification.expire_at > Date.now());
  error(await fc.raw('POST', `${signIns}/${si.id}/prepare_first_factor`,
    { strategy: 'email_code', email_address_id: ec.email_address_id }), 429, 'too_many_requests');
  error(await fc.raw('POST', `${signIns}/${si.id}/prepare_first_factor`,
    { strategy: 'email_code', email_address_id: 'idn_nottheone' }), 422, 'form_param_value_invalid', 'email_address_id');
  error(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'email_code', code: '123456' }),
    422, 'form_code_incorrect', 'code');
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 9);
  const done = ok(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`,
    { strategy: 'email_code', code: '424242' }), 'attempt');
  assert.equal(done.status, 'complete');
  assert.equal(done.first_factor_verification.status, 'verified');
  assert.equal(done.first_factor_verification.attempts, 2);
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 10);
});

test('email code sign-in with the code from the development mail log', async () => {
  const addr = email('mail');
  const { user } = await makeUser(addr);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  const from = gh.logs().length;
  ok(await fc.raw('POST', `${signIns}/${si.id}/prepare_first_factor`, { strategy: 'email_code' }), 'prepare (default address)');
  const code = await codeFromLog(gh, addr, { from });
  const done = ok(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'email_code', code }), 'attempt');
  assert.equal(done.status, 'complete');
  const s = await clerk.sessions.getSession(done.created_session_id);
  assert.equal(s.userId, user.id);
});

test('parallel wrong codes cannot test more than 5 codes', async () => {
  const addr = email('race');
  const { user } = await makeUser(addr);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  const from = gh.logs().length;
  ok(await fc.raw('POST', `${signIns}/${si.id}/prepare_first_factor`, { strategy: 'email_code' }), 'prepare');
  const code = await codeFromLog(gh, addr, { from });
  const wrong = code === '000000' ? '111111' : '000000';
  const rs = await Promise.all(Array.from({ length: 12 }, () =>
    fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'email_code', code: wrong })));
  const codes = rs.map((r) => r.body.errors[0].code);
  assert.equal(codes.filter((c) => c === 'form_code_incorrect').length, 5, codes.join(','));
  assert.equal(codes.filter((c) => c === 'verification_failed').length, 7, codes.join(','));
  // Used up: even the right code is refused now.
  error(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'email_code', code }), 422,
    'verification_failed');
  const got = ok(await fc.raw('GET', `${signIns}/${si.id}`), 'get');
  assert.equal(got.first_factor_verification.status, 'failed');
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 5);
  await clerk.users.unlockUser(user.id);
});

test('reset password: code, needs_new_password, new password, other sessions signed out', async () => {
  const addr = email('reset');
  const { user, password } = await makeUser(addr);
  const other = await passwordSignIn(addr, password);
  const oldSession = other.si.created_session_id;

  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  const rp = si.supported_first_factors.find((f) => f.strategy === 'reset_password_email_code');
  assert.equal(rp.email_address_id, user.emailAddresses[0].id);
  const from = gh.logs().length;
  ok(await fc.raw('POST', `${signIns}/${si.id}/prepare_first_factor`,
    { strategy: 'reset_password_email_code', email_address_id: rp.email_address_id }), 'prepare');
  const code = await codeFromLog(gh, addr, { from });
  assert.match(gh.logs().slice(from), /password reset code/);
  error(await fc.raw('POST', `${signIns}/${si.id}/reset_password`, { password: strongPassword() }), 400, 'sign_in_not_ready');
  const v = ok(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`,
    { strategy: 'reset_password_email_code', code }), 'attempt');
  assert.equal(v.status, 'needs_new_password');
  assert.equal(v.first_factor_verification.status, 'verified');
  error(await fc.raw('POST', `${signIns}/${si.id}/reset_password`, { password: 'short' }), 422,
    'form_password_length_too_short', 'password');
  const fresh = strongPassword();
  gh.sensitive(fresh);
  const r = await fc.raw('POST', `${signIns}/${si.id}/reset_password`, { password: fresh, sign_out_of_other_sessions: true });
  const done = ok(r, 'reset');
  assert.equal(done.status, 'complete');
  assert.equal(r.body.client.sessions[0].id, done.created_session_id);
  assert.equal((await clerk.sessions.getSession(oldSession)).status, 'revoked');
  assert.equal((await clerk.sessions.getSession(done.created_session_id)).status, 'active');
  assert.equal((await clerk.users.verifyPassword({ userId: user.id, password: fresh })).verified, true);
  await assert.rejects(clerk.users.verifyPassword({ userId: user.id, password }));
});

test('TOTP second factor: needs_second_factor, wrong code, right code', async () => {
  const addr = email('totp');
  const { user, password } = await makeUser(addr, { firstName: 'Tia', totpSecret: TOTP_SECRET, backupCodes: ['bk-one-111', 'bk-two-222'] });
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  assert.equal(si.supported_second_factors, null, 'second factors are not shown before the first');
  const r = await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'password', password });
  const mid = ok(r, 'password');
  assert.equal(mid.status, 'needs_second_factor');
  assert.deepEqual(mid.supported_second_factors, [{ strategy: 'totp' }, { strategy: 'backup_code' }]);
  assert.equal(mid.created_session_id, null);
  assert.deepEqual(r.body.client.sessions, []);
  assert.equal(mid.user_data.first_name, 'Tia');
  const prep = ok(await fc.raw('POST', `${signIns}/${si.id}/prepare_second_factor`, { strategy: 'totp' }), 'prepare');
  assert.equal(prep.second_factor_verification.strategy, 'totp');
  const now = totp(TOTP_SECRET);
  const wrongCode = now === '000000' ? '111111' : '000000';
  error(await fc.raw('POST', `${signIns}/${si.id}/attempt_second_factor`, { strategy: 'totp', code: wrongCode }),
    422, 'form_code_incorrect', 'code');
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 9);
  error(await fc.raw('POST', `${signIns}/${si.id}/attempt_second_factor`, { strategy: 'phone_code', code: now }),
    422, 'strategy_for_user_invalid', 'strategy');
  const done = ok(await fc.raw('POST', `${signIns}/${si.id}/attempt_second_factor`, { strategy: 'totp', code: totp(TOTP_SECRET) }), 'totp');
  assert.equal(done.status, 'complete');
  assert.equal(done.second_factor_verification.status, 'verified');
  assert.equal(done.second_factor_verification.strategy, 'totp');
  assert.match(done.created_session_id, /^sess_/);
  assert.equal((await userJson(user.id)).verification_attempts_remaining, 10);
});

test('backup codes are single use, also under a race', async () => {
  const addr = email('backup');
  const codes = ['bk-aaa-111', 'bk-bbb-222'];
  const { user, password } = await makeUser(addr, { totpSecret: TOTP_SECRET, backupCodes: codes });
  const start = async () => {
    const fc = new FapiClient(gh, { origin: ORIGIN });
    const si = ok(await fc.raw('POST', signIns, { identifier: addr, password }), 'create');
    assert.equal(si.status, 'needs_second_factor');
    return { fc, id: si.id };
  };
  const a = await start();
  const done = ok(await a.fc.raw('POST', `${signIns}/${a.id}/attempt_second_factor`, { strategy: 'backup_code', code: codes[0] }), 'backup');
  assert.equal(done.status, 'complete');
  const b = await start();
  error(await b.fc.raw('POST', `${signIns}/${b.id}/attempt_second_factor`, { strategy: 'backup_code', code: codes[0] }),
    422, 'form_code_incorrect', 'code');
  // Two browsers race with the last code: exactly one wins.
  const c = await start();
  const rs = await Promise.all([b, c].map((x) =>
    x.fc.raw('POST', `${signIns}/${x.id}/attempt_second_factor`, { strategy: 'backup_code', code: codes[1] })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 422], JSON.stringify(rs.map((r) => r.body)));
  const u = await clerk.users.getUser(user.id);
  assert.equal(u.backupCodeEnabled, false, 'both codes used');
  await clerk.users.unlockUser(user.id);
});

/** The shape of a JSON value: types, keys and array lengths, no values. */
function shape(v) {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape(v[k])]));
  return v === null ? 'null' : typeof v;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('enumeration protection: an unknown identifier answers like a known one', async () => {
  const known = email('known');
  await makeUser(known);
  const unknown = email('nobody');
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const k = await fc.raw('POST', signIns, { identifier: known });
  const u = await fc.raw('POST', signIns, { identifier: unknown });
  assert.equal(u.status, k.status);
  const ks = ok(k, 'known');
  const us = ok(u, 'unknown');
  assert.deepEqual(shape(us), shape(ks));
  assert.deepEqual(shape(u.body.client.sign_in), shape(k.body.client.sign_in));
  assert.equal(us.status, 'needs_first_factor');
  assert.deepEqual(us.supported_first_factors.map((f) => f.strategy), ks.supported_first_factors.map((f) => f.strategy));
  const decoyId = us.supported_first_factors[1].email_address_id;
  assert.match(decoyId, /^idn_[A-Za-z0-9]{27}$/);
  assert.equal(us.supported_first_factors[1].safe_identifier, unknown);
  assert.deepEqual(us.user_data, ks.user_data);
  // Stable: the same identifier gets the same decoy id every time (and after
  // a restart: the last test checks).
  const again = ok(await fc.raw('POST', signIns, { identifier: unknown }), 'again');
  assert.equal(again.supported_first_factors[1].email_address_id, decoyId);
  decoy = { identifier: unknown, id: decoyId };

  // Wrong passwords: the same error, and the same time (a dummy argon2id verify).
  const wrongK = await fc.raw('POST', `${signIns}/${ks.id}/attempt_first_factor`, { strategy: 'password', password: 'Wrong-pass-1' });
  const wrongU = await fc.raw('POST', `${signIns}/${us.id}/attempt_first_factor`, { strategy: 'password', password: 'Wrong-pass-1' });
  assert.equal(wrongU.status, wrongK.status);
  assert.deepEqual(wrongU.body.errors.map(({ code, message, long_message, meta }) => ({ code, message, long_message, meta })),
    wrongK.body.errors.map(({ code, message, long_message, meta }) => ({ code, message, long_message, meta })));
  // Time: the lower quartile of 15 interleaved tries each (load on a shared
  // machine only adds time, so low quantiles compare the work done). Without
  // the dummy hash an unknown identifier answers in a few ms, not tens.
  const knownUser = (await clerk.users.getUserList({ emailAddress: [known] })).data[0];
  const tk = [];
  const tu = [];
  for (let i = 0; i < 15; i++) {
    if (i % 5 === 4) await clerk.users.unlockUser(knownUser.id); // stay below the lockout
    const a = await fc.raw('POST', signIns, { identifier: known, password: `Wrong-pass-${i}` });
    const b = await fc.raw('POST', signIns, { identifier: unknown, password: `Wrong-pass-${i}` });
    error(a, 422, 'form_password_incorrect', 'password');
    error(b, 422, 'form_password_incorrect', 'password');
    tk.push(a.ms);
    tu.push(b.ms);
  }
  const q1 = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 4)];
  const [qk, qu] = [q1(tk), q1(tu)];
  const msg = `lower quartile known ${qk.toFixed(1)} ms, unknown ${qu.toFixed(1)} ms; ` +
    `medians ${median(tk).toFixed(1)} / ${median(tu).toFixed(1)} ms`;
  assert.ok(qu > 0.5 * qk && qu < 2 * qk, msg);
  console.log(`# enumeration timing: ${msg}`);
  await clerk.users.unlockUser(knownUser.id);

  // Emailed codes: the decoy "sends" one and then refuses every code, even a test address's.
  const testAddr = `si.nobody+clerk_test.${tag}@example.com`;
  const d = ok(await fc.raw('POST', signIns, { identifier: testAddr }), 'decoy');
  const p = ok(await fc.raw('POST', `${signIns}/${d.id}/prepare_first_factor`, { strategy: 'email_code' }), 'decoy prepare');
  assert.equal(p.first_factor_verification.status, 'unverified');
  error(await fc.raw('POST', `${signIns}/${d.id}/attempt_first_factor`, { strategy: 'email_code', code: '424242' }), 422,
    'form_code_incorrect', 'code');
  assert.ok(!gh.logs().includes(`to=${unknown}`), 'no mail for an unknown address');
  assert.equal((await clerk.users.getUser(knownUser.id)).lastSignInAt, null, 'never signed in');
});

test('sign-in token ticket: signs in once; used, revoked and bogus tickets fail', async () => {
  const addr = email('ticket');
  const { user } = await makeUser(addr);
  const t = await clerk.signInTokens.createSignInToken({ userId: user.id, expiresInSeconds: 600 });
  gh.sensitive(t.token);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const r = await fc.raw('POST', signIns, { strategy: 'ticket', ticket: t.token });
  const si = ok(r, 'ticket');
  assert.equal(si.status, 'complete');
  assert.equal(si.identifier, addr);
  assert.equal(si.first_factor_verification.strategy, 'ticket');
  assert.equal(r.body.client.sessions[0].user.id, user.id);
  const fc2 = new FapiClient(gh, { origin: ORIGIN });
  error(await fc2.raw('POST', signIns, { strategy: 'ticket', ticket: t.token }), 400, 'ticket_already_used', 'ticket');
  const t2 = await clerk.signInTokens.createSignInToken({ userId: user.id });
  gh.sensitive(t2.token);
  await clerk.signInTokens.revokeSignInToken(t2.id);
  error(await fc2.raw('POST', signIns, { strategy: 'ticket', ticket: t2.token }), 400, 'ticket_revoked', 'ticket');
  error(await fc2.raw('POST', signIns, { strategy: 'ticket', ticket: 'A'.repeat(43) }), 400, 'ticket_invalid', 'ticket');
  error(await fc2.raw('POST', signIns, { strategy: 'ticket' }), 422, 'form_param_missing', 'ticket');
});

test('invitation tickets: an existing account signs in; a new address is sent to sign-up', async () => {
  const addr = email('invited');
  const { user } = await makeUser(addr);
  const inv = await clerk.invitations.createInvitation({ emailAddress: addr, ignoreExisting: true });
  const ticket = new URL(inv.url).searchParams.get('__clerk_ticket');
  gh.sensitive(ticket);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { strategy: 'ticket', ticket }), 'invitation ticket');
  assert.equal(si.status, 'complete');
  assert.equal((await clerk.sessions.getSession(si.created_session_id)).userId, user.id);
  const list = await clerk.invitations.getInvitationList({ status: 'accepted' });
  assert.ok(list.data.some((i) => i.id === inv.id), 'the invitation is accepted');

  const fresh = await clerk.invitations.createInvitation({ emailAddress: email('newcomer') });
  const t2 = new URL(fresh.url).searchParams.get('__clerk_ticket');
  gh.sensitive(t2);
  error(await new FapiClient(gh, { origin: ORIGIN }).raw('POST', signIns, { strategy: 'ticket', ticket: t2 }), 422,
    'invitation_account_not_exists');
  const still = await clerk.invitations.getInvitationList({ status: 'pending' });
  assert.ok(still.data.some((i) => i.id === fresh.id), 'a refused ticket is not consumed');
});

test('locked and banned users: 403 user_locked; 10 failures lock the account', async () => {
  const addr = email('locked');
  const { user, password } = await makeUser(addr);
  await clerk.users.lockUser(user.id);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create (no factor yet)');
  error(await fc.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'password', password }), 403, 'user_locked');
  const t = await clerk.signInTokens.createSignInToken({ userId: user.id });
  gh.sensitive(t.token);
  error(await fc.raw('POST', signIns, { strategy: 'ticket', ticket: t.token }), 403, 'user_locked');
  await clerk.users.unlockUser(user.id);
  ok(await fc.raw('POST', signIns, { strategy: 'ticket', ticket: t.token }), 'not burnt by the refusal');
  await fc.raw('DELETE', '/client/sessions');

  const banned = email('banned');
  const b = await makeUser(banned);
  await clerk.users.banUser(b.user.id);
  error(await fc.raw('POST', signIns, { identifier: banned, password: b.password }), 403, 'user_locked');

  // Ten wrong passwords lock for an hour; then even the right one is refused.
  const si2 = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  for (let i = 0; i < 10; i++) {
    error(await fc.raw('POST', `${signIns}/${si2.id}/attempt_first_factor`, { strategy: 'password', password: `Wrong-${i}-xx` }),
      422, 'form_password_incorrect', 'password');
  }
  const e = error(await fc.raw('POST', `${signIns}/${si2.id}/attempt_first_factor`, { strategy: 'password', password }),
    403, 'user_locked');
  assert.match(e.long_message, /try again in 60 minutes/);
  const j = await userJson(user.id);
  assert.equal(j.verification_attempts_remaining, 0);
  assert.ok(j.lockout_expires_in_seconds > 3500, JSON.stringify(j));
  await clerk.users.unlockUser(user.id);
  ok(await fc.raw('POST', `${signIns}/${si2.id}/attempt_first_factor`, { strategy: 'password', password }), 'after unlock');
});

test('a sign-in belongs to its client; unknown ids are 404; foreign origins are refused', async () => {
  const addr = email('own');
  await makeUser(addr);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const si = ok(await fc.raw('POST', signIns, { identifier: addr }), 'create');
  const other = new FapiClient(gh, { origin: ORIGIN });
  await other.raw('POST', signIns, {});
  error(await other.raw('GET', `${signIns}/${si.id}`), 404, 'resource_not_found');
  error(await other.raw('POST', `${signIns}/${si.id}/attempt_first_factor`, { strategy: 'password', password: 'x' }), 404,
    'resource_not_found');
  error(await fc.raw('GET', `${signIns}/sia_doesnotexist`), 404, 'resource_not_found');
  const evil = new FapiClient(gh, { origin: 'https://evil.example' });
  evil.cookies = fc.cookies;
  error(await evil.raw('POST', signIns, { identifier: addr }), 403, 'origin_invalid');
  const none = ok(await other.raw('POST', signIns, {}), 'empty create');
  assert.equal(none.status, 'needs_identifier');
  assert.deepEqual(none.supported_first_factors, []);
  assert.equal(none.identifier, null);
  error(await other.raw('POST', signIns, { strategy: 'password', password: 'x' }), 422, 'form_param_missing', 'identifier');
  error(await other.raw('POST', signIns, { identifier: addr, strategy: 'magic' }), 422, 'form_param_value_invalid', 'strategy');
});

test('settings: without enumeration protection, unknown → form_identifier_not_found; multi-session', async () => {
  const addr = email('multi');
  const { user, password } = await makeUser(addr);
  const second = email('multi2');
  const s2 = await makeUser(second);
  await setInstanceSettings(gh, { enumeration_protection: false, single_session_mode: false });
  try {
    const fc = new FapiClient(gh, { origin: ORIGIN });
    error(await fc.raw('POST', signIns, { identifier: email('ghost') }), 422, 'form_identifier_not_found', 'identifier');
    const known = ok(await fc.raw('POST', signIns, { identifier: addr }), 'known');
    assert.equal(known.user_data.first_name, null);
    const done = ok(await fc.raw('POST', `${signIns}/${known.id}/attempt_first_factor`, { strategy: 'password', password }), 'pw');
    // Multi-session: another account may sign in on the same client; the same one may not.
    const e = error(await fc.raw('POST', signIns, { identifier: addr }), 400, 'identifier_already_signed_in');
    assert.equal(e.meta.session_id, done.created_session_id);
    const r = await fc.raw('POST', signIns, { identifier: second, password: s2.password });
    const other = ok(r, 'second account');
    assert.equal(other.status, 'complete');
    assert.equal(r.body.client.sessions.length, 2);
    assert.equal(r.body.client.last_active_session_id, other.created_session_id);
    assert.equal((await clerk.sessions.getSession(done.created_session_id)).userId, user.id);
  } finally {
    await setInstanceSettings(gh, {});
  }
  // Protection is back on, after two restarts the decoy is the same.
  const back = ok(await new FapiClient(gh, { origin: ORIGIN }).raw('POST', signIns, { identifier: decoy.identifier }), 'decoy');
  assert.equal(back.supported_first_factors[1].email_address_id, decoy.id);
});
