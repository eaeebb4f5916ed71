// mail.test.mjs: outgoing email over SMTP (issue 4) against an smtp-server
// sink, every message parsed by mailparser. A sample code email (`gatehouse
// mail test`, the template users get) carries its code in the text and HTML
// parts with the right From, Subject (UTF-8 encoded), Date and Message-ID;
// Backend API invitations are emailed with their URL unless notify:false;
// SMTP refusals and a sink that is down are retried (bounded), a 5xx is given
// up on; a server killed with -9 with mail queued delivers it after restart;
// SMTP credentials from the environment or the URL reach the server and
// never the logs, and neither do codes or tickets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from './lib/server.mjs';
import { clerkFor, uniq } from './lib/clerk.mjs';
import { SmtpSink } from './lib/smtp.mjs';
import { sleep } from './lib/net.mjs';

const tag = uniq();
const addr = (n) => `mail.${n}.${tag}@example.test`;
const APP = 'Café Zoë ✓';
const codes = [];
let sink;
let gh;
let clerk;

/** Waits until the server's logs satisfy pred. */
async function waitLogs(pred, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred(gh.logs())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${gh.logs().slice(-3000)}`);
    await sleep(25);
  }
}

const count = (s, needle) => s.split(needle).length - 1;

/** `gatehouse mail test ADDRESS`: queues a sample code email; returns the code. */
async function mailTest(to, env = {}) {
  const r = await gh.admin(['mail', 'test', to], env);
  assert.equal(r.code, 0, r.stderr);
  const m = /^MAIL_TEST_CODE=(\d{6})$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  codes.push(m[1]);
  return m[1];
}

async function mailStatus() {
  const r = await gh.admin(['mail', 'status']);
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => {
    const [k, v] = l.split(' ');
    return [k, Number(v)];
  }));
}

function ticketOf(url) {
  const t = new URL(url).searchParams.get('__clerk_ticket');
  assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  gh.sensitive(t);
  return t;
}

before(async () => {
  sink = await new SmtpSink().start();
  gh = await startGatehouse({
    env: {
      GATEHOUSE_SMTP_URL: sink.url(),
      GATEHOUSE_MAIL_FROM: 'Acme Support <support@acme.test>',
      GATEHOUSE_MAIL_TIME_SCALE: '0.001',
    },
  });
  clerk = clerkFor(gh);
  await clerk.instance.update({ applicationName: APP });
});

after(async () => {
  if (gh) {
    // Codes are 6 digits (too short for sensitive()): look for them as
    // whole numbers, so timestamps cannot match by accident.
    for (const c of codes) {
      assert.ok(!new RegExp(`(?<![0-9])${c}(?![0-9])`).test(gh.logs()), `code ${c} in the logs`);
    }
    await gh.close();
  }
  if (sink) await sink.stop();
});

test('a code email arrives: code in text and HTML, From, UTF-8 Subject, Date, Message-ID', async () => {
  const to = addr('code');
  const t0 = Date.now();
  const code = await mailTest(to);
  const m = await sink.mailTo(to);
  const p = m.parsed;
  assert.equal(m.from, 'support@acme.test'); // envelope
  assert.deepEqual(m.to, [to]);
  assert.deepEqual(p.from.value, [{ address: 'support@acme.test', name: 'Acme Support' }]);
  assert.deepEqual(p.to.value.map((v) => v.address), [to]);
  assert.equal(p.subject, `${code} is your ${APP} verification code`);
  assert.match(m.raw, /^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=/m, 'non-ASCII subject is RFC 2047 encoded');
  assert.ok(p.text.includes(code), p.text);
  assert.ok(p.html.includes(`>${code}<`), p.html);
  assert.ok(p.text.includes(APP), 'the instance name signs the text');
  assert.ok(p.html.includes('Café Zoë'), 'UTF-8 HTML decoded');
  assert.ok(Math.abs(p.date.getTime() - t0) < 120000, `Date header ${p.date}`);
  assert.match(p.messageId, /^<mail_[A-Za-z0-9]+@acme\.test>$/);
  assert.equal(p.headers.get('mime-version'), '1.0');
  assert.equal(p.headers.get('content-type').value, 'multipart/alternative');
  assert.equal(p.headers.get('auto-submitted'), 'auto-generated');
  assert.ok(!/[^\r]\n/.test(m.raw), 'CRLF line ends only');
  await waitLogs((l) => l.includes('"mail sent id=mail_'), 'the sent log line');
  const st = await mailStatus();
  assert.ok(st.sent >= 1, JSON.stringify(st));
});

test('an invitation email carries its URL (app and organization); notify:false sends none', async () => {
  const inv = await clerk.invitations.createInvitation({ emailAddress: addr('inv') });
  ticketOf(inv.url);
  const m = await sink.mailTo(addr('inv'));
  assert.equal(m.parsed.subject, `You're invited to join ${APP}`);
  assert.ok(m.parsed.text.includes(inv.url), m.parsed.text);
  assert.ok(m.parsed.html.includes(`href="${inv.url}"`), m.parsed.html);

  const quiet = await clerk.invitations.createInvitation({ emailAddress: addr('quiet'), notify: false });
  ticketOf(quiet.url);

  const admin = await clerk.users.createUser({ emailAddress: [addr('admin')], skipPasswordRequirement: true });
  const org = await clerk.organizations.createOrganization({ name: `Mail Org ${tag}`, createdBy: admin.id });
  const oinv = await clerk.organizations.createOrganizationInvitation({
    organizationId: org.id, emailAddress: addr('orginv'), role: 'org:member', inviterUserId: admin.id,
  });
  ticketOf(oinv.url);
  const om = await sink.mailTo(addr('orginv'));
  assert.equal(om.parsed.subject, `You're invited to join Mail Org ${tag} on ${APP}`);
  assert.ok(om.parsed.text.includes(oinv.url));
  const bulk = await clerk.invitations.createInvitationBulk([
    { emailAddress: addr('bulk1') }, { emailAddress: addr('bulk2'), notify: false }]);
  bulk.forEach((i) => ticketOf(i.url));
  await sink.mailTo(addr('bulk1'));
  await sleep(1500); // a poll and more: a mail for notify:false would be here by now
  assert.equal(sink.got.filter((g) => g.to.includes(addr('quiet')) || g.to.includes(addr('bulk2'))).length, 0);
});

