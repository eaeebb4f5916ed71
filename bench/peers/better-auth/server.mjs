// Standalone better-auth server on node:http (loopback only) for benchmarking.
// SQLite via better-sqlite3 (file DB, WAL), email+password enabled, JWT plugin.
// Env:
//   PORT (18602), DB_FILE (SQLite file; setup.sh makes a fresh one per start)
//   BA_JWT_ALG      RS256 (default here, to match the project's RS256) | EdDSA (plugin default) | ES256 ...
//   BA_JWT_HEADER   1 (plugin default: /get-session also mints a JWT into the set-auth-jwt header) | 0
//   BA_RATE_LIMIT   0 (default here: off, otherwise sign-in is limited to 3 req/10 s per IP) | 1
import http from 'node:http';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { jwt } from 'better-auth/plugins';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';

const port = Number(process.env.PORT || 18602);
const baseURL = `http://127.0.0.1:${port}`;
const db = new Database(process.env.DB_FILE);
db.pragma('journal_mode = WAL');

const alg = process.env.BA_JWT_ALG || 'RS256';
const keyPairConfig = alg.startsWith('RS') || alg.startsWith('PS') ? { alg, modulusLength: 2048 }
  : alg === 'EdDSA' ? { alg, crv: 'Ed25519' } : { alg };

export const auth = betterAuth({
  baseURL,
  secret: process.env.BA_SECRET || 'bench-secret-bench-secret-bench-secret-0123456789',
  database: db,
  trustedOrigins: [baseURL],
  emailAndPassword: { enabled: true, autoSignIn: true },
  rateLimit: { enabled: process.env.BA_RATE_LIMIT === '1' },
  telemetry: { enabled: false },
  plugins: [
    jwt({
      jwks: { keyPairConfig },
      disableSettingJwtHeader: process.env.BA_JWT_HEADER === '0',
    }),
  ],
});

const { toBeCreated, toBeAdded, runMigrations } = await getMigrations(auth.options);
if (toBeCreated.length || toBeAdded.length) await runMigrations();

const handler = toNodeHandler(auth);
const server = http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return; }
  handler(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`better-auth listening on ${baseURL} pid=${process.pid} alg=${alg}`));
const stop = () => server.close(() => { db.close(); process.exit(0); });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
