/**
 * The Zapier Platform CLI app of the HighLevel ↔ Roofr gateway (zapier-platform-core).
 * Authentication: the gateway's URL and one of its API keys (x-api-key; x-location-id when the
 * key has several locations), tested against GET /zapier/me. Triggers are REST hooks
 * (POST/DELETE /zapier/hooks) with GET /zapier/samples/:event for the editor; the action
 * "Create or Update Contact" runs the gateway's upsertContact mutation.
 */
const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');
const { hookTrigger } = require('./triggers/hook-trigger');
const upsertContact = require('./creates/upsert-contact');

const gatewayUrl = (bundle) => String(bundle.authData.gatewayUrl || '').replace(/\/+$/, '');

const addAuthHeaders = (request, z, bundle) => {
  request.headers = request.headers || {};
  if (bundle.authData.apiKey) request.headers['x-api-key'] = bundle.authData.apiKey;
  if (bundle.authData.locationId) request.headers['x-location-id'] = bundle.authData.locationId;
  return request;
};

/** Every refusal carries `error: { code, message }` (REST) or `errors[]` (GraphQL): say it plainly. */
const explainErrors = (response, z) => {
  if (response.status >= 400) {
    const body = response.data || {};
    const message =
      (body.error && body.error.message) ||
      (body.errors && body.errors[0] && body.errors[0].message) ||
      response.content;
    if (response.status === 401 || response.status === 403) throw new z.errors.RefreshAuthError(message);
    throw new z.errors.Error(message, (body.error && body.error.code) || 'GatewayError', response.status);
  }
  return response;
};

const triggers = [
  hookTrigger({
    key: 'contact_synced',
    noun: 'Contact',
    label: 'Contact Synced to Roofr',
    description: 'Triggers when a HighLevel contact was created or updated in Roofr.',
    sample: {
      id: 'contact:Cnt0001:2026-12-01T10:00:00.000Z',
      event: 'contact_synced',
      locationId: 'Loc0001',
      contactId: 'Cnt0001',
      roofrCustomerId: 'cus_1001',
      roofrJobId: 'job_2001',
      syncedAt: '2026-12-01T10:00:00.000Z',
    },
  }),
  hookTrigger({
    key: 'sync_run_finished',
    noun: 'Sync Run',
    label: 'Sync Run Finished',
    description: 'Triggers when a sync run (batch, webhook event or manual) finished, with its status and counts.',
    sample: {
      id: 'run:3f0c',
      event: 'sync_run_finished',
      locationId: 'Loc0001',
      runId: '3f0c',
      trigger: 'schedule',
      mode: 'INCREMENTAL',
      status: 'SUCCEEDED',
      counts: { read: 40, created: 2, updated: 5, unchanged: 33, failed: 0 },
      startedAt: '2026-12-01T02:00:00.000Z',
      finishedAt: '2026-12-01T02:03:10.000Z',
      firstError: null,
    },
  }),
  hookTrigger({
    key: 'dead_letter',
    noun: 'Dead Letter',
    label: 'New Dead Letter',
    description: 'Triggers when a Roofr write or a webhook event was given up and waits for a person.',
    sample: {
      id: 'outbox:42:2026-12-01T10:00:00.000Z',
      event: 'dead_letter',
      locationId: 'Loc0001',
      queue: 'outbox',
      deadLetterId: '42',
      kind: 'contact.upsert',
      error: 'RoofrValidationError: email is invalid',
      attempts: 1,
      at: '2026-12-01T10:00:00.000Z',
    },
  }),
  hookTrigger({
    key: 'notification',
    noun: 'Notification',
    label: 'New Notification',
    description: 'Triggers on every operational notification (firing, reminder, resolved) with what to do.',
    sample: {
      id: 'notification:7',
      event: 'notification',
      locationId: 'Loc0001',
      notificationId: '7',
      kind: 'reinstall_required',
      severity: 'CRITICAL',
      status: 'FIRING',
      summary: 'HighLevel no longer accepts the OAuth grant of location Loc0001 (grant_rejected).',
      remedy: 'Open the install link as a HighLevel user of the location and approve the app.',
      remedyMutation: null,
      remedyCommand: 'npm run auth -- url',
      remedyUrl: 'https://gateway.example.com/oauth/install',
      occurrences: 1,
      firstSeenAt: '2026-12-01T10:00:00.000Z',
      createdAt: '2026-12-01T10:00:00.000Z',
    },
  }),
];

module.exports = {
  version,
  platformVersion,
  authentication: {
    type: 'custom',
    fields: [
      {
        key: 'gatewayUrl',
        label: 'Gateway URL',
        required: true,
        type: 'string',
        helpText: 'Where the gateway is reachable, e.g. https://gateway.example.com',
      },
      {
        key: 'apiKey',
        label: 'API Key',
        required: true,
        type: 'password',
        helpText: 'Made with `npm run auth -- api-key create --name zapier --locations <id> --roles read,write`.',
      },
      {
        key: 'locationId',
        label: 'HighLevel Location ID',
        required: false,
        type: 'string',
        helpText: 'Only when the key has several locations.',
      },
    ],
    test: (z, bundle) => z.request({ url: `${gatewayUrl(bundle)}/zapier/me` }).then((response) => response.data),
    connectionLabel: (z, bundle) => `${bundle.inputData.locationId} (${bundle.inputData.subject})`,
  },
  beforeRequest: [addAuthHeaders],
  afterResponse: [explainErrors],
  triggers: Object.fromEntries(triggers.map((trigger) => [trigger.key, trigger])),
  creates: { [upsertContact.key]: upsertContact },
  gatewayUrl,
};
