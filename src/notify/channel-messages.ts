/**
 * How a notification reads on each configured channel, rendered once when it is queued (so a
 * retried delivery sends the same bytes): the signed webhook's JSON, a Slack incoming-webhook
 * message, an e-mail's subject and text. Every rendering carries the same facts: severity,
 * location, the one sentence of what happened, and what fixes it.
 */
import type { StoredNotification } from '../store/notifications-repo.js';

/** The JSON of a notification as the webhook and the GraphQL list show it. */
interface NotificationView {
  id: string;
  kind: string;
  severity: string;
  status: string;
  locationId: string;
  summary: string;
  remedy: { text: string; mutation: string | null; command: string | null; url: string | null };
  occurrences: number;
  firstSeenAt: string;
  createdAt: string;
  details: Record<string, unknown>;
}

export function notificationView(notification: StoredNotification): NotificationView {
  return {
    id: String(notification.id),
    kind: notification.kind,
    severity: notification.severity.toUpperCase(),
    status: notification.status.toUpperCase(),
    locationId: notification.locationId,
    summary: notification.summary,
    remedy: {
      text: notification.remedy.text,
      mutation: notification.remedy.mutation ?? null,
      command: notification.remedy.command ?? null,
      url: notification.remedy.url ?? null,
    },
    occurrences: notification.occurrences,
    firstSeenAt: notification.firstSeenAt,
    createdAt: notification.createdAt,
    details: notification.details,
  };
}

/** The signed webhook's body: an envelope receivers switch on by `type`. */
export function webhookBody(notification: StoredNotification): Record<string, unknown> {
  return {
    id: `ntf_${notification.id}`,
    type: `notification.${notification.status}`,
    createdAt: notification.createdAt,
    notification: notificationView(notification),
  };
}

const ICON: Readonly<Record<string, string>> = {
  critical: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
};

function remedyLines(notification: StoredNotification): string[] {
  const lines = [`*What to do:* ${notification.remedy.text}`];
  if (notification.remedy.url !== undefined) lines.push(`*Install link:* <${notification.remedy.url}>`);
  if (notification.remedy.mutation !== undefined) lines.push(`*GraphQL:* \`${notification.remedy.mutation}\``);
  if (notification.remedy.command !== undefined) lines.push(`*Command:* \`${notification.remedy.command}\``);
  return lines;
}

function title(notification: StoredNotification): string {
  const state =
    notification.status === 'resolved' ? 'RESOLVED' : notification.status === 'reminder' ? 'STILL FIRING' : 'FIRING';
  return `[${state}] ${notification.severity.toUpperCase()} ${notification.kind} · location ${notification.locationId}`;
}

/** Slack incoming-webhook format: `text` is the fallback (notifications, old clients), `blocks` the message. */
export function slackBody(notification: StoredNotification): Record<string, unknown> {
  const icon = notification.status === 'resolved' ? ':white_check_mark:' : (ICON[notification.severity] ?? '');
  const heading = `${icon} ${title(notification)}`;
  const body =
    notification.status === 'resolved' ? [notification.summary] : [notification.summary, ...remedyLines(notification)];
  return {
    text: `${heading}: ${notification.summary}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${heading}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: body.join('\n') } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `notification ${notification.id} · ${notification.occurrences} occurrence(s) since ${notification.firstSeenAt}`,
          },
        ],
      },
    ],
  };
}

export interface EmailMessage {
  subject: string;
  text: string;
}

export function emailMessage(notification: StoredNotification): EmailMessage {
  const lines = [
    notification.summary,
    '',
    ...(notification.status === 'resolved'
      ? []
      : [
          `What to do: ${notification.remedy.text}`,
          ...(notification.remedy.url === undefined ? [] : [`Install link: ${notification.remedy.url}`]),
          ...(notification.remedy.mutation === undefined ? [] : [`GraphQL: ${notification.remedy.mutation}`]),
          ...(notification.remedy.command === undefined ? [] : [`Command: ${notification.remedy.command}`]),
          '',
        ]),
    `Severity: ${notification.severity.toUpperCase()}`,
    `Location: ${notification.locationId}`,
    `Occurrences: ${notification.occurrences} since ${notification.firstSeenAt}`,
    `Notification: ${notification.id} (${notification.createdAt})`,
  ];
  return { subject: title(notification), text: lines.join('\n') };
}
