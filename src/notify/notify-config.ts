/**
 * The notification and Zapier variables of the one config schema (src/config.ts spreads these
 * entries in, so README's generated table lists them), and the checks across variables.
 * Outbound URLs must be HTTPS: the gateway signs what it sends, but a plain-HTTP hop would still
 * show it to the network. Loopback HTTP is allowed for local receivers (tests, a sidecar).
 */
import { z } from 'zod';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const list = z
  .string()
  .optional()
  .transform((value) =>
    value === undefined || value.trim() === ''
      ? []
      : value
          .split(/[\s,]+/)
          .map((item) => item.trim())
          .filter((item) => item !== ''),
  );

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** https://…, or http:// to a loopback host. */
export function isAllowedOutboundUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

const outboundUrl = optionalText.refine(
  (value) => value === undefined || isAllowedOutboundUrl(value),
  'must be an https:// URL (http:// only to 127.0.0.1 or localhost)',
);

export const notifyConfigEntries = {
  NOTIFY_WEBHOOK_URL: [
    outboundUrl,
    'HTTPS URL receiving every notification as JSON, signed with NOTIFY_WEBHOOK_SECRET (x-gateway-signature: t=…,v1=<HMAC-SHA256>; docs/operations.md)',
  ],
  NOTIFY_WEBHOOK_SECRET: [
    optionalText.refine((value) => value === undefined || value.length >= 16, 'at least 16 characters'),
    'HMAC key signing NOTIFY_WEBHOOK_URL deliveries; required with it',
  ],
  NOTIFY_SLACK_WEBHOOK_URL: [outboundUrl, 'Slack incoming-webhook URL receiving every notification as a message'],
  NOTIFY_SMTP_URL: [
    optionalText.refine(
      (value) => value === undefined || /^smtps?:\/\//.test(value),
      'e.g. smtp://user:pass@mail.example.com:587 or smtps://…:465',
    ),
    'SMTP server notifications are e-mailed through: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://',
  ],
  NOTIFY_EMAIL_TO: [
    list,
    'recipients of notification e-mails, comma separated; needs NOTIFY_SMTP_URL and NOTIFY_EMAIL_FROM',
  ],
  NOTIFY_EMAIL_FROM: [optionalText, 'sender address of notification e-mails, e.g. "Gateway <gateway@example.com>"'],
  NOTIFY_MIN_SEVERITY: [
    z.enum(['info', 'warning', 'critical']).default('warning'),
    'least severe notification sent to the channels above (every one is still listed by the notifications query)',
  ],
  NOTIFY_QUIET_MS: [
    nonNegativeInt.default(300000),
    'a success resolves a failing condition (sync runs, Roofr validation) only after this long without a new failure, so one outage sends one message and one recovery',
  ],
  NOTIFY_REPEAT_MS: [
    nonNegativeInt.default(21600000),
    'while a condition stays open and keeps occurring, a reminder at most this often; 0: never',
  ],
  NOTIFY_MAX_ATTEMPTS: [
    positiveInt.default(10),
    'attempts of one notification or Zapier delivery before it is given up',
  ],
  NOTIFY_POLL_MS: [
    positiveInt.default(1000),
    'how often the delivery worker looks for notifications and Zapier deliveries that are due',
  ],
  NOTIFY_TIMEOUT_MS: [positiveInt.default(5000), 'timeout of one delivery attempt (webhook, Slack, Zapier, SMTP)'],
  ZAPIER_TARGET_HOSTS: [
    list.transform((hosts) => (hosts.length === 0 ? ['hooks.zapier.com'] : hosts)),
    'hosts a Zapier REST hook subscription may deliver to (HTTPS; a loopback host listed here also over HTTP); default hooks.zapier.com',
  ],
} as const;

type NotifyEntries = typeof notifyConfigEntries;
type NotifyConfig = { [K in keyof NotifyEntries]: z.infer<NotifyEntries[K][0]> };

/** Problems across the notification variables, worded like every other config problem. */
export function notifyConfigProblems(config: NotifyConfig): string[] {
  const problems: string[] = [];
  if (config.NOTIFY_WEBHOOK_URL !== undefined && config.NOTIFY_WEBHOOK_SECRET === undefined)
    problems.push('NOTIFY_WEBHOOK_SECRET: required with NOTIFY_WEBHOOK_URL (deliveries are signed with it)');
  const email = [
    config.NOTIFY_SMTP_URL,
    config.NOTIFY_EMAIL_FROM,
    config.NOTIFY_EMAIL_TO.length > 0 ? 'to' : undefined,
  ];
  if (email.some((value) => value !== undefined) && email.some((value) => value === undefined))
    problems.push(
      'NOTIFY_SMTP_URL, NOTIFY_EMAIL_FROM and NOTIFY_EMAIL_TO: set all three to e-mail notifications, or none',
    );
  return problems;
}

/** A Zapier target URL this gateway may deliver to (ZAPIER_TARGET_HOSTS). */
export function isAllowedZapierTarget(value: string, hosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  const listed = hosts.some((allowed) => host === allowed.toLowerCase() || host.endsWith(`.${allowed.toLowerCase()}`));
  if (!listed) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(host));
}
