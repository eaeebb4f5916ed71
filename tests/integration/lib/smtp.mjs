// smtp.mjs: an SMTP sink on loopback for the mail tests (issue 4), built on
// npm smtp-server, with every message parsed by npm mailparser (an
// independent MIME parser: headers, RFC 2047 subjects, quoted-printable and
// multipart bodies). The sink can go down and come back on the same port,
// answer RCPT TO with a chosen SMTP error, and require AUTH.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { freePort, sleep } from './net.mjs';

export class SmtpSink {
  constructor({ user, password } = {}) {
    this.got = [];          // { from, to[], raw, parsed, auth }
    this.rcptError = null;  // { code, message } → RCPT TO refused with it
    this.rcptCalls = 0;
    this.auths = [];        // { username, password, method }
    this.user = user;
    this.password = password;
    this.server = null;
    this.waiters = [];
  }

  /** Listens (again) on this.port, or a free one the first time. */
  async start(port) {
    this.port = port || this.port || await freePort();
    const needAuth = this.user !== undefined;
    this.server = new SMTPServer({
      logger: false,
      disabledCommands: needAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !needAuth,
      allowInsecureAuth: true,
      onAuth: (auth, session, cb) => {
        this.auths.push({ username: auth.username, password: auth.password, method: auth.method });
        if (auth.username === this.user && auth.password === this.password) return cb(null, { user: auth.username });
        const e = new Error('Invalid username or password');
        e.responseCode = 535;
        return cb(e);
      },
      onRcptTo: (address, session, cb) => {
        this.rcptCalls += 1;
        if (this.rcptError) {
          const e = new Error(this.rcptError.message || 'refused');
          e.responseCode = this.rcptError.code;
          return cb(e);
        }
        return cb();
      },
      onData: (stream, session, cb) => {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const parsed = await simpleParser(raw);
          this.got.push({
            from: session.envelope.mailFrom && session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw, parsed, auth: session.user,
          });
          for (const w of this.waiters.splice(0)) w();
          cb();
        });
      },
    });
    await new Promise((res, rej) => {
      this.server.once('error', rej);
      this.server.listen(this.port, '127.0.0.1', () => { this.server.off('error', rej); res(); });
    });
    return this;
  }

  /** Stops listening (connections refused until start() again). */
  async stop() {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    await new Promise((r) => s.close(r));
  }

  url() { return `smtp://127.0.0.1:${this.port}`; }

  /** Waits until pred(got) is truthy (re-checked on each message). */
  async waitFor(pred, timeoutMs = 15000, what = 'mail') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred(this.got);
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} (${this.got.length} received)`);
      await Promise.race([new Promise((r) => this.waiters.push(r)), sleep(Math.min(left, 200))]);
    }
  }

  /** The first message to `addr` (waiting for it). */
  async mailTo(addr, timeoutMs) {
    return this.waitFor((got) => got.find((m) => m.to.includes(addr)), timeoutMs, `mail to ${addr}`);
  }
}

export async function startSmtpSink(opts) {
  return new SmtpSink(opts).start();
}
