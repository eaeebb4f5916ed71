// instance.test.mjs: instance settings (issue 4) through the real SDK
// (clerk.instance.get, update, updateRestrictions, getOrganizationSettings,
// updateOrganizationSettings) and `gatehouse instance show|set`: Clerk's
// shapes, /v1/environment following every change at once on this server
// and within about a second on a second server sharing the database, edits
// from two servers at once both kept, CORS following the instance's allowed
// origins, bad values refused with the parameter named and nothing written,
// and concurrent reads and writes (run under ASan in the suite).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse, Gatehouse } from './lib/server.mjs';
import { clerkFor, expectClerkError, bapi } from './lib/clerk.mjs';
import { freePort, sleep } from './lib/net.mjs';

let gh;
let clerk;

before(async () => {
  gh = await startGatehouse();
  clerk = clerkFor(gh);
});
after(async () => { if (gh) await gh.close(); });

async function env(server = gh) {
  const r = await fetch(`${server.frontendUrl}/v1/environment`);
  assert.equal(r.status, 200);
  return r.json();
}

/** Polls server's environment until pred(env) holds; returns the ms it took. */
async function until(server, pred, what, timeoutMs = 5000) {
  const t0 = Date.now();
  for (;;) {
    const e = await env(server);
    if (pred(e)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(e.display_config)}`);
    await sleep(50);
  }
}

async function show() {
  const r = await gh.admin(['instance', 'show']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('clerk.instance.*: Clerk shapes, defaults', async () => {
  const inst = await clerk.instance.get();
  assert.equal(inst.constructor.name.replace(/^_/, ''), 'Instance');
  assert.match(inst.id, /^ins_/);
  assert.equal(inst.environmentType, 'development');
  assert.deepEqual(inst.allowedOrigins, []);
  assert.equal(await clerk.instance.update({}), undefined); // 204
  const os = await clerk.instance.getOrganizationSettings();
  assert.equal(os.constructor.name.replace(/^_/, ''), 'OrganizationSettings');
  assert.equal(os.enabled, true);
  assert.equal(os.maxAllowedMemberships, 0);
  assert.equal(os.adminDeleteEnabled, true);
  assert.equal(os.creatorRole, 'org:admin');
  const r = await clerk.instance.updateRestrictions({});
  assert.equal(r.constructor.name.replace(/^_/, ''), 'InstanceRestrictions');
  assert.deepEqual({ ...r }, { allowlist: false, blocklist: true, blockEmailSubaddresses: false,
    blockDisposableEmailDomains: false, ignoreDotsForGmailAddresses: false });
});

test('/v1/environment follows every change at once', async () => {
  await clerk.instance.update({
    supportEmail: 'help@acme.test',
    allowedOrigins: ['https://shop.acme.test'],
    preferredSignInStrategyWhenPasswordRequired: 'otp',
    // Gatehouse's own keys go through the same call (snake_cased by the SDK)
    applicationName: 'Acme Shop',
    signInUrl: 'https://shop.acme.test/login',
    signUpUrl: 'https://shop.acme.test/join',
    afterSignInUrl: 'https://shop.acme.test/home',
    afterSignUpUrl: 'https://shop.acme.test/welcome',
    singleSessionMode: false,
    enumerationProtection: false,
    minPasswordLength: 12,
    usernameEnabled: true,
    signUpMode: 'restricted',
  });
  const r = await clerk.instance.updateRestrictions({ allowlist: true, blockEmailSubaddresses: true });
  assert.equal(r.allowlist, true);
  assert.equal(r.blockEmailSubaddresses, true);
  assert.equal(r.blocklist, true, 'untouched');
  const os = await clerk.instance.updateOrganizationSettings({
    enabled: false, maxAllowedMemberships: 7, adminDeleteEnabled: false, domainsEnabled: true,
  });
  assert.equal(os.enabled, false);
  assert.equal(os.maxAllowedMemberships, 7);
  assert.equal(os.adminDeleteEnabled, false);
  assert.equal(os.domainsEnabled, true);
  assert.deepEqual((await clerk.instance.get()).allowedOrigins, ['https://shop.acme.test']);

  const e = await env();
  assert.equal(e.display_config.application_name, 'Acme Shop');
  assert.equal(e.display_config.support_email, 'help@acme.test');
  assert.equal(e.display_config.preferred_sign_in_strategy, 'otp');
  assert.equal(e.display_config.sign_in_url, 'https://shop.acme.test/login');
  assert.equal(e.display_config.sign_up_url, 'https://shop.acme.test/join');
  assert.equal(e.display_config.after_sign_in_url, 'https://shop.acme.test/home');
  assert.equal(e.display_config.after_sign_up_url, 'https://shop.acme.test/welcome');
  assert.equal(e.auth_config.single_session_mode, false);
  assert.equal(e.user_settings.attack_protection.enumeration_protection.enabled, false);
  assert.equal(e.user_settings.password_settings.min_length, 12);
  assert.equal(e.user_settings.attributes.username.enabled, true);
  assert.equal(e.user_settings.sign_up.mode, 'restricted');
  assert.equal(e.user_settings.sign_up.allowlist_only, true);
  assert.equal(e.organization_settings.enabled, false);
  assert.equal(e.organization_settings.max_allowed_memberships, 7);
  assert.equal(e.organization_settings.actions.admin_delete, false);

  // Clerk's null leaves a value alone; Gatehouse keys reset with null.
  await clerk.instance.update({ supportEmail: null, applicationName: null, signUpMode: null,
    preferredSignInStrategyWhenPasswordRequired: '' });
  const e2 = await env();
  assert.equal(e2.display_config.support_email, 'help@acme.test');
  assert.equal(e2.display_config.application_name, 'Gatehouse');
  assert.equal(e2.display_config.preferred_sign_in_strategy, 'password');
  assert.equal(e2.user_settings.sign_up.mode, 'public');
  assert.equal(e2.display_config.sign_in_url, 'https://shop.acme.test/login');
  const s = await show();
  assert.equal(s.min_password_length, 12);
  assert.equal(s.domains_enabled, true);
  assert.deepEqual(s.allowed_origins, ['https://shop.acme.test']);
});

test('bad settings: Clerk error shape naming the parameter, nothing written', async () => {
  const before = await show();
  const cases = [
    [() => clerk.instance.update({ supportEmail: 'not an email' }), 'form_param_format_invalid', 'support_email'],
    [() => clerk.instance.update({ allowedOrigins: ['https://x.test/path'] }), 'form_param_format_invalid', 'allowed_origins'],
    [() => clerk.instance.update({ allowedOrigins: 'https://x.test' }), 'form_param_format_invalid', 'allowed_origins'],
    [() => clerk.instance.update({ allowedRedirectUrls: ['javascript:alert(1)'] }), 'form_param_format_invalid', 'allowed_redirect_urls'],
    [() => clerk.instance.update({ minPasswordLength: 7, applicationName: 'Never' }), 'form_param_format_invalid', 'min_password_length'],
    [() => clerk.instance.update({ signUpMode: 'waitlist' }), 'form_param_value_invalid', 'sign_up_mode'],
    [() => clerk.instance.update({ noSuchSetting: true }), 'form_param_unknown', 'no_such_setting'],
    [() => clerk.instance.update({ hibp: 'yes' }), 'form_param_format_invalid', 'hibp'],
    [() => clerk.instance.updateRestrictions({ allowlist: 'yes' }), 'form_param_format_invalid', 'allowlist'],
    [() => clerk.instance.updateRestrictions({ applicationName: 'x' }), 'form_param_unknown', 'application_name'],
    [() => clerk.instance.updateOrganizationSettings({ maxAllowedMemberships: -1 }), 'form_param_format_invalid', 'max_allowed_memberships'],
  ];
  // thunks: a request started before its turn could reject unhandled
  for (const [p, code, param] of cases) {
    const err = await expectClerkError(p(), 422, code);
    assert.equal(err.errors[0].meta.paramName, param, JSON.stringify(err.errors));
  }
  const raw = await bapi(gh, 'PATCH', '/v1/instance', { body: '[1]' });
  assert.equal(raw.status, 400);
  assert.deepEqual(await show(), before);
});

test('CORS follows the instance allowed origins, at once', async () => {
  const origin = 'https://app.cors.test';
  const get = () => fetch(`${gh.frontendUrl}/v1/environment`, { headers: { Origin: origin } });
  const pre = () => fetch(`${gh.frontendUrl}/v1/client`, { method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
  assert.equal((await get()).headers.get('access-control-allow-origin'), null);
  assert.equal((await pre()).status, 403);
  await clerk.instance.update({ allowedOrigins: ['https://shop.acme.test', origin] });
  const r = await get();
  assert.equal(r.headers.get('access-control-allow-origin'), origin);
  assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
  assert.equal((await pre()).status, 204);
  const evil = await fetch(`${gh.frontendUrl}/v1/environment`, { headers: { Origin: `${origin}.evil.test` } });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  await clerk.instance.update({ allowedOrigins: [] });
  assert.equal((await get()).headers.get('access-control-allow-origin'), null);
});

test('gatehouse instance set/show; a running server follows within a second', async () => {
  const r = await gh.admin(['instance', 'set', 'application_name=Set From CLI', 'totp_enabled=false',
    'allowed_redirect_urls=https://shop.acme.test/cb, myapp://cb']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.application_name, 'Set From CLI');
  assert.deepEqual(s.allowed_redirect_urls, ['https://shop.acme.test/cb', 'myapp://cb']);
  const ms = await until(gh, (e) => e.display_config.application_name === 'Set From CLI', 'the CLI change');
  assert.ok(ms < 3000, `${ms} ms`);
  assert.equal((await env()).user_settings.attributes.authenticator_app.enabled, false);
  const bad = await gh.admin(['instance', 'set', 'colour=blue']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /colour: .*not an instance setting/);
  const bad2 = await gh.admin(['instance', 'set', 'min_password_length=3']);
  assert.equal(bad2.code, 1);
  assert.match(bad2.stderr, /min_password_length/);
  const usage = await gh.admin(['instance', 'set']);
  assert.equal(usage.code, 2);
  await gh.admin(['instance', 'set', 'totp_enabled=', 'application_name=']);
});

test('a second server on the same database: changes within a second, no lost edits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gh-it2-'));
  const frontendPort = await freePort();
  const backendPort = await freePort();
  const gh2 = new Gatehouse({
    db: gh.db, dir, frontendPort, backendPort, dbUrl: gh.dbUrl, keyFile: gh.keyFile,
    env: { ...gh.env, GATEHOUSE_FRONTEND_URL: gh.frontendUrl }, // same instance URL: same publishable key
    frontendUrl: `http://127.0.0.1:${frontendPort}`, backendUrl: `http://127.0.0.1:${backendPort}`,
  });
  gh2.apiUrl = gh2.backendUrl;
  gh2.secretKey = gh.secretKey;
  try {
    await gh2.spawn();
    const clerk2 = clerkFor(gh2);
    await env(gh2); // gh2 has a cached copy now
    await clerk.instance.update({ applicationName: 'Changed On One' });
    const ms = await until(gh2, (e) => e.display_config.application_name === 'Changed On One', 'gh2 to follow');
    assert.ok(ms < 2500, `the other server took ${ms} ms`);
    await clerk2.instance.update({ supportEmail: 'two@acme.test' });
    await until(gh, (e) => e.display_config.support_email === 'two@acme.test', 'gh to follow');

    // Both servers edit different keys at once, many times: every edit lands.
    const jobs = [];
    for (let i = 0; i < 10; i++) {
      jobs.push(clerk.instance.update({ homeUrl: `https://one.acme.test/${i}` }));
      jobs.push(clerk2.instance.updateOrganizationSettings({ maxAllowedMemberships: 100 + i }));
    }
    await Promise.all(jobs);
    await clerk.instance.update({ homeUrl: 'https://one.acme.test/final' });
    await clerk2.instance.updateOrganizationSettings({ maxAllowedMemberships: 999 });
    const s = await show();
    assert.equal(s.home_url, 'https://one.acme.test/final');
    assert.equal(s.max_allowed_memberships, 999);
    assert.equal(s.application_name, 'Changed On One');
    assert.equal(s.support_email, 'two@acme.test');
    await until(gh2, (e) => e.display_config.home_url === 'https://one.acme.test/final', 'gh2 final');
    await until(gh, (e) => e.organization_settings.max_allowed_memberships === 999, 'gh final');
    await gh2.close();
  } finally {
    await gh2.cleanup();
  }
});

test('concurrent reads and writes; settings survive a restart', async () => {
  const writes = [];
  const reads = [];
  for (let i = 0; i < 30; i++) writes.push(clerk.instance.update({ minPasswordLength: 8 + (i % 20) }));
  for (let i = 0; i < 150; i++) {
    reads.push(env().then((e) => {
      const n = e.user_settings.password_settings.min_length;
      assert.ok(n >= 8 && n <= 27, `min_length ${n}`);
    }));
  }
  await Promise.all([...writes, ...reads]);
  await clerk.instance.update({ minPasswordLength: 10, applicationName: 'Persisted' });
  await gh.restart();
  const e = await env();
  assert.equal(e.user_settings.password_settings.min_length, 10);
  assert.equal(e.display_config.application_name, 'Persisted');
});