test('SMTP 4xx is retried until accepted; 5xx is given up on', async () => {
  sink.rcptError = { code: 451, message: 'greylisted, try again' };
  const before = sink.rcptCalls;
  await mailTest(addr('grey'));
  await sink.waitFor(() => sink.rcptCalls >= before + 3, 15000, 'three refused attempts');
  sink.rcptError = null;
  await sink.mailTo(addr('grey'));
  assert.ok(gh.logs().includes('result=pending'), 'a refused attempt is scheduled again');

  sink.rcptError = { code: 550, message: 'no such user' };
  const failedBefore = count(gh.logs(), 'result=failed');
  const calls = sink.rcptCalls;
  await mailTest(addr('nouser'));
  await waitLogs((l) => count(l, 'result=failed') > failedBefore, 'a permanent failure');
  await sleep(500); // retries of a 5xx would come within tens of ms at this time scale
  assert.equal(sink.rcptCalls, calls + 1, 'a 5xx refusal is not retried');
  sink.rcptError = null;
  const st = await mailStatus();
  assert.ok(st.failed >= 1, JSON.stringify(st));
  assert.equal(sink.got.filter((g) => g.to.includes(addr('nouser'))).length, 0);
});

test('SMTP server down: retried, delivered once it is back', async () => {
  const port = sink.port;
  await sink.stop();
  const failures = count(gh.logs(), 'mail attempt failed');
  const inv = await clerk.invitations.createInvitation({ emailAddress: addr('down') });
  ticketOf(inv.url);
  await waitLogs((l) => count(l, 'mail attempt failed') >= failures + 2, 'two failed attempts');
  await sink.start(port);
  const m = await sink.mailTo(addr('down'), 20000);
  assert.ok(m.parsed.text.includes(inv.url));
});

test('kill -9 with a mail queued: delivered after the restart', async () => {
  const port = sink.port;
  await sink.stop();
  gh.env.GATEHOUSE_MAIL_TIME_SCALE = '0.2'; // first retry 2 s after a failure
  await gh.restart();
  const failures = count(gh.logs(), 'mail attempt failed');
  await mailTest(addr('crash'));
  await waitLogs((l) => count(l, 'mail attempt failed') > failures, 'the first failed attempt');
  await gh.kill9();
  const st = await mailStatus(); // read from the database with no server running
  assert.ok(st.pending >= 1, JSON.stringify(st));
  await sink.start(port);
  gh.env.GATEHOUSE_MAIL_TIME_SCALE = '0.001';
  await gh.spawn();
  const m = await sink.mailTo(addr('crash'), 20000);
  assert.ok(m.parsed.subject.endsWith('verification code'));
});

test('SMTP AUTH: credentials from the environment or the URL, never in the logs', async () => {
  const user = `smtp-user-${tag}`;
  const password = `smtp-pass-${uniq(8)}`;
  const auth = await new SmtpSink({ user, password }).start();
  gh.sensitive(password);
  try {
    gh.env.GATEHOUSE_SMTP_URL = auth.url();
    gh.env.GATEHOUSE_SMTP_USER = user;
    gh.env.GATEHOUSE_SMTP_PASSWORD = password;
    await gh.restart();
    await mailTest(addr('auth1'));
    const m1 = await auth.mailTo(addr('auth1'));
    assert.equal(m1.auth, user); // smtp-server: the user the AUTH callback accepted

    delete gh.env.GATEHOUSE_SMTP_USER;
    delete gh.env.GATEHOUSE_SMTP_PASSWORD;
    gh.env.GATEHOUSE_SMTP_URL = `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${auth.port}`;
    await gh.restart();
    await mailTest(addr('auth2'));
    const m2 = await auth.mailTo(addr('auth2'));
    assert.equal(m2.auth, user);

    // A wrong password: 535, retried (the operator can fix it), never logged.
    const wrong = `wrong-pass-${uniq(8)}`;
    gh.sensitive(wrong);
    gh.env.GATEHOUSE_SMTP_URL = auth.url();
    gh.env.GATEHOUSE_SMTP_USER = user;
    gh.env.GATEHOUSE_SMTP_PASSWORD = wrong;
    await gh.restart();
    const failures = count(gh.logs(), 'mail attempt failed');
    await mailTest(addr('auth3'));
    await waitLogs((l) => count(l, 'mail attempt failed') >= failures + 2, 'refused logins, retried');
    assert.ok(auth.auths.some((a) => a.password === wrong));
    assert.ok(gh.logs().includes('result=pending'));
  } finally {
    gh.env.GATEHOUSE_SMTP_URL = sink.url();
    delete gh.env.GATEHOUSE_SMTP_USER;
    delete gh.env.GATEHOUSE_SMTP_PASSWORD;
    await gh.restart();
    await auth.stop();
  }
  assert.ok(!gh.logs().includes(password) && !gh.logs().includes(encodeURIComponent(password)));
});
