// receiver.mjs: a webhook receiver on loopback (issue 5) that verifies each
// delivery with npm svix's `new Webhook(secret).verify(rawBody, headers)`
// and @clerk/backend's `verifyWebhook(request, { signingSecret })`, plus the
// helpers the webhook tests share.
import assert from 'node:assert/strict';
import http from 'node:http';
import { Webhook } from 'svix';
import { verifyWebhook } from '@clerk/backend/webhooks';
import { bapi } from './clerk.mjs';
import { freePort, sleep } from './net.mjs';

/** A receiver that verifies each delivery with every secret in `secrets`. */
export class Receiver {
  constructor() {
    this.got = [];       // { id, ts, sig, body, json, svixOk:{secret:bool}, clerkOk:{secret:bool} }
    this.secrets = [];
    this.status = 200;
    this.server = null;
    this.waiters = [];
  }

  async start(port) {
    this.port = port || this.port || await freePort();
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const rec = { headers: req.headers, id: req.headers['svix-id'], ts: req.headers['svix-timestamp'],
          sig: req.headers['svix-signature'], body, svixOk: {}, clerkOk: {} };
        for (const s of this.secrets) {
          try { new Webhook(s).verify(body, req.headers); rec.svixOk[s] = true; } catch { rec.svixOk[s] = false; }
          try {
            const r = new Request(`http://127.0.0.1:${this.port}${req.url}`,
              { method: 'POST', headers: req.headers, body });
            const evt = await verifyWebhook(r, { signingSecret: s });
            rec.clerkOk[s] = evt.object === 'event' || evt.type !== undefined;
          } catch { rec.clerkOk[s] = false; }
        }
        try { rec.json = JSON.parse(body); } catch { rec.json = undefined; }
        this.got.push(rec);
        res.writeHead(this.status, { 'content-type': 'text/plain' });
        res.end('ok');
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
    return this;
  }

  async stop() {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise((r) => this.server.close(r));
    this.server = null;
  }

  url(path = '/hook') { return `http://127.0.0.1:${this.port}${path}`; }

  /** Waits until pred(got) is truthy (re-checked on each delivery). */
  async waitFor(pred, ms = 15000, what = 'deliveries') {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pred(this.got);
      if (v) return v;
      if (Date.now() > deadline) {
        assert.fail(`timed out waiting for ${what}; got ${this.got.length}: ` +
          JSON.stringify(this.got.map((g) => g.json && g.json.type)));
      }
      await Promise.race([new Promise((r) => this.waiters.push(r)), sleep(100)]);
    }
  }

  byType(type) { return this.got.filter((g) => g.json && g.json.type === type); }
}

/** Every delivery so far verified by both verifiers with `secret`. */
export function assertVerified(rcv, secret, list = rcv.got) {
  assert.ok(list.length > 0);
  for (const g of list) {
    assert.equal(g.svixOk[secret], true, `svix rejected ${g.id}`);
    assert.equal(g.clerkOk[secret], true, `verifyWebhook rejected ${g.id}`);
    assert.match(g.id, /^msg_[A-Za-z0-9]+$/);
    assert.match(g.ts, /^\d+$/);
    assert.ok(Math.abs(Number(g.ts) - Date.now() / 1000) < 60);
    assert.equal(g.headers['content-type'], 'application/json');
  }
}

export async function createEndpoint(gh, body) {
  const r = await bapi(gh, 'POST', '/v1/webhook_endpoints', { body });
  assert.equal(r.status, 200, r.text);
  gh.sensitive(r.json.secret);
  return r.json;
}

