// fapi_sign_up.test.mjs: the Frontend API sign-up state machine (issue 4,
// spec FAPI §3.2, §4.5, §4.6), driven the way clerk-js drives it (form
// bodies, ?_method=PATCH, the __client cookie, an Origin): statuses,
// required/missing/unverified fields and verification states at each step,
// the emailed code (read from the development log, or 424242 for
// +clerk_test), wrong / expired / exhausted codes (parallel guesses never
// pass the limit), taken and malformed addresses, password policy, the
// blocklist, allowlist-only and invitation-only modes, invitation tickets
// (app and organization; used, revoked, expired), single-session refusal,
// and the result: a user the Backend API sees with a verified address and a
// session whose token @clerk/backend verifies. Instance settings change
// through `gatehouse settings set` (alias of `instance set`) and a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToken } from '@clerk/backend';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, strongPassword } from './lib/clerk.mjs';
import { FapiClient } from './lib/fapi.mjs';
import { sleep } from './lib/net.mjs';
import { Receiver, createEndpoint } from './lib/receiver.mjs';

let gh;
let clerk;
const rcv = new Receiver();
const tag = uniq();
const mail = (n, test = false) => `su.${n}${test ? '+clerk_test' : ''}.${tag}@example.com`;
const ORIGIN = 'http://localhost:3000';

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

/** What clerk-js's <SignUp/> sends on its first step, plus fields. */
function createBody(fields) {
  return { first_name: null, last_name: null, locale: 'en-US', timezone: 'UTC', ...fields };
}

async function create(fc, fields) {
  return fc.post('/client/sign_ups', createBody(fields));
}

/** Every code the development log shows for address, oldest first. */
function codesFor(address) {
  const re = /DEVELOPMENT EMAIL \(not sent: no SMTP configured\) to=(\S+) subject=\\"(\d{6}) is your /g;
  return [...gh.logs().matchAll(re)].filter((m) => m[1] === address).map((m) => m[2]);
}

async function waitCode(address, count = 1) {
  for (let i = 0; i < 100; i++) {
    const c = codesFor(address);
    if (c.length >= count) return c[count - 1];
    await sleep(20);
  }
  assert.fail(`no code #${count} for ${address} in the log`);
}

/** Changes instance settings (and/or the environment) and restarts. */
async function reconfigure(settings = [], env = {}) {
  if (settings.length) {
    const r = await gh.admin(['settings', 'set', ...settings]);
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete gh.env[k];
    else gh.env[k] = v;
  }
  await gh.restart();
}

function ticketOf(url) {
  const t = new URL(url).searchParams.get('__clerk_ticket');
  assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  gh.sensitive(t);
  return t;
}

function assertVerification(v, status, strategy, nextAction) {
  assert.equal(v.object, 'verification');
  assert.equal(v.status, status);
  assert.equal(v.strategy, strategy);
  assert.equal(v.next_action, nextAction);
  assert.deepEqual(v.supported_strategies, ['email_code']);
  for (const k of ['id', 'attempts', 'expire_at', 'verified_at_client', 'error']) assert.ok(k in v, k);
}

/** The completed sign-up's session: on the client, current, with a token for its user. */
async function assertSignedIn(r, email) {
  const su = r.response;
  assert.equal(su.status, 'complete');
  assert.deepEqual(su.missing_fields, []);
  assert.deepEqual(su.unverified_fields, []);
  assert.match(su.created_user_id, /^user_/);
  assert.match(su.created_session_id, /^sess_/);
  const c = r.client;
  assert.equal(c.last_active_session_id, su.created_session_id);
  assert.equal(c.sessions.length, 1);
  const s = c.sessions[0];
  assert.equal(s.id, su.created_session_id);
  assert.equal(s.status, 'active');
  assert.equal(s.user.id, su.created_user_id);
  assert.equal(s.user.email_addresses[0].email_address, email);
  assert.equal(s.user.primary_email_address_id, s.user.email_addresses[0].id);
  assert.equal(c.sign_up.id, su.id, 'the completed sign-up stays on the client');
  assert.equal(c.sign_up.created_session_id, su.created_session_id);
  const jwt = s.last_active_token.jwt;
  gh.sensitive(jwt);
  const claims = await verifyToken(jwt, { secretKey: gh.secretKey, apiUrl: gh.apiUrl,
    authorizedParties: [ORIGIN] });
  assert.equal(claims.sub, su.created_user_id);
  assert.equal(claims.sid, su.created_session_id);
  return su;
}

