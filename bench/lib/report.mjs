// report.mjs: turns the rows measured by bench/run into the comparison table,
// the results files and the chart data.
//   node report.mjs --rows rows.jsonl --versions versions.txt --mode quick|full
//                   --stores "sqlite postgres" --wrk "wrk ..." --out results/NAME
// Writes NAME.json (machine, versions, rows, comparisons, chart), NAME.tsv
// (every row), NAME.md (the table as markdown, for the README); prints the
// table and a closing "bench: N passed, N failed" line.
// Exit status 1 when a Gatehouse row failed (peers that fail are reported,
// never fatal). Does not measure anything and does not render the SVG
// (render_svg.sh reads the chart section of NAME.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

const NUM = ['value', 'p50_ms', 'p99_ms', 'conns', 'requests', 'non2xx', 'sock_err', 'rss_mib', 'srv_cpu_us',
  'wrk_cpu_pct', 'other_cpu_pct'];
const rows = readFileSync(args.rows, 'utf8').split('\n').filter(Boolean).map((l) => {
  const r = JSON.parse(l);
  for (const k of NUM) if (r[k] !== undefined) r[k] = r[k] === '' || r[k] === null ? null : Number(r[k]);
  return r;
});
const byKey = new Map(rows.map((r) => [r.key, r]));
const versions = {};
for (const l of readFileSync(args.versions, 'utf8').split('\n').filter(Boolean)) {
  const i = l.indexOf('=');
  versions[l.slice(0, i)] = l.slice(i + 1);
}
let osName = '';
try { osName = (readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m) || [])[1] || ''; } catch { /* none */ }
const machine = {
  cores: cpus().length,
  cpu: (cpus()[0] || {}).model || '',
  memory_gib: +(totalmem() / 2 ** 30).toFixed(1),
  os: osName,
  kernel: release(),
};

// ---- what each Gatehouse figure is compared with, and the issue's goals ----
// vs: [rowKey, goal] with goal {min: ratio} (value / comparator ≥ min) or {ref: text}
// self: goals on the figure itself: {field, max} (value ≤ max)
function figures(s) {
  const g = (k) => `gh.${s}.${k}`;
  const jwksVs = [['nginx.jwks'], ['oidcp.jwks'], ['glw.jwks'], ['ba.jwks']];
  return [
    { key: g('mint_fresh'), vs: [['openssl.rsa_sign_2', { min: 0.8 }], ['openssl.rsa_sign_1'], ['oidcp.token_jwt', { ref: '≈2× expected' }],
      ['ba.token', { ref: '≈10× expected' }], ['glw.token_cc', { ref: '≈25× expected' }]], self: [{ field: 'p99_ms', max: 5, text: 'p99 ≤ 5 ms' }] },
    { key: g('mint_reuse'), vs: [['oidcp.token_jwt', { min: 4 }], ['nginx.ok', { min: 0.5 }]] },
    { key: g('jwks'), vs: jwksVs },
    { key: g('jwks_fapi'), vs: jwksVs },
    { key: g('user_get'), vs: [['nginx.ok', { ref: 'small database; the goal is with 1M users' }], ['glw.userinfo'], ['ba.get_session']] },
    { key: g('user_list'), vs: [['nginx.ok']] },
    { key: g('sign_in'), vs: [['argon2.raw_2', { min: 0.9 }], ['argon2.raw_1'], ['glw.sign_in'], ['ba.sign_in']] },
    { key: g('sign_in_bapi'), vs: [['argon2.raw_2'], [g('sign_in')]] },
    { key: g('sign_in_fapi'), vs: [['argon2.raw_2'], [g('sign_in')]] },
    { key: g('refresh_p99_idle'), vs: [] },
    { key: g('refresh_p99_storm'), vs: [[g('refresh_p99_idle'), { max: 2 }]] },
    { key: g('sign_in_storm'), vs: [[g('sign_in')]] },
    { key: g('big_import'), vs: [] },
    { key: g('big_user_get'), vs: [['nginx.ok', { min: 0.4 }], [g('user_get')]] },
    { key: g('big_user_list'), vs: [[g('user_list')]] },
    { key: g('big_user_email'), vs: [] },
    { key: g('big_user_search'), vs: [] },
    { key: g('big_mint'), vs: [[g('mint_reuse')]] },
    { key: g('big_sign_in'), vs: [[g('sign_in')], ['argon2.raw_2']] },
    { key: g('idle_rss'), vs: [['nginx.idle_rss'], ['glw.idle_rss'], ['oidcp.idle_rss'], ['ba.idle_rss']],
      self: [{ field: 'value', max: 15, text: '≤ 15 MiB' }] },
    { key: g('rss_after'), vs: [['nginx.rss_after'], ['glw.rss_after'], ['oidcp.rss_after'], ['ba.rss_after']] },
    { key: g('rss_after_fresh'), vs: [] },
    { key: g('big_start_ms'), vs: [[g('start_existing_ms')]] },
    { key: g('big_idle_rss'), vs: [[g('idle_rss')]], self: [{ field: 'value', max: 15, text: 'idle ≤ 15 MiB' }] },
    { key: g('big_rss'), vs: [[g('rss_after')]] },
    { key: g('start_fresh_ms'), vs: [['nginx.start_ms'], ['glw.start_ms'], ['oidcp.start_ms'], ['ba.start_ms']] },
    { key: g('start_existing_ms'), vs: [['nginx.start_ms'], ['glw.start_ms'], ['oidcp.start_ms'], ['ba.start_ms']] },
  ];
}

