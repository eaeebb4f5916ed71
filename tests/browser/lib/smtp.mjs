// smtp.mjs: an SMTP sink on a loopback port for the browser tests. Gatehouse
// sends its verification and reset codes here (GATEHOUSE_SMTP_URL=smtp://…);
// every message is parsed (mailparser) and kept, and waitForMail(to) hands
// each one to exactly one caller, so a test reads "the next mail to X". No
// TLS, any AUTH accepted: it only ever listens on 127.0.0.1.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { setTimeout as sleep } from 'node:timers/promises';

const norm = (a) => String(a || '').trim().toLowerCase();

export async function startSmtpSink() {
  const messages = []; // {to: [addr], from, subject, text, html, raw, consumed}
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    size: 1 << 20,
    onAuth(auth, session, cb) { cb(null, { user: auth.username || 'any' }); },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (d) => chunks.push(d));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        try {
          const m = await simpleParser(raw);
          messages.push({
            to: session.envelope.rcptTo.map((r) => norm(r.address)),
            from: norm(session.envelope.mailFrom?.address),
            subject: m.subject || '',
            text: m.text || '',
            html: typeof m.html === 'string' ? m.html : '',
            headers: m.headers,
            raw: raw.toString('utf8'),
            consumed: false,
          });
          cb();
        } catch (e) {
          cb(e);
        }
      });
    },
  });
  await new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', res);
  });
  const { port } = server.server.address();

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** All messages (consumed or not) sent to `to`. */
    sentTo(to) { return messages.filter((m) => m.to.includes(norm(to))); },
    /** The next not-yet-taken message to `to`; waits up to timeoutMs. */
    async waitForMail(to, { timeoutMs = 20000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = messages.find((x) => !x.consumed && x.to.includes(norm(to)));
        if (m) { m.consumed = true; return m; }
        if (Date.now() > deadline) {
          throw new Error(`no mail to ${to} within ${timeoutMs} ms (sink holds ${messages.length}: ` +
            `${messages.map((x) => `${x.to.join(',')} "${x.subject}"`).join('; ') || 'none'})`);
        }
        await sleep(50);
      }
    },
    close() { return new Promise((res) => server.close(res)); },
  };
}

/** The 6-digit code in a mail (text part first, then the HTML with tags removed). */
export function extractCode(mail) {
  for (const body of [mail.text, (mail.html || '').replace(/<[^>]*>/g, ' ')]) {
    const m = /(?<![0-9])([0-9]{6})(?![0-9])/.exec(body || '');
    if (m) return m[1];
  }
  throw new Error(`no 6-digit code in mail "${mail.subject}":\n${mail.text || mail.html}`);
}