test('+clerk_test address: create → prepare → wrong code → 424242 → complete, user and token', async () => {
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const email = mail('a', true);
  const password = strongPassword();
  gh.sensitive(password);

  const r1 = await create(fc, { email_address: email.toUpperCase(), password, first_name: 'Zoe',
    unsafe_metadata: { plan: 'pro' }, legal_accepted: true, captcha_token: 'ignored' });
  assert.ok(fc.cookies.get('__client'), 'the first mutation sets __client');
  const su = r1.response;
  assert.match(su.id, /^sua_/);
  assert.equal(su.status, 'missing_requirements');
  assert.deepEqual(su.required_fields, ['email_address', 'password']);
  assert.deepEqual(su.optional_fields, ['first_name', 'last_name']);
  assert.deepEqual(su.missing_fields, []);
  assert.deepEqual(su.unverified_fields, ['email_address']);
  assert.equal(su.email_address, email, 'normalised');
  assert.equal(su.first_name, 'Zoe');
  assert.equal(su.last_name, null);
  assert.equal(su.has_password, true);
  assert.deepEqual(su.unsafe_metadata, { plan: 'pro' });
  assert.equal(typeof su.legal_accepted_at, 'number');
  assert.equal(su.created_session_id, null);
  assert.equal(su.created_user_id, null);
  assert.ok(su.abandon_at > Date.now() + 23 * 3600e3);
  assertVerification(su.verifications.email_address, 'unverified', null, 'needs_prepare');
  assert.equal(su.verifications.phone_number, null);
  assert.equal(r1.client.sign_up.id, su.id);
  assert.deepEqual(r1.client.sessions, []);

  const r2 = await fc.post(`/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' });
  assert.equal(r2.response.status, 'missing_requirements');
  assertVerification(r2.response.verifications.email_address, 'unverified', 'email_code', 'needs_attempt');
  assert.ok(r2.response.verifications.email_address.expire_at > Date.now() + 9 * 60e3);
  assert.equal(codesFor(email).length, 0, 'a +clerk_test address gets no email');

  const e = await fc.fail('POST', `/client/sign_ups/${su.id}/attempt_verification`,
    { strategy: 'email_code', code: '000000' }, 422, 'form_code_incorrect');
  assert.equal(e.meta.param_name, 'code');

  const r3 = await fc.post(`/client/sign_ups/${su.id}/attempt_verification`,
    { strategy: 'email_code', code: '424242' });
  const done = await assertSignedIn(r3, email);
  assertVerification(done.verifications.email_address, 'verified', 'email_code', '');
  assert.equal(done.verifications.email_address.attempts, 2);

  // GET reads it back; a repeated attempt (double submit) answers the same.
  const g = await fc.get(`/client/sign_ups/${su.id}`);
  assert.equal(g.response.status, 'complete');
  const again = await fc.post(`/client/sign_ups/${su.id}/attempt_verification`,
    { strategy: 'email_code', code: '424242' });
  assert.equal(again.response.created_session_id, done.created_session_id);

  // The Backend API sees the user with a verified address and the password.
  const u = await clerk.users.getUser(done.created_user_id);
  assert.equal(u.emailAddresses[0].emailAddress, email);
  assert.equal(u.emailAddresses[0].verification.status, 'verified');
  assert.equal(u.emailAddresses[0].verification.strategy, 'email_code');
  assert.equal(u.primaryEmailAddressId, u.emailAddresses[0].id);
  assert.equal(u.firstName, 'Zoe');
  assert.equal(u.passwordEnabled, true);
  assert.deepEqual(u.unsafeMetadata, { plan: 'pro' });
  assert.equal(u.legalAcceptedAt, done.legal_accepted_at);
  assert.ok((await clerk.users.verifyPassword({ userId: u.id, password })).verified);
  const sessions = await clerk.sessions.getSessionList({ userId: u.id });
  assert.deepEqual(sessions.data.map((s) => s.id), [done.created_session_id]);
  // Webhooks: user.created (verified address) and session.created, from the one transaction.
  const ev = (type, id) => rcv.got.find((g) => g.json?.type === type && g.json?.data?.id === id);
  await rcv.waitFor(() => ev('user.created', u.id) && ev('session.created', done.created_session_id),
    15000, 'user.created + session.created');
  const uc = ev('user.created', u.id).json.data;
  assert.equal(uc.email_addresses[0].verification.status, 'verified');
  assert.equal(ev('session.created', done.created_session_id).json.data.user_id, u.id);

  // Single-session instance: a signed-in browser cannot start another sign-up.
  await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('a2', true) }), 400,
    'session_exists');
  // Another browser cannot read or drive this sign-up.
  const other = new FapiClient(gh, { origin: ORIGIN });
  await other.post('/client/sign_ups', createBody({ email_address: mail('a3', true) }));
  await other.fail('GET', `/client/sign_ups/${su.id}`, undefined, 404, 'resource_not_found');
  await other.fail('POST', `/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' },
    404, 'resource_not_found');
  await other.fail('GET', '/client/sign_ups/sua_nope', undefined, 404);
});

