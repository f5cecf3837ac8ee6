/**
 * HighLevel webhook bodies (reference/ghl/webhooks/*.json), parsed with zod after the signature
 * check. Only what the sync needs is typed; the rest of the body passes through untouched (the
 * handler re-reads records from the API rather than trusting a possibly stale body).
 */
import { z } from 'zod';

const GHL_SYNC_EVENT_TYPES = [
  'ContactCreate',
  'ContactUpdate',
  'ContactDelete',
  'ContactDndUpdate',
  'ContactTagUpdate',
  'TaskCreate',
  'TaskComplete',
  'TaskDelete',
  'NoteCreate',
  'NoteUpdate',
  'NoteDelete',
  'AppointmentCreate',
  'AppointmentUpdate',
  'AppointmentDelete',
  'INSTALL',
  'UNINSTALL',
] as const;
type GhlEventType = (typeof GHL_SYNC_EVENT_TYPES)[number];

/** The envelope every signed delivery carries (timestamp and webhookId are GHL's replay guard). */
export const GhlWebhookEnvelopeSchema = z.looseObject({
  type: z.string().min(1),
  locationId: z.string().min(1).optional(),
  webhookId: z.string().min(1),
  timestamp: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO-8601 timestamp'),
});

export const GhlContactEventSchema = z.looseObject({ type: z.string(), locationId: z.string(), id: z.string().min(1) });
export const GhlChildEventSchema = z.looseObject({
  type: z.string(),
  locationId: z.string(),
  id: z.string().min(1),
  contactId: z.string().min(1),
});
export const GhlAppointmentEventSchema = z.looseObject({
  type: z.string(),
  locationId: z.string(),
  appointment: z.looseObject({ id: z.string().min(1), contactId: z.string().min(1).optional() }),
});
export type GhlAppointmentEvent = z.infer<typeof GhlAppointmentEventSchema>;

export function isKnownGhlEvent(type: string): type is GhlEventType {
  return (GHL_SYNC_EVENT_TYPES as readonly string[]).includes(type);
}
