// flows.test.mjs: Clerk's prebuilt components end to end against Gatehouse's
// Frontend API (issue 4), in Debian's chromium, written against
// shared/spec/clerk-frontend-api.md §3: sign-up with the code read from the
// SMTP sink, sign-out, sign-in with password and with an emailed code,
// password reset, the components' errors for a wrong code and a wrong
// password, UserProfile, organizations and the token's `o` claim, a Backend
// API revoke ending the browser session at its next refresh, and Gatehouse's
// hosted /sign-in page. scripts/test.sh runs this file unless GH_BROWSER_FLOWS=0.
// Each test makes its own user (Backend API) in its own browser context and
// saves a screenshot of the component it exercised (artifacts/).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, browserTest, extractCode } from './lib/stack.mjs';
import {
  PASSWORD, freshEmail, state, loaded, waitSignedIn, primaryButton, typeCode, enterIdentifier,
  clearCode, signInWithPassword, createUser, pageToken,
} from './lib/clerk_ui.mjs';

let stack;
before(async () => {
  // Short tokens so "the next refresh" (spec §6: ~15 s before exp) comes soon;
  // reuse 0 so every refresh really mints (and so re-reads the session).
  stack = await startStack({ env: { GATEHOUSE_TOKEN_TTL_SECONDS: '20', GATEHOUSE_TOKEN_REUSE_SECONDS: '0' } });
});
after(async () => { await stack?.close(); });
const bt = (name, fn) => browserTest(() => stack, name, fn, { timeout: 120000 });
const app = () => stack.app.url;

bt('sign-up: email + password, then the code from the email', async (s) => {
  const email = freshEmail('signup');
  const { page } = s;
  await page.goto(`${app()}/sign-up`);
  assert.equal((await loaded(page)).signedIn, false);
  await page.locator('input[name=emailAddress]').fill(email);
  await page.locator('input[name=password]').fill(PASSWORD);
  stack.gh.sensitive(PASSWORD);
  await primaryButton(page).click();
  await page.waitForURL(/\/sign-up\/verify-email-address/);
  await page.getByLabel('Enter verification code').waitFor();
  await s.shot('sign-up-verify-email');

  const mail = await stack.smtp.waitForMail(email);
  const code = extractCode(mail);
  stack.gh.sensitive(code);
  assert.ok(mail.subject.length > 0, 'the code mail has no subject');
  assert.match(mail.text, new RegExp(code), 'the plain-text part carries the code');
  assert.match(mail.html, new RegExp(code), 'the HTML part carries the code');
  assert.match(`${mail.subject} ${mail.text}`, /Gatehouse/, 'the mail names the instance');
  await typeCode(page, code);
  await page.waitForURL(`${app()}/`);
  const st = await waitSignedIn(page);
  assert.equal(st.email, email);
  assert.match(st.userId, /^user_/);
  assert.match(st.sessionId, /^sess_/);

  const users = await stack.bapi('GET', `/v1/users?email_address=${encodeURIComponent(email)}`);
  assert.equal(users.status, 200);
  assert.equal(users.body.length, 1);
  assert.equal(users.body[0].id, st.userId);
  assert.equal(users.body[0].password_enabled, true);
  assert.equal(users.body[0].email_addresses[0].verification.status, 'verified');
  // The page's network: the sign-up calls of spec §3.2, all on Gatehouse.
  assert.ok(s.requestsTo('/v1/client/sign_ups').length >= 2);
  await page.locator('.cl-userButtonTrigger').waitFor();
  await s.shot('user-button-signed-in');
});

bt('sign-out through <UserButton/> ends the session; a reload stays signed out', async (s) => {
  const email = freshEmail('signout');
  const user = await createUser(stack, { email });
  const { page } = s;
  const st = await signInWithPassword(page, app(), email);
  assert.equal(st.userId, user.id);
  await page.locator('.cl-userButtonTrigger').click();
  await page.locator('.cl-userButtonPopoverActionButton__signOut').waitFor();
  await s.shot('user-button-menu');
  await page.locator('.cl-userButtonPopoverActionButton__signOut').click();
  await waitSignedIn(page, false);
  await page.reload();
  assert.equal((await loaded(page)).signedIn, false);
  const sess = await stack.bapi('GET', `/v1/sessions/${st.sessionId}`);
  assert.equal(sess.status, 200);
  assert.notEqual(sess.body.status, 'active', 'the server still holds the session as active');
});

