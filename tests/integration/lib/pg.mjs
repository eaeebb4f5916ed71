// pg.mjs: PostgreSQL helpers for the integration suite.
//  * createDatabase()/dropDatabase(): one fresh database per Gatehouse server on
//    the shared throwaway cluster that scripts/pg.sh started (GH_TEST_PG_URL).
//  * startPrivatePg(): a private cluster (initdb in a temp dir) for tests that
//    must stop and start PostgreSQL under a running Gatehouse.
// Does not install PostgreSQL; scripts/setup.sh does.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './net.mjs';

const run = promisify(execFile);

export const PG_BIN = process.env.GH_PG_BIN || '/usr/lib/postgresql/15/bin';

/** The shared cluster's URL (admin database), or throws when it is not set. */
export function sharedPgUrl() {
  const url = process.env.GH_TEST_PG_URL;
  if (!url) throw new Error('GH_TEST_DB=postgres needs GH_TEST_PG_URL (start one with scripts/pg.sh start)');
  return url;
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates gh_<random> on the cluster at adminUrl and returns its URL. */
export async function createDatabase(adminUrl = sharedPgUrl()) {
  const name = `gh_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return { name, url: withDatabase(adminUrl, name) };
}

/** Drops a database made by createDatabase (forcing out any leftover sessions). */
export async function dropDatabase(name, adminUrl = sharedPgUrl()) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function asPostgres(cmd, args, opts = {}) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) return run('runuser', ['-u', 'postgres', '--', cmd, ...args], opts);
  return run(cmd, args, opts);
}

/**
 * Starts a private PostgreSQL 15 cluster on a free loopback port.
 * Returns {url, port, dir, stop(), start(), destroy()}; stop/start keep the data
 * and the port so a connected Gatehouse can reconnect.
 */
export async function startPrivatePg() {
  const dir = await mkdtemp(join(tmpdir(), 'gh-pg-'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: g } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(g.trim()));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres(join(PG_BIN, 'initdb'),
    ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'],
    { timeout: 60000 });
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const ctl = (...args) => asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, ...args], { timeout: 60000 });
  let running = false;
  const h = {
    dir,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await ctl('-o', opts, '-l', join(dir, 'log'), '-w', 'start');
      running = true;
    },
    async stop() {
      if (!running) return;
      await ctl('-m', 'fast', '-w', 'stop');
      running = false;
    },
    async destroy() {
      try { await h.stop(); } catch { /* already down */ }
      await rm(dir, { recursive: true, force: true });
    },
  };
  await h.start();
  return h;
}
