#!/usr/bin/env node
// scan_logs.mjs DIR | --self-test (issue 6, catalogue BI-18): the "no secret
// in any log" check of a whole integration run. tests/integration/lib/
// server.mjs, with GH_TEST_LOG_DIR=DIR, leaves every server's stderr there as
// <name>.log and the secrets its test registered (secret keys, passwords,
// session tokens, webhook secrets, tickets, codes) as <name>.secrets.json.
// Every log is checked against the secrets of every test, not only its own,
// and against the shapes of secrets whether registered or not: sk_ keys,
// whsec_ secrets, compact JWTs, Bearer credentials, __clerk_ticket values,
// logged password fields. Prints one line per finding and a summary; exits
// 1 on any finding or when DIR has no logs. --self-test plants secrets in a
// temporary directory and checks that each is found (so the scan can fail).
import { readdirSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const SHAPES = [
  ['secret key', /\bsk_(?:test|live)_[A-Za-z0-9]{20,}/],
  ['webhook secret', /\bwhsec_[A-Za-z0-9+/=]{16,}/],
  ['JWT', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/],
  ['Bearer credential', /\bBearer\s+[A-Za-z0-9._~+/-]{16,}/i],
  ['ticket', /__clerk_ticket=[A-Za-z0-9_-]{16,}/],
  ['password field', /"(?:password|new_password|current_password)"\s*:\s*"[^"]/],
];

export function scan(dir) {
  const files = readdirSync(dir);
  const logs = files.filter((f) => f.endsWith('.log'));
  const secrets = new Set();
  for (const f of files.filter((x) => x.endsWith('.secrets.json'))) {
    for (const s of JSON.parse(readFileSync(join(dir, f), 'utf8'))) if (typeof s === 'string' && s.length >= 8) secrets.add(s);
  }
  const findings = [];
  for (const f of logs) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const s of secrets) {
      const i = text.indexOf(s);
      if (i >= 0) findings.push(`${f}: a registered secret (${s.slice(0, 6)}…, ${s.length} chars) at offset ${i}`);
    }
    for (const [what, re] of SHAPES) {
      const m = re.exec(text);
      if (m) findings.push(`${f}: something shaped like a ${what} at offset ${m.index}: ${m[0].slice(0, 12)}…`);
    }
  }
  return { logs: logs.length, secrets: secrets.size, findings };
}

function selfTest() {
  const dir = mkdtempSync(join(tmpdir(), 'gh-scan-'));
  try {
    const planted = ['correct-horse-battery-1', 'sk_test_' + 'A'.repeat(40), 'whsec_' + 'b'.repeat(32),
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.' + 'c'.repeat(40), 'Authorization: Bearer ' + 'd'.repeat(30),
      '__clerk_ticket=' + 'e'.repeat(43), '{"password":"x"}'];
    writeFileSync(join(dir, 'a.secrets.json'), JSON.stringify([planted[0]]));
    planted.forEach((p, i) => writeFileSync(join(dir, `p${i}.log`), `{"msg":"line"}\n${p}\n`));
    writeFileSync(join(dir, 'clean.log'), '{"msg":"access","status":200,"kid":"ins_abc"}\n');
    const r = scan(dir);
    const hit = (i) => r.findings.some((f) => f.startsWith(`p${i}.log:`));
    const missed = planted.map((_, i) => i).filter((i) => !hit(i));
    const clean = !r.findings.some((f) => f.startsWith('clean.log'));
    if (missed.length || !clean) {
      console.error(`scan_logs self-test: missed ${missed.join(',') || 'none'}, clean log ${clean ? 'ok' : 'flagged'}`);
      return 1;
    }
    console.log(`scan_logs self-test: all ${planted.length} planted secrets found`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv) {
  if (argv[0] === '--self-test') return selfTest();
  if (!argv[0]) { console.error('usage: scan_logs.mjs DIR | --self-test'); return 2; }
  const r = scan(argv[0]);
  for (const f of r.findings) console.error(`scan_logs: ${f}`);
  console.log(`scan_logs: ${r.logs} logs, ${r.secrets} registered secrets, ${r.findings.length} findings`);
  return r.logs > 0 && r.findings.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
