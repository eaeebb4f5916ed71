// clerk_ui.mjs: what a person does with Clerk's prebuilt components, as
// Playwright steps. Selectors are the stable "cl-*" element classes and input
// names of @clerk/ui 1.36 (its appearance API promises them to apps) and its
// en-US texts; every step waits for the component, never for a fixed time.
import assert from 'node:assert/strict';

export const PASSWORD = 'Gatehouse-Browser-9q';

/** A fresh address (no +clerk_test: real mail goes to the SMTP sink). */
export function freshEmail(tag) {
  return `${tag}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

/** What clerk-js believes right now (see app.mjs: window.__ghState). */
export function state(page) {
  return page.evaluate(() => window.__ghState());
}

/** Waits until Clerk.load() settled on an app page and returns the state. */
export async function loaded(page) {
  await page.waitForFunction(() => window.__ghReady !== undefined && window.__ghState && window.Clerk.loaded,
    null, { timeout: 20000 });
  return state(page);
}

/** Waits until clerk-js reports a signed-in user (or `signedIn: false`). */
export async function waitSignedIn(page, signedIn = true, timeout = 20000) {
  await page.waitForFunction((want) => window.__ghState && window.Clerk.loaded &&
    window.__ghState().signedIn === want, signedIn, { timeout });
  return state(page);
}

export const primaryButton = (page, name = 'Continue') =>
  page.locator('.cl-formButtonPrimary', { hasText: name });

/** Types a code into the one-time-code field (it submits itself at 6 digits). */
export async function typeCode(page, code) {
  const field = page.getByLabel('Enter verification code');
  await field.waitFor();
  await field.pressSequentially(code, { delay: 30 });
}

/** Empties the one-time-code field after a rejected code. */
export async function clearCode(page) {
  const field = page.getByLabel('Enter verification code');
  await field.click();
  await page.keyboard.press('End');
  for (let i = 0; i < 6; i++) await page.keyboard.press('Backspace');
}

/** <SignIn/> step one: the identifier, then Continue → factor one. */
export async function enterIdentifier(page, appUrl, email) {
  await page.goto(`${appUrl}/sign-in`);
  await page.locator('input[name=identifier]').fill(email);
  await primaryButton(page).click();
  await page.waitForURL(/\/sign-in\/factor-one/);
}

/** The full password sign-in on the app's /sign-in; ends signed in on "/". */
export async function signInWithPassword(page, appUrl, email, password = PASSWORD) {
  await enterIdentifier(page, appUrl, email);
  await page.locator('input[name=password]').fill(password);
  await primaryButton(page).click();
  await page.waitForURL(`${appUrl}/`);
  return waitSignedIn(page);
}

/** Creates a user through the Backend API; returns the user JSON. */
export async function createUser(stack, { email, password = PASSWORD, firstName } = {}) {
  const r = await stack.bapi('POST', '/v1/users', {
    email_address: [email],
    password,
    ...(firstName ? { first_name: firstName } : {}),
  });
  assert.equal(r.status, 200, `createUser: ${r.text}`);
  stack.gh.sensitive(password);
  return r.body;
}

/** A fresh session token from the page's clerk-js (skipCache forces a mint). */
export async function pageToken(page, opts = { skipCache: true }) {
  const jwt = await page.evaluate((o) => window.__ghToken(o), opts);
  assert.ok(jwt, 'clerk-js returned no session token');
  return jwt;
}
