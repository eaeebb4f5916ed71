// server.mjs: starts the real build/gatehouse binary for an integration test
// file and checks what it leaves behind.
//
// startGatehouse() picks two free loopback ports and a temp dir, spawns
// `gatehouse serve` on SQLite (a file in the temp dir) or PostgreSQL (a fresh
// database on the cluster in GH_TEST_PG_URL), reads the CLERK_* lines it prints
// on stdout, and waits for /healthz on both listeners. close() stops it with
// SIGTERM (exit code must be 0) and fails when the logs (stderr) contain a
// sanitizer report or any secret the test registered (secret keys, tokens,
// passwords). It does not build the binary; scripts/build.sh does.
// With GH_TEST_LOG_DIR set, cleanup() also leaves each server's logs and its
// registered secrets there, so scripts/scan_logs.mjs can check every log of
// a whole run against every secret any test used (issue 6).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { freePort, waitForOk, sleep } from './net.mjs';
import { createDatabase, dropDatabase, sharedPgUrl } from './pg.mjs';

process.env.CLERK_TELEMETRY_DISABLED = '1';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The binary under test: $GH_BIN (relative to the repo root) or build/gatehouse. */
export function ghBin() {
  const p = process.env.GH_BIN ? resolve(REPO_ROOT, process.env.GH_BIN) : join(REPO_ROOT, 'build/gatehouse');
  if (!existsSync(p)) throw new Error(`gatehouse binary not found at ${p} (run scripts/build.sh)`);
  return p;
}

