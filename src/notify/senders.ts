/**
 * The channels' senders: one attempt of one delivery each, over the upstream layer's one HTTP
 * transport (bounded in time and size) or SMTP. Retrying is the delivery worker's (the queue's
 * backoff), so a sender only says what happened:
 * - resolves 'delivered', or 'dropped' when there is nothing left to deliver to (a Zapier hook
 *   that was unsubscribed, or that Zapier answered 410 Gone: the Zap is off, so it is deleted);
 * - throws SendRetryableError (timeouts, resets, 408, 429, 5xx; SMTP 4xx) or SendRefusedError
 *   (other 4xx; SMTP 5xx: retrying the same bytes cannot help).
 * A receiver's body is never logged or stored beyond its status (it may echo secrets).
 */
import type { Transporter } from 'nodemailer';
import { networkCodeOf, type Transport } from '../upstream/transport.js';
import type { HookDelivery } from '../store/hook-deliveries-repo.js';
import type { ZapierHooksRepo } from '../store/zapier-hooks-repo.js';
import type { EmailMessage } from './channel-messages.js';
import { isAllowedZapierTarget } from './notify-config.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signGatewayWebhook } from './signature.js';

export type SendOutcome = 'delivered' | 'dropped';
export type Sender = (delivery: HookDelivery) => Promise<SendOutcome>;

export class SendRetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number = 0,
  ) {
    super(message);
    this.name = 'SendRetryableError';
  }
}

export class SendRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendRefusedError';
  }
}

function retryAfterMsOf(headers: Readonly<Record<string, string | string[] | undefined>>): number {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

interface Post {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** One POST; what its answer means for the delivery. */
async function post(transport: Transport, request: Post, timeoutMs: number, what: string): Promise<'ok' | 'gone'> {
  let response;
  try {
    response = await transport.send({
      url: new URL(request.url),
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'ghl-roofr-gateway', ...request.headers },
      body: request.body,
      timeoutMs,
    });
  } catch (error) {
    const code = networkCodeOf(error);
    throw new SendRetryableError(
      `${what} did not answer (${code ?? (error instanceof Error ? error.message : 'error')})`,
    );
  }
  const { status } = response;
  if (status >= 200 && status < 300) return 'ok';
  if (status === 410) return 'gone';
  if (status === 408 || status === 429 || status >= 500)
    throw new SendRetryableError(`${what} answered ${status}`, retryAfterMsOf(response.headers));
  throw new SendRefusedError(`${what} refused the delivery with ${status}`);
}

function signedHeaders(secret: string, body: string, delivery: HookDelivery): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: signGatewayWebhook(secret, body),
    [DELIVERY_HEADER]: String(delivery.id),
    [EVENT_HEADER]: delivery.eventKind,
  };
}

export function createWebhookSender(options: {
  transport: Transport;
  url: string;
  secret: string;
  timeoutMs: number;
}): Sender {
  return async (delivery) => {
    const body = JSON.stringify(delivery.payload);
    const answer = await post(
      options.transport,
      { url: options.url, body, headers: signedHeaders(options.secret, body, delivery) },
      options.timeoutMs,
      'the notification webhook',
    );
    if (answer === 'gone') throw new SendRefusedError('the notification webhook answered 410 Gone');
    return 'delivered';
  };
}

export function createSlackSender(options: { transport: Transport; url: string; timeoutMs: number }): Sender {
  return async (delivery) => {
    const answer = await post(
      options.transport,
      { url: options.url, body: JSON.stringify(delivery.payload), headers: {} },
      options.timeoutMs,
      'Slack',
    );
    if (answer === 'gone') throw new SendRefusedError('Slack answered 410 Gone: the incoming webhook was removed');
    return 'delivered';
  };
}

export function createZapierSender(options: {
  transport: Transport;
  hooks: Pick<ZapierHooksRepo, 'get' | 'unsubscribe'>;
  /** ZAPIER_TARGET_HOSTS, checked again at delivery (the list may have shrunk since the subscribe). */
  allowedHosts: readonly string[];
  timeoutMs: number;
}): Sender {
  return async (delivery) => {
    const hook = await options.hooks.get(delivery.target);
    // Unsubscribed since it was queued: nobody wants it any more.
    if (hook === null) return 'dropped';
    if (!isAllowedZapierTarget(hook.targetUrl, options.allowedHosts))
      throw new SendRefusedError('the hook target is not in ZAPIER_TARGET_HOSTS any more');
    const body = JSON.stringify(delivery.payload);
    const answer = await post(
      options.transport,
      { url: hook.targetUrl, body, headers: signedHeaders(hook.secret, body, delivery) },
      options.timeoutMs,
      'the Zapier hook',
    );
    if (answer === 'gone') {
      // Zapier's REST hook contract: 410 means the Zap was turned off or deleted; stop sending.
      await options.hooks.unsubscribe(hook.id, [hook.locationId]);
      return 'dropped';
    }
    return 'delivered';
  };
}

export interface EmailSender {
  send: Sender;
  close(): void;
}

export function createEmailSender(options: {
  smtpUrl: string;
  from: string;
  to: readonly string[];
  timeoutMs: number;
}): EmailSender {
  // nodemailer is imported at the first e-mail, not at start: a process that sends none never loads it.
  let transporter: Promise<Transporter> | null = null;
  const smtp = (): Promise<Transporter> =>
    (transporter ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url: options.smtpUrl,
        connectionTimeout: options.timeoutMs,
        greetingTimeout: options.timeoutMs,
        socketTimeout: options.timeoutMs,
      }),
    ));
  return {
    async send(delivery) {
      const message = delivery.payload as EmailMessage;
      try {
        await (
          await smtp()
        ).sendMail({
          from: options.from,
          to: [...options.to],
          subject: message.subject,
          text: message.text,
        });
      } catch (error) {
        const responseCode =
          typeof error === 'object' &&
          error !== null &&
          'responseCode' in error &&
          typeof error.responseCode === 'number'
            ? error.responseCode
            : null;
        const reason = error instanceof Error ? error.message : 'SMTP error';
        // 5xx is the server's permanent refusal; 4xx and no answer are worth another attempt.
        if (responseCode !== null && responseCode >= 500)
          throw new SendRefusedError(`SMTP refused the e-mail: ${reason}`);
        throw new SendRetryableError(`SMTP did not take the e-mail: ${reason}`);
      }
      return 'delivered';
    },
    close: () => void transporter?.then((opened) => opened.close()),
  };
}