const fmtNum = (v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toString();
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
};
const name = (r) => `${r.subject}: ${r.label}`;
const valText = (r) => {
  if (!r) return '';
  if (r.status !== 'ok') return r.status === 'n/a' ? `n/a (${r.note || ''})` : `${r.status}${r.note ? ` (${r.note})` : ''}`;
  return `${fmtNum(r.value)} ${r.unit || ''}`.trim();
};

const stores = (args.stores || 'sqlite').split(/\s+/).filter(Boolean);
const table = []; // {figure, value, p50, p99, vs, vs_value, ratio, goal}
const comparisons = [];
const used = new Set();
for (const s of stores) {
  for (const f of figures(s)) {
    const r = byKey.get(f.key);
    if (!r) continue;
    used.add(f.key);
    const line = { figure: name(r), value: valText(r), p50: r.status === 'ok' ? fmtNum(r.p50_ms) : '', p99: r.status === 'ok' ? fmtNum(r.p99_ms) : '',
      vs: '', vs_value: '', ratio: '', goal: '' };
    const lines = [line];
    for (const [ck, goal = {}] of f.vs) {
      const c = byKey.get(ck);
      if (!c) continue;
      let ratio = null;
      if (r.status === 'ok' && c.status === 'ok' && c.value > 0) ratio = r.value / c.value;
      let gtext = goal.ref || '';
      let met = null;
      if (goal.min !== undefined) {
        met = ratio === null ? null : ratio >= goal.min;
        gtext = `≥ ${goal.min}×${met === null ? '' : met ? ' met' : ' short'}${goal.ref ? ` (${goal.ref})` : ''}`;
      } else if (goal.max !== undefined) { // lower is better (latency, memory)
        met = ratio === null ? null : ratio <= goal.max;
        gtext = `≤ ${goal.max}×${met === null ? '' : met ? ' met' : ' short'}${goal.ref ? ` (${goal.ref})` : ''}`;
      }
      comparisons.push({ figure: f.key, vs: ck, value: r.status === 'ok' ? r.value : null, vs_value: c.status === 'ok' ? c.value : null,
        ratio: ratio === null ? null : +ratio.toFixed(3), goal: gtext, met });
      const target = lines.length === 1 && !line.vs ? line : (lines.push({ figure: '', value: '', p50: '', p99: '', goal: '' }), lines[lines.length - 1]);
      Object.assign(target, { vs: name(c), vs_value: valText(c), ratio: ratio === null ? '' : `${ratio.toFixed(2)}×`, goal: gtext });
    }
    for (const sg of f.self || []) {
      let verdict = '';
      if (r.status === 'ok' && sg.field && r[sg.field] !== null && r[sg.field] !== undefined) verdict = r[sg.field] <= sg.max ? ' met' : ' short';
      if (lines.length === 1 && !line.goal) line.goal = `${sg.text}${verdict}`;
      else lines.push({ figure: '', value: '', p50: '', p99: '', vs: '', vs_value: '', ratio: '', goal: `${sg.text}${verdict}` });
      comparisons.push({ figure: f.key, goal: sg.text, met: verdict ? verdict.trim() === 'met' : null });
    }
    table.push(...lines);
  }
}
// everything else that was measured (peers, ceilings, failures) in the same table
const rest = rows.filter((r) => !used.has(r.key));
if (rest.length) table.push({ figure: '--- peers and ceilings (as measured) ---', value: '', p50: '', p99: '', vs: '', vs_value: '', ratio: '', goal: '' });
for (const r of rest) {
  table.push({ figure: name(r), value: valText(r), p50: r.status === 'ok' ? fmtNum(r.p50_ms) : '', p99: r.status === 'ok' ? fmtNum(r.p99_ms) : '',
    vs: '', vs_value: '', ratio: '', goal: '' });
}

