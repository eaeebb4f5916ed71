// verify.mjs (copied from the reference peer set, CASES now split on "|").
// In-process JWT verification throughput in Node with `jose` (single thread, sequential awaits).
// Bounded: each case runs for at most SECONDS (default 4) and at most MAX_OPS (default 2e6) ops.
// Prints one "RESULT {json}" line per case (ops/s and per-op p50/p99 latency in microseconds).
import { generateKeyPairSync, createPublicKey, verify as nodeVerify, sign as nodeSign } from 'node:crypto';
import { SignJWT, jwtVerify, compactVerify, createLocalJWKSet, exportJWK, importSPKI } from 'jose';

const SECONDS = Number(process.env.SECONDS_PER_CASE || 4);
const MAX_OPS = Number(process.env.MAX_OPS || 2e6);
const only = process.env.CASES ? new Set(process.env.CASES.split('|')) : null; // CASES: names separated by |

const now = Math.floor(Date.now() / 1000);
// Clerk-like short-lived session token claims
const claims = { sid: 'sess_2abcdefghijklmnopqrstuvwx', azp: 'http://localhost:3000', org_id: 'org_2abcdefghijklmnop', nbf: now - 5 };
const iss = 'http://127.0.0.1:18500', aud = 'gatehouse-bench', sub = 'user_2abcdefghijklmnopqrstuvwx';

async function mk(alg, keyOpts) {
  const { publicKey, privateKey } = generateKeyPairSync(keyOpts.type, keyOpts.opts);
  const jwk = { ...(await exportJWK(publicKey)), kid: `k-${alg}`, alg, use: 'sig' };
  const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid, typ: 'JWT' })
    .setIssuer(iss).setAudience(aud).setSubject(sub).setIssuedAt(now).setExpirationTime(now + 60).sign(privateKey);
  return { alg, publicKey, privateKey, jwk, token };
}

const keys = {
  RS256: await mk('RS256', { type: 'rsa', opts: { modulusLength: 2048 } }),
  ES256: await mk('ES256', { type: 'ec', opts: { namedCurve: 'P-256' } }),
  EdDSA: await mk('EdDSA', { type: 'ed25519', opts: undefined }),
};
const rs = keys.RS256;
const jwks = createLocalJWKSet({ keys: [keys.RS256.jwk, keys.ES256.jwk, keys.EdDSA.jwk] });
const spkiPem = rs.publicKey.export({ type: 'spki', format: 'pem' });
const rsImportedFromPem = await importSPKI(spkiPem, 'RS256');
const [h64, p64, s64] = rs.token.split('.');
const signingInput = Buffer.from(`${h64}.${p64}`);
const sig = Buffer.from(s64, 'base64url');
const opts = { issuer: iss, audience: aud, algorithms: ['RS256'] };

const cases = [
  ['jose.jwtVerify RS256 (KeyObject, iss/aud/exp checks)', () => jwtVerify(rs.token, rs.publicKey, opts)],
  ['jose.jwtVerify RS256 (CryptoKey from importSPKI)', () => jwtVerify(rs.token, rsImportedFromPem, opts)],
  ['jose.compactVerify RS256 (signature only)', () => compactVerify(rs.token, rs.publicKey)],
  ['jose.jwtVerify RS256 via createLocalJWKSet (kid lookup)', () => jwtVerify(rs.token, jwks, opts)],
  ['jose.jwtVerify ES256', () => jwtVerify(keys.ES256.token, keys.ES256.publicKey, { issuer: iss, audience: aud })],
  ['jose.jwtVerify EdDSA (Ed25519)', () => jwtVerify(keys.EdDSA.token, keys.EdDSA.publicKey, { issuer: iss, audience: aud })],
  ['node:crypto.verify RSA-SHA256 (raw, no JOSE parsing)', () => nodeVerify('sha256', signingInput, rs.publicKey, sig)],
  ['jose.SignJWT RS256 (mint, for reference)', () => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: rs.jwk.kid })
      .setIssuer(iss).setAudience(aud).setSubject(sub).setIssuedAt().setExpirationTime('60s').sign(rs.privateKey)],
  ['node:crypto.sign RSA-SHA256 (raw, for reference)', () => nodeSign('sha256', signingInput, rs.privateKey)],
];

for (const [name, fn] of cases) {
  if (only && !only.has(name)) continue;
  const r0 = await fn(); // warm + sanity
  if (r0 === false) throw new Error(`${name}: verification returned false`);
  for (let i = 0; i < 200; i++) await fn();
  const lat = [];
  const deadline = process.hrtime.bigint() + BigInt(Math.round(SECONDS * 1e9));
  const t0 = process.hrtime.bigint();
  let n = 0;
  while (n < MAX_OPS) {
    const a = process.hrtime.bigint();
    await fn();
    const b = process.hrtime.bigint();
    if ((n & 7) === 0) lat.push(Number(b - a) / 1e3); // sample 1/8 of ops for percentiles
    n++;
    if (b >= deadline) break;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((x, y) => x - y);
  const pct = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))];
  console.log('RESULT ' + JSON.stringify({ name, ops: n, seconds: +secs.toFixed(3), ops_per_s: +(n / secs).toFixed(1),
    p50_us: +pct(0.5).toFixed(2), p99_us: +pct(0.99).toFixed(2), rss_mib: +(process.memoryUsage().rss / 2 ** 20).toFixed(1) }));
}