test('real address: code from the log, missing password added by PATCH, resend cooldown', async () => {
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const email = mail('b');
  const password = strongPassword();
  gh.sensitive(password);

  const r1 = await create(fc, { email_address: email });
  const id = r1.response.id;
  assert.deepEqual(r1.response.missing_fields, ['password']);
  assert.deepEqual(r1.response.unverified_fields, ['email_address']);
  assert.equal(r1.response.has_password, false);

  const p1 = await fc.post(`/client/sign_ups/${id}/prepare_verification`, { strategy: 'email_code' });
  const code = await waitCode(email, 1);
  const exp = p1.response.verifications.email_address.expire_at;
  // A second prepare inside the 30 s cooldown sends nothing and keeps the code.
  const p2 = await fc.post(`/client/sign_ups/${id}/prepare_verification`, { strategy: 'email_code' });
  assert.equal(p2.response.verifications.email_address.expire_at, exp);
  await sleep(100);
  assert.equal(codesFor(email).length, 1, 'one email only');

  await fc.fail('POST', `/client/sign_ups/${id}/attempt_verification`, { strategy: 'email_code' }, 422,
    'form_param_missing');
  await fc.fail('POST', `/client/sign_ups/${id}/attempt_verification`, { strategy: 'phone_code', code },
    422, 'form_param_value_invalid');
  await fc.fail('POST', `/client/sign_ups/${id}/prepare_verification`, { strategy: 'email_link' }, 422,
    'form_param_value_invalid');
  const wrong = code === '111111' ? '222222' : '111111';
  await fc.fail('POST', `/client/sign_ups/${id}/attempt_verification`, { strategy: 'email_code', code: wrong },
    422, 'form_code_incorrect');

  const r2 = await fc.post(`/client/sign_ups/${id}/attempt_verification`, { strategy: 'email_code', code });
  assert.equal(r2.response.status, 'missing_requirements', 'verified, but the password is missing');
  assert.deepEqual(r2.response.missing_fields, ['password']);
  assert.deepEqual(r2.response.unverified_fields, []);
  assertVerification(r2.response.verifications.email_address, 'verified', 'email_code', '');
  assert.deepEqual(r2.client.sessions, []);

  const short = await fc.fail('PATCH', `/client/sign_ups/${id}`, { password: 'short' }, 422,
    'form_password_length_too_short');
  assert.equal(short.meta.param_name, 'password');
  const r3 = await fc.patch(`/client/sign_ups/${id}`, { password, last_name: 'Park' });
  const su = await assertSignedIn(r3, email);
  assert.equal(su.last_name, 'Park');
  await fc.fail('PATCH', `/client/sign_ups/${id}`, { first_name: 'Late' }, 400, 'sign_up_not_ready');
  const u = await clerk.users.getUser(su.created_user_id);
  assert.equal(u.lastName, 'Park');
  assert.equal(u.emailAddresses[0].verification.status, 'verified');
});