// ---- chart data (render_svg.sh): throughput and memory panels ----
const chart = [];
const bar = (panel, key, label, kind) => {
  const r = byKey.get(key);
  if (r && r.status === 'ok' && r.value > 0) chart.push({ panel, label, value: r.value, kind });
};
const storeName = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
for (const s of stores) bar('throughput', `gh.${s}.mint_fresh`, `Gatehouse/${storeName[s]}: token mint, fresh RS256`, 'gatehouse');
bar('throughput', 'openssl.rsa_sign_2', 'openssl: RSA-2048 sign/s, 2 processes', 'ceiling');
bar('throughput', 'oidcp.token_jwt', 'oidc-provider: token (RS256 JWT)', 'peer');
bar('throughput', 'ba.token', 'better-auth: /token (RS256 JWT)', 'peer');
bar('throughput', 'glw.token_cc', 'glewlwyd: token (RS256 JWT)', 'peer');
for (const s of stores) bar('throughput', `gh.${s}.mint_reuse`, `Gatehouse/${storeName[s]}: token mint, reused`, 'gatehouse');
for (const s of stores) bar('throughput', `gh.${s}.user_get`, `Gatehouse/${storeName[s]}: GET /v1/users/{id}`, 'gatehouse');
for (const s of stores) {
  const r = byKey.get(`gh.${s}.big_user_get`);
  const n = r && r.label ? (r.label.match(/, (\S+) users/) || [])[1] : '';
  bar('throughput', `gh.${s}.big_user_get`, `Gatehouse/${storeName[s]}: GET /v1/users/{id}, ${n || 'big'} users`, 'gatehouse');
}
bar('throughput', 'glw.userinfo', 'glewlwyd: userinfo', 'peer');
bar('throughput', 'ba.get_session', 'better-auth: get-session', 'peer');
bar('throughput', 'nginx.ok', 'nginx: trivial 200', 'ceiling');
for (const s of stores) bar('throughput', `gh.${s}.jwks`, `Gatehouse/${storeName[s]}: GET /v1/jwks`, 'gatehouse');
bar('throughput', 'nginx.jwks', 'nginx: static JWKS file', 'ceiling');
bar('throughput', 'oidcp.jwks', 'oidc-provider: jwks', 'peer');
bar('throughput', 'glw.jwks', 'glewlwyd: jwks', 'peer');
bar('throughput', 'ba.jwks', 'better-auth: jwks', 'peer');
for (const s of stores) bar('throughput', `gh.${s}.sign_in`, `Gatehouse/${storeName[s]}: sign-in (argon2id)`, 'gatehouse');
bar('throughput', 'argon2.raw_2', 'libsodium: argon2id hashes/s, 2 processes', 'ceiling');
bar('throughput', 'glw.sign_in', 'glewlwyd: sign-in (PBKDF2)', 'peer');
bar('throughput', 'ba.sign_in', 'better-auth: sign-in (scrypt)', 'peer');
for (const s of stores) bar('memory', `gh.${s}.idle_rss`, `Gatehouse/${storeName[s]}`, 'gatehouse');
for (const s of stores) {
  const r = byKey.get(`gh.${s}.big_idle_rss`);
  const n = r && r.label ? (r.label.match(/, (\S+) users/) || [])[1] : '';
  bar('memory', `gh.${s}.big_idle_rss`, `Gatehouse/${storeName[s]}, ${n || 'big'} users + sessions`, 'gatehouse');
}
bar('memory', 'nginx.idle_rss', 'nginx', 'ceiling');
bar('memory', 'glw.idle_rss', 'glewlwyd', 'peer');
bar('memory', 'oidcp.idle_rss', 'oidc-provider', 'peer');
bar('memory', 'ba.idle_rss', 'better-auth', 'peer');

