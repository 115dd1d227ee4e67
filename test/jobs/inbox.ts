import { SMTPServer } from 'smtp-server';
import { freePort } from '../../server/db/embedded';

export interface ReceivedMail {
  to: string;
  raw: string;
}

/** A real SMTP server on 127.0.0.1 that can be taken down and brought back on the same port. */
export class Inbox {
  mails: ReceivedMail[] = [];
  server: SMTPServer | null = null;
  port = 0;
  /** Addresses refused with 550 at RCPT TO, like a mailbox that does not exist. */
  rejected = new Set<string>();
  async reservePort() {
    this.port ||= await freePort();
    return this.port;
  }
  async start() {
    await this.reservePort();
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, cb) => {
        if (this.rejected.has(address.address)) return cb(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }
  async stop() {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
  get url() {
    return `smtp://127.0.0.1:${this.port}`;
  }
  to(email: string) {
    return this.mails.filter((m) => m.to === email);
  }
  /** The subject with folded lines joined and RFC 2047 words decoded. */
  static subject(raw: string): string {
    const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ');
    const line = /^Subject: (.*)$/m.exec(unfolded)?.[1] ?? '';
    return line
      .replace(/=\?UTF-8\?Q\?([^?]*)\?=\s*/gi, (_, q: string) => Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'))
      .replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b: string) => Buffer.from(b, 'base64').toString('utf8'))
      .trim();
  }
}