/** 'postgres' when GH_TEST_DB=postgres, else 'sqlite'. */
export function storeKind() {
  return process.env.GH_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

const START_TIMEOUT_MS = Number(process.env.GH_TEST_START_TIMEOUT_MS || 20000);
const STOP_TIMEOUT_MS = Number(process.env.GH_TEST_STOP_TIMEOUT_MS || 15000);

/** Lines that mean a sanitizer found something. */
export const SANITIZER_MARKERS = [
  'ERROR: AddressSanitizer',
  'ERROR: LeakSanitizer',
  'runtime error:',
  'WARNING: ThreadSanitizer',
];

/*
 * The per-IP Frontend API limits (5 sign-ins per 10 s…) would trip in any
 * suite that signs in from 127.0.0.1 more often than a person; tests of the
 * limits themselves pass their own values in opts.env.
 */
const TEST_LIMITS = {
  GATEHOUSE_RATELIMIT_SIGN_IN: '100000/10',
  GATEHOUSE_RATELIMIT_SIGN_UP: '100000/10',
  GATEHOUSE_RATELIMIT_ATTEMPT: '100000/10',
};

function childEnv(extra) {
  const env = { ...process.env, GATEHOUSE_LOG_LEVEL: 'debug', ...TEST_LIMITS, ...extra };
  const leaks = process.env.GH_TEST_DETECT_LEAKS === '0' ? 0 : 1;
  if (!env.ASAN_OPTIONS) env.ASAN_OPTIONS = `detect_leaks=${leaks}:halt_on_error=1:abort_on_error=0`;
  if (!env.UBSAN_OPTIONS) env.UBSAN_OPTIONS = 'print_stacktrace=1:halt_on_error=1';
  return env;
}

function parseEnvLines(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(CLERK_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** Runs `gatehouse <args>`; resolves {code, stdout, stderr} (never rejects on exit code). */
export function runGatehouse(args, env = {}) {
  return new Promise((resolveP) => {
    execFile(ghBin(), args, { env: childEnv(env), timeout: 60000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolveP({ code, stdout, stderr });
      });
  });
}

export class Gatehouse {
  constructor(cfg) {
    Object.assign(this, cfg);
    this.proc = null;
    this.exit = null;
    this.starts = 0;
    this.stderrAll = '';
    this.stdoutAll = '';
    this.stdoutRun = '';
    this.printed = {};
    this.secrets = new Set();
  }

  /** Flags that point an admin verb or `serve` at this server's database. */
  dbArgs() {
    const a = ['--database', this.dbUrl];
    if (this.keyFile) a.push('--master-key-file', this.keyFile);
    return a;
  }

  serveArgs() {
    return ['serve', '--frontend', `127.0.0.1:${this.frontendPort}`,
      '--backend', `127.0.0.1:${this.backendPort}`, ...this.dbArgs()];
  }

  async spawn() {
    this.stdoutRun = '';
    this.exit = null;
    const proc = spawn(ghBin(), this.serveArgs(), { env: childEnv(this.env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.starts += 1;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d) => { this.stdoutRun += d; this.stdoutAll += d; });
    proc.stderr.on('data', (d) => { this.stderrAll += d; });
    this.exited = new Promise((res) => {
      proc.on('exit', (code, signal) => { this.exit = { code, signal }; res(this.exit); });
    });
    const alive = () => this.exit === null;
    try {
      await waitForOk(`${this.backendUrl}/healthz`, START_TIMEOUT_MS, alive);
      await waitForOk(`${this.frontendUrl}/healthz`, START_TIMEOUT_MS, alive);
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (!/CLERK_API_URL=/.test(this.stdoutRun) && Date.now() < deadline && alive()) await sleep(20);
    } catch (e) {
      if (alive()) { proc.kill('SIGKILL'); await this.exited; }
      throw new Error(`gatehouse did not start: ${e.message}\nexit: ${JSON.stringify(this.exit)}\n` +
        `stdout:\n${this.stdoutRun}\nstderr (tail):\n${this.stderrAll.slice(-4000)}`);
    }
    this.printed = parseEnvLines(this.stdoutRun);
    if (this.printed.CLERK_PUBLISHABLE_KEY) this.publishableKey = this.printed.CLERK_PUBLISHABLE_KEY;
    if (this.printed.CLERK_SECRET_KEY) {
      this.secretKey = this.printed.CLERK_SECRET_KEY;
      this.secrets.add(this.secretKey);
    }
    if (this.printed.CLERK_API_URL) this.apiUrl = this.printed.CLERK_API_URL;
    if (this.printed.CLERK_JWKS_URL) this.jwksUrl = this.printed.CLERK_JWKS_URL;
    return this;
  }

  get running() { return this.proc !== null && this.exit === null; }

  /** SIGTERM, wait for exit; returns {code, signal}. Asserts exit code 0 unless told otherwise. */
  async stop({ expectZero = true } = {}) {
    if (!this.running) return this.exit;
    this.proc.kill('SIGTERM');
    let timer;
    const timeout = new Promise((res) => { timer = setTimeout(() => res('timeout'), STOP_TIMEOUT_MS); });
    const r = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.proc.kill('SIGKILL');
      await this.exited;
      assert.fail(`gatehouse did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
    }
    if (expectZero) {
      assert.deepEqual(this.exit, { code: 0, signal: null },
        `gatehouse exit after SIGTERM: ${JSON.stringify(this.exit)}; stderr tail:\n${this.stderrAll.slice(-3000)}`);
    }
    return this.exit;
  }

  /** SIGKILL (no drain, no cleanup): for crash-durability tests. */
  async kill9() {
    if (!this.running) return this.exit;
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  /** Stops (if running) and starts again on the same ports and database. */
  async restart() {
    if (this.running) await this.stop();
    return this.spawn();
  }

  /** Everything the server (and admin verbs run through admin()) wrote to stderr. */
  logs() { return this.stderrAll; }

  /** Marks strings that must never appear in the logs. */
  sensitive(...values) {
    for (const v of values) {
      if (typeof v !== 'string' || v.length < 8) continue;
      this.secrets.add(v);
      const parts = v.split('.');
      if (parts.length === 3 && parts[2].length >= 16) this.secrets.add(parts[2]); // JWT signature
    }
  }

  /** Runs an admin verb against this server's database; stderr joins logs(). */
  async admin(args, env = {}) {
    const r = await runGatehouse([...args, ...this.dbArgs()], { ...this.env, ...env });
    this.stderrAll += r.stderr;
    return r;
  }

  /** GH_TEST_LOG_DIR: writes <dir>/<name>.log and <name>.secrets.json (test secrets only). */
  async saveLogs() {
    const out = process.env.GH_TEST_LOG_DIR;
    if (!out || this.starts === 0) return;
    const name = `${basename(this.dir)}-${process.pid}`;
    try {
      await writeFile(join(out, `${name}.log`), this.stderrAll);
      await writeFile(join(out, `${name}.secrets.json`), JSON.stringify([...this.secrets]));
    } catch { /* the scan then reports a missing directory */ }
  }

  /** Fails on sanitizer reports and on registered secrets in the logs. */
  checkLogs() {
    const logs = this.stderrAll;
    for (const m of SANITIZER_MARKERS) {
      const i = logs.indexOf(m);
      assert.ok(i < 0, `sanitizer report in gatehouse stderr:\n${logs.slice(Math.max(0, i - 200), i + 3000)}`);
    }
    for (const s of this.secrets) {
      const i = logs.indexOf(s);
      assert.ok(i < 0, `a secret (${s.slice(0, 8)}…, ${s.length} chars) appears in the logs near:\n` +
        `${logs.slice(Math.max(0, i - 300), i).replaceAll(s, '<SECRET>')}<SECRET>`);
    }
  }

  /** Stops with SIGTERM (exit 0), checks logs, removes the temp dir and database. */
  async close() {
    try {
      await this.stop();
      this.checkLogs();
    } finally {
      await this.cleanup();
    }
  }

  /** Best-effort teardown without assertions (for after() hooks). */
  async cleanup() {
    if (this.running) { this.proc.kill('SIGKILL'); await this.exited; }
    if (this.cleaned) return;
    this.cleaned = true;
    await this.saveLogs();
    if (this.pgName) {
      try { await dropDatabase(this.pgName, this.pgAdminUrl); } catch { /* cluster may be gone */ }
    }
    if (!process.env.GH_TEST_KEEP_TMP) await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A second server on gh's database (and master key): several servers
 * sharing one PostgreSQL database, as in a multi-instance deployment. It
 * shares gh's secret key and secrets; its cleanup leaves the database to gh.
 */
export async function startSibling(gh, opts = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'gh-it-'));
  const frontendPort = await freePort();
  let backendPort = await freePort();
  while (backendPort === frontendPort) backendPort = await freePort();
  const s = new Gatehouse({
    db: gh.db, dir, frontendPort, backendPort,
    // the same public URL: a different one would replace the stored instance's
    env: { ...(opts.env || gh.env), GATEHOUSE_FRONTEND_URL: gh.frontendUrl },
    frontendUrl: `http://127.0.0.1:${frontendPort}`, backendUrl: `http://127.0.0.1:${backendPort}`,
    apiUrl: `http://127.0.0.1:${backendPort}`, dbUrl: gh.dbUrl, keyFile: gh.keyFile,
  });
  s.secrets = gh.secrets;
  try {
    await s.spawn();
  } catch (e) {
    await s.cleanup();
    throw e;
  }
  s.secretKey = gh.secretKey;
  s.publishableKey = gh.publishableKey;
  return s;
}

/**
 * Starts a Gatehouse. opts.db: 'sqlite' | 'postgres' (default from GH_TEST_DB);
 * opts.env: extra environment; opts.pgAdminUrl: cluster to create the database
 * in (default GH_TEST_PG_URL).
 */
export async function startGatehouse(opts = {}) {
  const db = opts.db || storeKind();
  const dir = await mkdtemp(join(tmpdir(), 'gh-it-'));
  const frontendPort = await freePort();
  let backendPort = await freePort();
  while (backendPort === frontendPort) backendPort = await freePort();
  const cfg = {
    db, dir, frontendPort, backendPort,
    env: opts.env || {},
    frontendUrl: `http://127.0.0.1:${frontendPort}`,
    backendUrl: `http://127.0.0.1:${backendPort}`,
  };
  cfg.apiUrl = cfg.backendUrl;
  if (db === 'postgres') {
    cfg.pgAdminUrl = opts.pgAdminUrl || sharedPgUrl();
    const { name, url } = await createDatabase(cfg.pgAdminUrl);
    cfg.pgName = name;
    cfg.dbUrl = url;
    cfg.keyFile = join(dir, 'gh.key');
  } else {
    cfg.dbUrl = `sqlite://${join(dir, 'gh.db')}`;
  }
  const gh = new Gatehouse(cfg);
  try {
    await gh.spawn();
  } catch (e) {
    await gh.cleanup();
    throw e;
  }
  return gh;
}