// ---- verdict ----
const ghRows = rows.filter((r) => r.key.startsWith('gh.'));
const ghFailed = ghRows.filter((r) => r.status === 'failed');
const passed = rows.filter((r) => r.status === 'ok').length;
const peerTrouble = rows.filter((r) => !r.key.startsWith('gh.') && (r.status === 'failed' || r.status === 'unavailable'));

const date = new Date().toISOString();
const out = { date, mode: args.mode, wrk: args.wrk, machine, versions, stores, rows, comparisons, chart };
writeFileSync(`${args.out}.json`, JSON.stringify(out, null, 1) + '\n');

const cols = ['key', 'subject', 'label', 'status', 'value', 'unit', 'p50_ms', 'p99_ms', 'conns', 'requests', 'non2xx', 'sock_err',
  'rss_mib', 'srv_cpu_us', 'wrk_cpu_pct', 'other_cpu_pct', 'note'];
const clean = (v) => (v === null || v === undefined ? '' : String(v).replace(/[\t\n]/g, ' '));
writeFileSync(`${args.out}.tsv`, [cols.join('\t'), ...rows.map((r) => cols.map((c) => clean(r[c])).join('\t'))].join('\n') + '\n');

const head = ['figure', 'value', 'p50 ms', 'p99 ms', 'peer / ceiling', 'its value', 'ratio', 'goal'];
const cells = table.map((t) => [t.figure, t.value, t.p50, t.p99, t.vs, t.vs_value, t.ratio, t.goal]);
const esc = (s) => String(s).replace(/\|/g, '\\|');
const md = [
  `Measured ${date.slice(0, 16).replace('T', ' ')} UTC (${args.mode} run) on ${machine.cores} cores (${machine.cpu}), ` +
    `${machine.memory_gib} GiB, ${machine.os}, kernel ${machine.kernel}; ${args.wrk}, loopback, server and wrk on the same cores.`,
  '',
  `| ${head.join(' | ')} |`,
  `|${head.map((h, i) => (i >= 1 && i <= 3) || i === 5 || i === 6 ? '---:' : '---').join('|')}|`,
  ...cells.map((c) => `| ${c.map(esc).join(' | ')} |`),
  '',
  `Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join('; ')}`,
].join('\n');
writeFileSync(`${args.out}.md`, md + '\n');

// terminal table: long cells are cut so it stays readable; the .md/.json keep them whole
const cut = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const maxw = [58, 30, 7, 7, 52, 16, 7, 40];
const widths = head.map((h, i) => Math.min(maxw[i], Math.max(h.length, ...cells.map((c) => c[i].length))));
const fmtRow = (c) => c.map((x, i) => (i >= 1 && i <= 3) || i === 5 || i === 6 ? cut(x, widths[i]).padStart(widths[i]) : cut(x, widths[i]).padEnd(widths[i])).join('  ').trimEnd();
console.log('');
console.log(`Machine: ${machine.cores} cores, ${machine.cpu}, ${machine.memory_gib} GiB, ${machine.os}; ${args.wrk}`);
console.log(fmtRow(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const c of cells) console.log(fmtRow(c));
console.log('');
if (peerTrouble.length) console.log(`note: ${peerTrouble.length} peer/ceiling figure(s) unavailable or failed (see above); not counted as failures`);
for (const r of ghFailed) console.log(`FAILED: ${name(r)}: ${r.note || ''}`);
console.log(`bench: ${passed} passed, ${ghFailed.length} failed`);
process.exit(ghFailed.length ? 1 : 0);