test('changing the address by PATCH needs a new verification; the code is bound to its sign-up', async () => {
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const r1 = await create(fc, { email_address: mail('c1', true), password: strongPassword() });
  const id = r1.response.id;
  await fc.post(`/client/sign_ups/${id}/prepare_verification`, { strategy: 'email_code' });
  const r2 = await fc.patch(`/client/sign_ups/${id}`, { email_address: mail('c2') });
  assert.equal(r2.response.email_address, mail('c2'));
  assertVerification(r2.response.verifications.email_address, 'unverified', null, 'needs_prepare');
  await fc.fail('POST', `/client/sign_ups/${id}/attempt_verification`, { strategy: 'email_code', code: '424242' },
    422, 'verification_missing');
  await fc.post(`/client/sign_ups/${id}/prepare_verification`, { strategy: 'email_code' });
  const code = await waitCode(mail('c2'));
  // Another browser's sign-up with the same address cannot use this code.
  const other = new FapiClient(gh, { origin: ORIGIN });
  const o = await create(other, { email_address: mail('c2'), password: strongPassword() });
  await other.post(`/client/sign_ups/${o.response.id}/prepare_verification`, { strategy: 'email_code' });
  const otherCode = await waitCode(mail('c2'), 2);
  if (otherCode !== code) {
    await other.fail('POST', `/client/sign_ups/${o.response.id}/attempt_verification`,
      { strategy: 'email_code', code }, 422, 'form_code_incorrect');
  }
  await assertSignedIn(await fc.post(`/client/sign_ups/${id}/attempt_verification`,
    { strategy: 'email_code', code }), mail('c2'));
  // Now the address is taken: the other sign-up cannot complete.
  await other.fail('POST', `/client/sign_ups/${o.response.id}/attempt_verification`,
    { strategy: 'email_code', code: otherCode }, 422, 'form_identifier_exists');
});

test('refusals at create: taken, malformed, password policy, blocklist, unknown strategy', async () => {
  const fc = new FapiClient(gh, { origin: ORIGIN });
  await clerk.users.createUser({ emailAddress: [mail('taken')], password: strongPassword() });
  let e = await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('taken').toUpperCase() }),
    422, 'form_identifier_exists');
  assert.equal(e.meta.param_name, 'email_address');
  e = await fc.fail('POST', '/client/sign_ups', createBody({ email_address: 'not-an-email' }), 422,
    'form_param_format_invalid');
  assert.equal(e.meta.param_name, 'email_address');
  e = await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('pw'), password: 'seven77' }),
    422, 'form_password_length_too_short');
  assert.equal(e.meta.param_name, 'password');
  e = await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('pw'), password: 'x'.repeat(73) }),
    422, 'form_password_length_too_long');
  assert.equal(e.meta.param_name, 'password');
  await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('s'), strategy: 'oauth_google' }),
    422, 'form_param_value_invalid');
  await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('s'), unsafe_metadata: '[1]' }),
    422, 'form_param_format_invalid');

  await clerk.blocklistIdentifiers.createBlocklistIdentifier({ identifier: `*@blocked-${tag}.test` });
  await clerk.blocklistIdentifiers.createBlocklistIdentifier({ identifier: mail('blocked') });
  e = await fc.fail('POST', '/client/sign_ups', createBody({ email_address: `x@blocked-${tag}.test` }), 403,
    'not_allowed_access');
  assert.equal(e.meta.param_name, 'email_address');
  await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('blocked') }), 403,
    'not_allowed_access');
  // PATCH to a blocked address is refused too.
  const ok = await create(fc, { email_address: mail('free') });
  await fc.fail('PATCH', `/client/sign_ups/${ok.response.id}`, { email_address: mail('blocked') }, 403,
    'not_allowed_access');
  // A sign-up without an address is fine (missing_fields says so).
  const bare = await create(fc, {});
  assert.deepEqual(bare.response.missing_fields, ['email_address', 'password']);
  assert.deepEqual(bare.response.unverified_fields, []);
  assert.equal(bare.response.verifications.email_address, null);
  await fc.fail('POST', `/client/sign_ups/${bare.response.id}/prepare_verification`, { strategy: 'email_code' },
    400, 'sign_up_not_ready');
});