bt('sign-in with password; the token is Gatehouse-signed with azp = the app origin', async (s) => {
  const email = freshEmail('signin');
  const user = await createUser(stack, { email, firstName: 'Grace' });
  const { page } = s;
  await enterIdentifier(page, app(), email);
  await page.locator('input[name=password]').waitFor();
  await s.shot('sign-in-factor-one-password');
  await page.locator('input[name=password]').fill(PASSWORD);
  await primaryButton(page).click();
  await page.waitForURL(`${app()}/`);
  const st = await waitSignedIn(page);
  assert.equal(st.userId, user.id);
  assert.equal(st.firstName, 'Grace');
  const claims = await stack.verifyJwt(await pageToken(page));
  assert.equal(claims.sub, user.id);
  assert.equal(claims.sid, st.sessionId);
  assert.equal(claims.azp, app());
  assert.ok(claims.exp - claims.iat <= 20, 'token lifetime follows GATEHOUSE_TOKEN_TTL_SECONDS');
  // A reload keeps the session (the __client cookie on Gatehouse's host).
  await page.reload();
  assert.equal((await waitSignedIn(page)).sessionId, st.sessionId);
});

bt('sign-in with an emailed code ("use another method")', async (s) => {
  const email = freshEmail('emailcode');
  const user = await createUser(stack, { email });
  const { page } = s;
  await enterIdentifier(page, app(), email);
  await page.locator('.cl-footerActionLink', { hasText: 'Use another method' }).click();
  await page.getByRole('button', { name: `Email code to ${email}` }).click();
  await page.getByLabel('Enter verification code').waitFor();
  const code = extractCode(await stack.smtp.waitForMail(email));
  stack.gh.sensitive(code);
  await s.shot('sign-in-email-code');
  await typeCode(page, code);
  await page.waitForURL(`${app()}/`);
  assert.equal((await waitSignedIn(page)).userId, user.id);
});

bt('+clerk_test addresses get no mail and accept 424242 (development instance)', async (s) => {
  const email = freshEmail('devcode').replace('@', '+clerk_test@');
  const user = await createUser(stack, { email });
  const { page } = s;
  await enterIdentifier(page, app(), email);
  await page.locator('.cl-footerActionLink', { hasText: 'Use another method' }).click();
  await page.getByRole('button', { name: `Email code to ${email}` }).click();
  await typeCode(page, '424242');
  await page.waitForURL(`${app()}/`);
  assert.equal((await waitSignedIn(page)).userId, user.id);
  assert.deepEqual(stack.smtp.sentTo(email), [], 'a +clerk_test address was sent mail');
});

bt('password reset with the emailed code, then sign-in with the new password', async (s) => {
  const email = freshEmail('reset');
  const user = await createUser(stack, { email });
  const newPassword = 'Gatehouse-Reset-7w';
  stack.gh.sensitive(newPassword);
  const { page } = s;
  await enterIdentifier(page, app(), email);
  await page.locator('.cl-formFieldAction__password', { hasText: 'Forgot password?' }).click();
  await page.getByRole('button', { name: 'Reset your password' }).click();
  await page.getByLabel('Enter verification code').waitFor();
  const code = extractCode(await stack.smtp.waitForMail(email));
  stack.gh.sensitive(code);
  await typeCode(page, code);
  await page.waitForURL(/\/sign-in\/reset-password/);
  await page.locator('input[name=password]').fill(newPassword);
  await page.locator('input[name=confirmPassword]').fill(newPassword);
  await s.shot('sign-in-reset-password');
  await primaryButton(page, 'Reset Password').click();
  await page.waitForURL(`${app()}/`);
  assert.equal((await waitSignedIn(page)).userId, user.id);

  const oldPw = await stack.bapi('POST', `/v1/users/${user.id}/verify_password`, { password: PASSWORD });
  assert.notEqual(oldPw.status, 200, 'the old password still works');
  const newPw = await stack.bapi('POST', `/v1/users/${user.id}/verify_password`, { password: newPassword });
  assert.equal(newPw.status, 200);
  assert.equal(newPw.body.verified, true);
});

