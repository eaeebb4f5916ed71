// passwords.test.mjs (issue 6, catalogue CRED-01, CRED-03, REL-13): the
// password policy through @clerk/backend: common passwords refused with
// form_password_pwned, long passphrases accepted, the length cap; and the
// optional breached-password check against a loopback stand-in for the
// k-anonymity range API: only a 5-digit hash prefix leaves the server, a
// listed hash is refused, and an unreachable API fails open (logged).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq, expectClerkError, strongPassword } from './lib/clerk.mjs';

const tag = uniq();
const servers = [];
after(async () => { for (const s of servers) await s.cleanup(); });

let gh;
let clerk;
before(async () => {
  gh = await startGatehouse();
  servers.push(gh);
  clerk = clerkFor(gh);
});

const email = (n) => [`${n}.${tag}@example.com`];

test('CRED-03: common passwords → 422 form_password_pwned on create and update', async () => {
  for (const pw of ['password', '12345678', 'qwertyuiop', 'Password1!', 'iloveyou', 'baseball']) {
    const e = await expectClerkError(clerk.users.createUser({ emailAddress: email(`c${uniq(3)}`), password: pw }),
      422, 'form_password_pwned');
    assert.equal(e.errors[0].meta.paramName, 'password');
  }
  const u = await clerk.users.createUser({ emailAddress: email('upd') });
  await expectClerkError(clerk.users.updateUser(u.id, { password: 'letmein!' }), 422, 'form_password_pwned');
  // skip_password_checks (plaintext migrations) skips the list, as Clerk's does
  const s = await clerk.users.createUser({ emailAddress: email('skip'), password: 'sunshine', skipPasswordChecks: true });
  assert.equal(s.passwordEnabled, true);
});

test('CRED-01: 8 to 1024 bytes accepted (passphrases of 256+), longer refused before hashing', async () => {
  const phrase = `${'correct horse battery staple '.repeat(10)}${tag}`; // 290+ bytes
  gh.sensitive(phrase);
  const u = await clerk.users.createUser({ emailAddress: email('phrase'), password: phrase });
  assert.deepEqual(await clerk.users.verifyPassword({ userId: u.id, password: phrase }), { verified: true });
  await expectClerkError(clerk.users.verifyPassword({ userId: u.id, password: phrase.slice(0, -1) }), 422);
  await expectClerkError(clerk.users.createUser({ emailAddress: email('long'), password: 'x'.repeat(1025) }),
    422, 'form_password_length_too_long');
  await expectClerkError(clerk.users.createUser({ emailAddress: email('short'), password: 'Zq9!x7' }),
    422, 'form_password_length_too_short');
});

/** A loopback range API: answers /range/<5 hex> with padding plus `listed` hashes. */
function rangeServer(listed) {
  const seen = [];
  const srv = http.createServer((req, res) => {
    seen.push({ url: req.url, padding: req.headers['add-padding'] });
    const m = /^\/range\/([0-9A-F]{5})$/.exec(req.url);
    if (!m) { res.writeHead(404).end(); return; }
    const lines = [];
    for (let i = 0; i < 20; i++) lines.push(`${createHash('sha1').update(`pad${i}`).digest('hex').toUpperCase().slice(5)}:0`);
    for (const h of listed) if (h.startsWith(m[1])) lines.push(`${h.slice(5)}:42`);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(lines.join('\r\n'));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ srv, seen, port: srv.address().port })));
}

test('breached-password hook: a listed hash is refused; only its 5-digit prefix is sent', async () => {
  const breached = strongPassword();
  const fine = strongPassword();
  const sha = (s) => createHash('sha1').update(s).digest('hex').toUpperCase();
  const api = await rangeServer([sha(breached)]);
  const g = await startGatehouse({ env: { GATEHOUSE_PWNED_URL: `http://127.0.0.1:${api.port}/` } });
  servers.push(g);
  g.sensitive(breached, fine, sha(breached), sha(fine));
  const c = clerkFor(g);
  const e = await expectClerkError(c.users.createUser({ emailAddress: email('br'), password: breached }),
    422, 'form_password_pwned');
  assert.equal(e.errors[0].meta.paramName, 'password');
  const u = await c.users.createUser({ emailAddress: email('fine'), password: fine });
  await expectClerkError(c.users.updateUser(u.id, { password: breached }), 422, 'form_password_pwned');
  assert.equal(api.seen.length, 3);
  for (const s of api.seen) {
    assert.match(s.url, /^\/range\/[0-9A-F]{5}$/);
    assert.equal(s.padding, 'true');
  }
  assert.deepEqual(api.seen.map((s) => s.url.slice(-5)), [sha(breached), sha(fine), sha(breached)].map((h) => h.slice(0, 5)));

  // the API goes away: sign-ups go on (fail open) and the log says so
  await new Promise((r) => api.srv.close(r));
  const later = strongPassword();
  g.sensitive(later);
  await c.users.createUser({ emailAddress: email('down'), password: later });
  assert.match(g.logs(), /breached-password check skipped/);
  await g.close();
});

test('shutdown: SIGTERM exits 0, logs clean', async () => {
  await gh.close();
});