test('parallel wrong codes never exceed the attempt limit', async () => {
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const r = await create(fc, { email_address: mail('p', true), password: strongPassword() });
  const id = r.response.id;
  await fc.post(`/client/sign_ups/${id}/prepare_verification`, { strategy: 'email_code' });
  const tries = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    fc.raw('POST', `/client/sign_ups/${id}/attempt_verification`,
      { strategy: 'email_code', code: String(100000 + i) })));
  const codes = tries.map((t) => `${t.status} ${t.body.errors?.[0]?.code}`);
  assert.equal(codes.filter((c) => c === '422 form_code_incorrect').length, 5, codes.join(', '));
  assert.equal(codes.filter((c) => c === '422 verification_failed').length, 7, codes.join(', '));
  // The right code no longer helps; the verification reads failed.
  await fc.fail('POST', `/client/sign_ups/${id}/attempt_verification`, { strategy: 'email_code', code: '424242' },
    422, 'verification_failed');
  const g = await fc.get(`/client/sign_ups/${id}`);
  assert.equal(g.response.verifications.email_address.status, 'failed');
  assert.equal(g.response.verifications.email_address.attempts, 5);
  assert.equal(g.response.status, 'missing_requirements');
  // A new code only after the resend cooldown.
  await fc.fail('POST', `/client/sign_ups/${id}/prepare_verification`, { strategy: 'email_code' }, 429,
    'too_many_requests');
});

let appInvitationForExpiry;
let abandonLater;

test('app invitation ticket: verified address, pending until complete, then accepted; reuse and revoke refused', async () => {
  const email = mail('inv');
  const inv = await clerk.invitations.createInvitation({ emailAddress: email, publicMetadata: { team: 'blue' } });
  const ticket = ticketOf(inv.url);
  const fc = new FapiClient(gh, { origin: ORIGIN });

  await fc.fail('POST', '/client/sign_ups', createBody({ strategy: 'ticket' }), 422, 'form_param_missing');
  await fc.fail('POST', '/client/sign_ups', createBody({ strategy: 'ticket', ticket, email_address: mail('other') }),
    422, 'form_param_value_invalid');
  const r1 = await create(fc, { strategy: 'ticket', ticket });
  const su = r1.response;
  assert.equal(su.email_address, email);
  assert.equal(su.status, 'missing_requirements');
  assert.deepEqual(su.missing_fields, ['password']);
  assert.deepEqual(su.unverified_fields, []);
  assertVerification(su.verifications.email_address, 'verified', 'ticket', '');
  assert.equal((await clerk.invitations.getInvitationList({ query: email })).data[0].status, 'pending',
    'the invitation is accepted only with the user');
  // The address of an invited sign-up cannot change.
  await fc.fail('PATCH', `/client/sign_ups/${su.id}`, { email_address: mail('other') }, 422,
    'form_param_value_invalid');

  // <SignUp/> continues with upsert: PATCH carrying strategy=ticket again.
  const password = strongPassword();
  gh.sensitive(password);
  const r2 = await fc.patch(`/client/sign_ups/${su.id}`, { strategy: 'ticket', ticket, password, email_address: email });
  const done = await assertSignedIn(r2, email);
  const after = (await clerk.invitations.getInvitationList({ query: email })).data[0];
  assert.equal(after.status, 'accepted');
  const u = await clerk.users.getUser(done.created_user_id);
  assert.equal(u.emailAddresses[0].verification.status, 'verified');
  assert.equal(u.emailAddresses[0].verification.strategy, 'ticket');
  assert.deepEqual(u.publicMetadata, { team: 'blue' }, 'the invitation metadata becomes the user\'s');

  const fresh = new FapiClient(gh, { origin: ORIGIN });
  await fresh.fail('POST', '/client/sign_ups', createBody({ strategy: 'ticket', ticket }), 400, 'ticket_already_used');
  await fresh.fail('POST', '/client/sign_ups', createBody({ strategy: 'ticket', ticket: 'x'.repeat(43) }), 400,
    'ticket_invalid');

  // Revoked before use, and revoked between create and completion.
  const inv2 = await clerk.invitations.createInvitation({ emailAddress: mail('inv2') });
  const t2 = ticketOf(inv2.url);
  const mid = await create(fresh, { strategy: 'ticket', ticket: t2 });
  await clerk.invitations.revokeInvitation(inv2.id);
  await fresh.fail('PATCH', `/client/sign_ups/${mid.response.id}`, { password: strongPassword() }, 400,
    'ticket_revoked');
  assert.equal((await fresh.client()).sessions.length, 0, 'nothing half-made');
  assert.equal((await clerk.users.getUserList({ emailAddress: [mail('inv2')] })).data.length, 0);
  await new FapiClient(gh, { origin: ORIGIN }).fail('POST', '/client/sign_ups',
    createBody({ strategy: 'ticket', ticket: t2 }), 400, 'ticket_revoked');

  // For the expiry test below (one day; the clock jumps two).
  const inv3 = await clerk.invitations.createInvitation({ emailAddress: mail('inv3'), expiresInDays: 1 });
  appInvitationForExpiry = ticketOf(inv3.url);
  const ab = new FapiClient(gh, { origin: ORIGIN });
  abandonLater = { fc: ab, id: (await create(ab, { email_address: mail('ab') })).response.id };
});

