// gen_users.mjs: writes N users as `gatehouse users import` lines (Backend
// API create-user bodies) to stdout, fast (1M lines in a few seconds), for
// the 1M-users figures of bench/run. Deterministic: user k has
//   email u<k>@bench.test, username user<k>, external_id ext-<k>,
//   names from small lists (so name searches hit ~1/50 of users),
//   a bcrypt digest (cost 4, the same one for everybody: importing never
//   hashes; the password is "correct horse"), one public_metadata key,
//   created_at spread over the last ~3 years.
//   node gen_users.mjs N [START]     (START: first k, default 1)
// Does not touch the network or any file but stdout.
const n = Number(process.argv[2] || 1000);
const start = Number(process.argv[3] || 1);
if (!Number.isInteger(n) || n < 0 || !Number.isInteger(start) || start < 0) {
  console.error('usage: node gen_users.mjs N [START]');
  process.exit(2);
}
const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Ken', 'Dennis', 'Barbara', 'Edsger', 'Donald', 'Frances'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Thompson'];
const DIGEST = '$2a$04$HJTin.CyzKLxrFEI.m/LKORM8az4myor83Enbo01GE2xbyCxQzNsC'; // "correct horse"
const PLANS = ['free', 'pro', 'team'];
const now = Date.now();
const span = 3 * 365 * 86400 * 1000;

let buf = '';
function out(s, last) {
  buf += s;
  if (buf.length < 1 << 20 && !last) return Promise.resolve();
  const chunk = buf;
  buf = '';
  return new Promise((res) => { if (process.stdout.write(chunk)) res(); else process.stdout.once('drain', res); });
}
for (let k = start; k < start + n; k++) {
  const created = now - span + Math.floor((k - start) * (span / Math.max(n, 1)));
  const line = `{"email_address":["u${k}@bench.test"],"username":"user${k}","external_id":"ext-${k}",` +
    `"first_name":"${FIRST[k % 10]}","last_name":"${LAST[(k >> 3) % 5]}",` +
    `"password_digest":"${DIGEST}","password_hasher":"bcrypt",` +
    `"public_metadata":{"plan":"${PLANS[k % 3]}"},"created_at":${created}}\n`;
  await out(line, k === start + n - 1);
}
await out('', true);
