import nodemailer from 'nodemailer';
import type { Db } from '../../db/index.js';
import type { Logger } from '../logger.js';
import { mailMessages } from './schema.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Sends (or, without SMTP, keeps in the outbox) and records the message for the tenant. */
  send(db: Db, tenantId: number, mail: Mail): Promise<{ ok: boolean }>;
  readonly transport: 'smtp' | 'outbox';
  close(): void;
}

export function createMailer(options: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  const transporter = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  const transport = transporter ? 'smtp' : 'outbox';
  return {
    transport,
    async send(db, tenantId, mail) {
      let error: string | null = null;
      if (transporter) {
        try {
          await transporter.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
          options.logger.error('mail.failed', { tenantId, error: error });
        }
      }
      await db.insert(mailMessages).values({
        tenantId,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? null,
        transport,
        status: error ? 'failed' : 'sent',
        error,
      });
      return { ok: !error };
    },
    close() {
      transporter?.close();
    },
  };
}