test('organization invitation ticket: one request completes and adds the membership', async () => {
  const admin = await clerk.users.createUser({ emailAddress: [mail('orgadmin')], password: strongPassword() });
  const org = await clerk.organizations.createOrganization({ name: `SignUp ${tag}`, createdBy: admin.id });
  const email = mail('orgm');
  const inv = await clerk.organizations.createOrganizationInvitation({
    organizationId: org.id, emailAddress: email, role: 'org:member', inviterUserId: admin.id,
    publicMetadata: { seat: 7 },
  });
  const ticket = ticketOf(inv.url);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const password = strongPassword();
  gh.sensitive(password);
  const r = await create(fc, { strategy: 'ticket', ticket, password, first_name: 'Org' });
  const su = await assertSignedIn(r, email);
  const user = r.client.sessions[0].user;
  assert.deepEqual(user.organization_memberships.map((m) => [m.organization.id, m.role]), [[org.id, 'org:member']]);
  const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  const m = members.data.find((x) => x.publicUserData.userId === su.created_user_id);
  assert.equal(m.role, 'org:member');
  assert.deepEqual(m.publicMetadata, { seat: 7 });
  const invs = await clerk.organizations.getOrganizationInvitationList({ organizationId: org.id, status: ['accepted'] });
  assert.deepEqual(invs.data.map((i) => i.id), [inv.id]);
});

test('expired code (GATEHOUSE_CODE_TTL_SECONDS=1)', async () => {
  await reconfigure([], { GATEHOUSE_CODE_TTL_SECONDS: '1' });
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const r = await create(fc, { email_address: mail('exp', true), password: strongPassword() });
  const p = await fc.post(`/client/sign_ups/${r.response.id}/prepare_verification`, { strategy: 'email_code' });
  assert.ok(p.response.verifications.email_address.expire_at <= Date.now() + 1500);
  await sleep(1200);
  const e = await fc.fail('POST', `/client/sign_ups/${r.response.id}/attempt_verification`,
    { strategy: 'email_code', code: '424242' }, 422, 'verification_expired');
  assert.equal(e.meta.param_name, 'code');
  const g = await fc.get(`/client/sign_ups/${r.response.id}`);
  assert.equal(g.response.verifications.email_address.status, 'expired');
  assert.equal(g.response.verifications.email_address.next_action, 'needs_prepare');
});

test('two days later: expired invitation ticket, abandoned sign-up', async () => {
  await reconfigure([], { GATEHOUSE_CODE_TTL_SECONDS: undefined, GATEHOUSE_CLOCK_SKEW_SECONDS: String(2 * 86400) });
  const fc = new FapiClient(gh, { origin: ORIGIN });
  await fc.fail('POST', '/client/sign_ups', createBody({ strategy: 'ticket', ticket: appInvitationForExpiry }), 400,
    'ticket_expired');
  const g = await abandonLater.fc.get(`/client/sign_ups/${abandonLater.id}`);
  assert.equal(g.response.status, 'abandoned');
  await abandonLater.fc.fail('PATCH', `/client/sign_ups/${abandonLater.id}`, { password: strongPassword() }, 400,
    'sign_up_not_ready');
  await abandonLater.fc.fail('POST', `/client/sign_ups/${abandonLater.id}/prepare_verification`,
    { strategy: 'email_code' }, 400, 'sign_up_not_ready');
});