bt('a wrong code shows the component\'s error; the right one then completes the sign-up', async (s) => {
  const email = freshEmail('wrongcode').replace('@', '+clerk_test@');
  const { page } = s;
  await page.goto(`${app()}/sign-up`);
  await page.locator('input[name=emailAddress]').fill(email);
  await page.locator('input[name=password]').fill(PASSWORD);
  await primaryButton(page).click();
  await page.waitForURL(/\/sign-up\/verify-email-address/);
  await typeCode(page, '111111');
  const error = page.locator('.cl-otpCodeFieldErrorText');
  await error.waitFor();
  assert.match(await error.textContent(), /incorrect/i);
  await s.shot('sign-up-wrong-code');
  assert.equal((await state(page)).signedIn, false);
  assert.equal((await stack.bapi('GET', `/v1/users?email_address=${encodeURIComponent(email)}`)).body.length, 0);
  await clearCode(page);
  await typeCode(page, '424242');
  await page.waitForURL(`${app()}/`);
  assert.equal((await waitSignedIn(page)).email, email);
});

bt('a wrong password shows the error on the password field', async (s) => {
  const email = freshEmail('wrongpw');
  await createUser(stack, { email });
  const { page } = s;
  await enterIdentifier(page, app(), email);
  await page.locator('input[name=password]').fill('not-the-password-1');
  await primaryButton(page).click();
  const error = page.locator('.cl-formFieldErrorText__password');
  await error.waitFor();
  assert.match(await error.textContent(), /incorrect/i);
  await s.shot('sign-in-wrong-password');
  assert.equal((await state(page)).signedIn, false);
  assert.match(page.url(), /\/sign-in\/factor-one/);
});

bt('<UserProfile/>: changing the name reaches the server and the session', async (s) => {
  const email = freshEmail('profile');
  const user = await createUser(stack, { email });
  const { page } = s;
  await signInWithPassword(page, app(), email);
  await page.goto(`${app()}/user`);
  await page.locator('.cl-profileSectionPrimaryButton__profile').click();
  await page.locator('input[name=firstName]').fill('Ada');
  await page.locator('input[name=lastName]').fill('Lovelace');
  await primaryButton(page, 'Save').click();
  await page.waitForFunction(() => window.__ghState().lastName === 'Lovelace');
  await page.locator('#mount').getByText('Ada Lovelace').first().waitFor();
  await s.shot('user-profile-name-changed');
  const st = await state(page);
  assert.equal(st.firstName, 'Ada');
  assert.equal(st.lastName, 'Lovelace');
  const u = await stack.bapi('GET', `/v1/users/${user.id}`);
  assert.equal(u.body.first_name, 'Ada');
  assert.equal(u.body.last_name, 'Lovelace');
  assert.ok(s.requestsTo('/v1/me').length >= 1);
});

bt('organizations: <CreateOrganization/> makes it active, the token carries `o`, the switcher switches', async (s) => {
  const email = freshEmail('orgs');
  const user = await createUser(stack, { email });
  const { page } = s;
  await signInWithPassword(page, app(), email);
  await page.goto(`${app()}/create-org`);
  await page.locator('input[name=name]').fill('Acme Rockets');
  await page.locator('input[name=slug]').fill(`acme-${Date.now().toString(36)}`);
  const slug = await page.locator('input[name=slug]').inputValue();
  await s.shot('create-organization');
  await primaryButton(page, 'Create organization').click();
  await page.waitForURL(`${app()}/`);
  await page.waitForFunction(() => window.__ghState().orgId !== null);
  const st = await state(page);
  assert.match(st.orgId, /^org_/);
  assert.equal(st.orgName, 'Acme Rockets');

  const claims = await stack.verifyJwt(await pageToken(page));
  assert.equal(claims.sub, user.id);
  assert.equal(claims.o?.id, st.orgId, `token claims: ${JSON.stringify(claims)}`);
  assert.equal(claims.o?.slg, slug);
  assert.equal(claims.o?.rol, 'admin');
  const org = await stack.bapi('GET', `/v1/organizations/${st.orgId}`);
  assert.equal(org.status, 200);
  assert.equal(org.body.slug, slug);

  // <OrganizationSwitcher/>: back to the personal account, the claim goes away.
  await page.locator('.cl-organizationSwitcherTrigger', { hasText: 'Acme Rockets' }).click();
  await s.shot('organization-switcher');
  await page.locator('.cl-organizationSwitcherPopoverCard').getByText('Personal account').click();
  await page.waitForFunction(() => window.__ghState().orgId === null);
  const personal = await stack.verifyJwt(await pageToken(page));
  assert.equal(personal.o, undefined);

  // <OrganizationProfile/> lists the creator as a member.
  await page.evaluate((id) => window.Clerk.setActive({ organization: id }), st.orgId);
  await page.goto(`${app()}/org`);
  await page.locator('#mount').getByText('Acme Rockets').first().waitFor();
  await page.locator('#mount').getByRole('button', { name: 'Members' }).click();
  await page.locator('#mount').getByText(email).first().waitFor();
  await s.shot('organization-profile');
});

bt('a Backend API revoke ends the browser session at its next token refresh', async (s) => {
  const email = freshEmail('revoke');
  await createUser(stack, { email });
  const { page } = s;
  const st = await signInWithPassword(page, app(), email);
  const r = await stack.bapi('POST', `/v1/sessions/${st.sessionId}/revoke`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'revoked');
  // No interaction: clerk-js's own background refresh (20 s tokens → every ~5 s)
  // gets a 401, re-reads the client and signs out locally (spec §2.2, §6).
  // Whichever background request notices first (a token refresh, or the
  // client re-read it triggers) must sign the page out without interaction.
  const t0 = Date.now();
  await waitSignedIn(page, false, 45000);
  const seen = s.requestsTo('/v1/client');
  assert.ok(seen.length >= 1, 'signed out without asking Gatehouse');
  await page.reload();
  assert.equal((await loaded(page)).signedIn, false);
  console.log(`# revoke noticed after ${Date.now() - t0} ms`);
});

bt('Gatehouse\'s hosted /sign-in page signs in and redirects back to the app', async (s) => {
  const email = freshEmail('hosted');
  const user = await createUser(stack, { email });
  const { page } = s;
  const back = `${app()}/`;
  // The app's URL must be allowlisted (exact match) to be a redirect target.
  const up = await stack.bapi('PATCH', '/v1/instance', { allowed_redirect_urls: [back] });
  assert.ok(up.status === 200 || up.status === 204, JSON.stringify(up.body));
  await page.goto(`${stack.gh.frontendUrl}/sign-in?redirect_url=${encodeURIComponent(back)}`);
  await page.locator('input[name=identifier]').fill(email);
  await primaryButton(page).click();
  await page.getByRole('heading', { name: 'Enter your password' }).waitFor();
  await page.locator('input[name=password]').fill(PASSWORD);
  await s.shot('hosted-sign-in');
  await primaryButton(page).click();
  await page.waitForURL((u) => u.href.startsWith(back));
  const st = await waitSignedIn(page);
  assert.equal(st.userId, user.id);
  // A redirect_url that is not allowlisted is ignored: the hosted page sends
  // a signed-in visitor to its own /user page instead (catalogue BI-14).
  await page.goto(`${stack.gh.frontendUrl}/sign-in?redirect_url=${encodeURIComponent('https://evil.example/')}`);
  await page.waitForURL((u) => u.href.startsWith(`${stack.gh.frontendUrl}/user`));
  await s.shot('hosted-user');
});