test('allowlist_only: only allowlisted addresses (and invitations) sign up', async () => {
  await reconfigure(['allowlist_only=true'], { GATEHOUSE_CLOCK_SKEW_SECONDS: undefined });
  const env = await new FapiClient(gh).get('/environment');
  assert.equal(env.user_settings.sign_up.allowlist_only, true);
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const e = await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('al') }), 403,
    'not_allowed_access');
  assert.equal(e.meta.param_name, 'email_address');
  await clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: `*@allowed-${tag}.test`, notify: false });
  const r = await create(fc, { email_address: `someone@allowed-${tag}.test` });
  assert.equal(r.response.status, 'missing_requirements');
  // The blocklist still wins over the allowlist.
  await clerk.blocklistIdentifiers.createBlocklistIdentifier({ identifier: `bad@allowed-${tag}.test` });
  await fc.fail('POST', '/client/sign_ups', createBody({ email_address: `bad@allowed-${tag}.test` }), 403,
    'not_allowed_access');
  // An invitation is the operator's own allowlisting.
  const inv = await clerk.invitations.createInvitation({ emailAddress: mail('al-inv') });
  const done = await create(fc, { strategy: 'ticket', ticket: ticketOf(inv.url), password: strongPassword() });
  await assertSignedIn(done, mail('al-inv'));
});

test('restricted (invitation-only) mode: refused without a ticket, fine with one', async () => {
  await reconfigure(['allowlist_only=false', 'sign_up_mode=restricted']);
  const env = await new FapiClient(gh).get('/environment');
  assert.equal(env.user_settings.sign_up.mode, 'restricted');
  const fc = new FapiClient(gh, { origin: ORIGIN });
  await fc.fail('POST', '/client/sign_ups', createBody({ email_address: mail('rs'), password: strongPassword() }), 403,
    'sign_up_mode_restricted');
  await fc.fail('POST', '/client/sign_ups', createBody({}), 403, 'sign_up_mode_restricted');
  const inv = await clerk.invitations.createInvitation({ emailAddress: mail('rs-inv') });
  const ticket = ticketOf(inv.url);
  const r1 = await create(fc, { strategy: 'ticket', ticket });
  // The invited sign-up continues without the ticket (custom flows call update()).
  const r2 = await fc.patch(`/client/sign_ups/${r1.response.id}`, { password: strongPassword() });
  await assertSignedIn(r2, mail('rs-inv'));
  assert.equal((await clerk.invitations.getInvitationList({ query: mail('rs-inv') })).data[0].status, 'accepted');
  await reconfigure(['sign_up_mode=public']);
});

test('usernames on, longer minimum password: fields and refusals follow the settings', async () => {
  await reconfigure(['username_enabled=true', 'min_password_length=12']);
  await clerk.users.createUser({ emailAddress: [mail('un-owner')], username: `taken_${tag}`,
    password: strongPassword() });
  const fc = new FapiClient(gh, { origin: ORIGIN });
  const r = await create(fc, { email_address: mail('un', true), username: `Fresh_${tag}` });
  assert.deepEqual(r.response.optional_fields, ['username', 'first_name', 'last_name']);
  assert.equal(r.response.username, `fresh_${tag}`);
  let e = await fc.fail('PATCH', `/client/sign_ups/${r.response.id}`, { username: `TAKEN_${tag}` }, 422,
    'form_identifier_exists');
  assert.equal(e.meta.param_name, 'username');
  e = await fc.fail('PATCH', `/client/sign_ups/${r.response.id}`, { username: 'ab' }, 422,
    'form_username_invalid_length');
  assert.equal(e.meta.param_name, 'username');
  e = await fc.fail('PATCH', `/client/sign_ups/${r.response.id}`, { password: 'elevenchars' }, 422,
    'form_password_length_too_short');
  assert.match(e.message, /12 characters/);
  const password = 'twelve chars!';
  gh.sensitive(password);
  await fc.patch(`/client/sign_ups/${r.response.id}`, { password });
  await fc.post(`/client/sign_ups/${r.response.id}/prepare_verification`, { strategy: 'email_code' });
  const done = await assertSignedIn(await fc.post(`/client/sign_ups/${r.response.id}/attempt_verification`,
    { strategy: 'email_code', code: '424242' }), mail('un', true));
  assert.equal((await clerk.users.getUser(done.created_user_id)).username, `fresh_${tag}`);
  await reconfigure(['username_enabled=false', 'min_password_length=8']);
});
