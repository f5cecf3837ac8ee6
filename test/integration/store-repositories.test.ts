import { LinkConflictError } from '../../src/store/links-repo.js';
import { InvalidCursorError } from '../../src/store/paging.js';
import { createTestClock, storeBackends } from './store-backends.js';

const sealed = (tag: string) => ({ ciphertext: `ct-${tag}`, iv: `iv-${tag}`, authTag: `tag-${tag}`, keyId: 'k1' });

for (const backend of storeBackends()) {
  backend.describe(`repositories on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    async function setup() {
      const clock = createTestClock();
      const store = await (await backend.createDatabase()).open({ now: clock.now });
      return { clock, store };
    }

    describe('links', () => {
      test('when a contact is linked to a customer and a job, then both links are found from either side', async () => {
        const { store } = await setup();
        await store.links.upsert({
          locationId: 'L',
          ghlKind: 'contact',
          ghlId: 'c1',
          roofrKind: 'customer',
          roofrId: 'cu1',
        });
        await store.links.upsert({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'job', roofrId: 'j1' });
        expect((await store.links.listForGhl('L', 'contact', 'c1')).map((l) => `${l.roofrKind}:${l.roofrId}`)).toEqual([
          'customer:cu1',
          'job:j1',
        ]);
        expect(
          await store.links.findByRoofr({ locationId: 'L', roofrKind: 'job', roofrId: 'j1', ghlKind: 'contact' }),
        ).toMatchObject({ ghlId: 'c1', status: 'active' });
        expect(
          await store.links.findByGhl({ locationId: 'other', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'customer' }),
        ).toBeNull();
      });

      test('when a Roofr entity is already linked to another contact, then linking it again is a LinkConflictError', async () => {
        const { store } = await setup();
        await store.links.upsert({
          locationId: 'L',
          ghlKind: 'contact',
          ghlId: 'c1',
          roofrKind: 'customer',
          roofrId: 'cu1',
        });
        await expect(
          store.links.upsert({
            locationId: 'L',
            ghlKind: 'contact',
            ghlId: 'c2',
            roofrKind: 'customer',
            roofrId: 'cu1',
          }),
        ).rejects.toBeInstanceOf(LinkConflictError);
      });

      test('when a link is deleted, then it stays findable as deleted and relinking reactivates it', async () => {
        const { store, clock } = await setup();
        const link = await store.links.upsert({
          locationId: 'L',
          ghlKind: 'task',
          ghlId: 't1',
          roofrKind: 'job_task',
          roofrId: 'jt1',
        });
        clock.advance(1000);
        expect(await store.links.markDeleted(link.id)).toBe(true);
        expect(await store.links.markDeleted(link.id)).toBe(false);
        const deleted = await store.links.findByGhl({
          locationId: 'L',
          ghlKind: 'task',
          ghlId: 't1',
          roofrKind: 'job_task',
        });
        expect(deleted).toMatchObject({ status: 'deleted', updatedAt: '2026-01-01T00:00:01.000Z' });
        const relinked = await store.links.upsert({
          locationId: 'L',
          ghlKind: 'task',
          ghlId: 't1',
          roofrKind: 'job_task',
          roofrId: 'jt9',
        });
        expect(relinked).toMatchObject({ id: link.id, roofrId: 'jt9', status: 'active' });
      });

      test('when a deleted link held a Roofr entity, then another GHL entity may take it over', async () => {
        const { store } = await setup();
        const link = await store.links.upsert({
          locationId: 'L',
          ghlKind: 'task',
          ghlId: 't1',
          roofrKind: 'job_task',
          roofrId: 'jt1',
        });
        await store.links.markDeleted(link.id);
        const taken = await store.links.upsert({
          locationId: 'L',
          ghlKind: 'task',
          ghlId: 't2',
          roofrKind: 'job_task',
          roofrId: 'jt1',
        });
        expect(await store.links.listForRoofr('L', 'job_task', 'jt1')).toEqual([taken]);
        expect(
          await store.links.findByGhl({ locationId: 'L', ghlKind: 'task', ghlId: 't1', roofrKind: 'job_task' }),
        ).toBeNull();
      });

      test('when links are listed with first=2, then pages follow the cursor and a foreign cursor is refused', async () => {
        const { store } = await setup();
        for (const id of ['n1', 'n2', 'n3'])
          await store.links.upsert({
            locationId: 'L',
            ghlKind: 'note',
            ghlId: id,
            roofrKind: 'job_note',
            roofrId: `r-${id}`,
          });
        const page1 = await store.links.list('L', { first: 2 });
        const page2 = await store.links.list('L', { first: 2, after: page1.endCursor });
        expect([...page1.items, ...page2.items].map((l) => l.ghlId)).toEqual(['n1', 'n2', 'n3']);
        expect([page1.hasNextPage, page2.hasNextPage]).toEqual([true, false]);
        await expect(store.links.list('L', { first: 2, after: 'not-a-cursor' })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
      });
    });

    describe('content hashes', () => {
      test('when a hash was written, then the same hash is unchanged (or an echo) and another is a change', async () => {
        const { store } = await setup();
        const key = { locationId: 'L', direction: 'ghl_to_roofr' as const, entityKind: 'customer', entityId: 'cu1' };
        expect(await store.hashes.isUnchanged(key, 'h1')).toBe(false);
        await store.hashes.put(key, 'h1');
        expect(await store.hashes.isUnchanged(key, 'h1')).toBe(true);
        expect(await store.hashes.isUnchanged({ ...key, direction: 'roofr_to_ghl' }, 'h1')).toBe(false);
        await store.hashes.put(key, 'h2');
        expect(await store.hashes.get(key)).toMatchObject({ hash: 'h2' });
        expect(await store.hashes.delete(key)).toBe(true);
        expect(await store.hashes.get(key)).toBeNull();
      });
    });

    describe('webhooks', () => {
      const hook = (webhookId: string) => ({
        source: 'ghl' as const,
        webhookId,
        locationId: 'L',
        eventType: 'ContactUpdate',
        payload: { id: 'c1', type: 'ContactUpdate' },
      });

      test('when a webhookId arrives twice, then the second is a duplicate and only one event is queued', async () => {
        const { store } = await setup();
        const first = await store.webhooks.accept(hook('w-1'));
        const replay = await store.webhooks.accept(hook('w-1'));
        expect(first.accepted).toBe(true);
        expect(replay).toEqual({ accepted: false, reason: 'duplicate' });
        expect(await store.webhooks.hasReceipt('ghl', 'w-1')).toBe(true);
        expect(await store.webhooks.hasReceipt('roofr', 'w-1')).toBe(false);
        expect(await store.webhooks.eventDepth()).toBe(1);
      });

      test('when queued events are claimed, then they carry the payload and complete or fail like the outbox', async () => {
        const { store, clock } = await setup();
        await store.webhooks.accept(hook('w-1'));
        await store.webhooks.accept(hook('w-2'));
        const claimed = await store.webhooks.claimEvents('p1', 10, 30_000);
        expect(claimed.map((e) => [e.webhookId, e.payload])).toEqual([
          ['w-1', { id: 'c1', type: 'ContactUpdate' }],
          ['w-2', { id: 'c1', type: 'ContactUpdate' }],
        ]);
        expect(await store.webhooks.completeEvent(claimed[0]?.id ?? -1, 'p1')).toBe(true);
        expect(
          await store.webhooks.failEvent(claimed[1]?.id ?? -1, 'GHL 500', new Date(clock.now().getTime() + 1000), {
            owner: 'p1',
          }),
        ).toBe('pending');
        expect(await store.webhooks.eventCounts()).toEqual({ pending: 1, in_flight: 0, done: 1, dead: 0 });
      });

      test('when receipts are purged, then only older ones are forgotten', async () => {
        const { store, clock } = await setup();
        expect(await store.webhooks.recordReceipt('roofr', 'old')).toBe(true);
        clock.advance(10_000);
        expect(await store.webhooks.recordReceipt('roofr', 'new')).toBe(true);
        expect(await store.webhooks.recordReceipt('roofr', 'new')).toBe(false);
        expect(await store.webhooks.purgeReceipts(new Date(clock.now().getTime() - 5_000))).toBe(1);
        expect(await store.webhooks.hasReceipt('roofr', 'old')).toBe(false);
        expect(await store.webhooks.hasReceipt('roofr', 'new')).toBe(true);
      });
    });

    describe('sync runs and cursors', () => {
      test('when a run reports progress and finishes, then counts add up, errors append and the cursor moves', async () => {
        const { store, clock } = await setup();
        const run = await store.syncRuns.start({ trigger: 'manual', locationId: 'L', businessId: 'B', mode: 'full' });
        expect(run).toMatchObject({
          status: 'running',
          counts: { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0 },
          errors: [],
          cursor: null,
        });
        await Promise.all([
          store.syncRuns.recordProgress(run.id, {
            counts: { read: 10, created: 3 },
            errors: [{ message: 'missing name', entityId: 'c8' }],
          }),
          store.syncRuns.recordProgress(run.id, {
            counts: { read: 5, unchanged: 4, failed: 1 },
            errors: [{ message: 'bad phone', entityId: 'c9' }],
          }),
        ]);
        clock.advance(2_000);
        const finished = await store.syncRuns.finish(run.id, {
          status: 'partial',
          counts: { updated: 2 },
          cursor: '2026-01-01T00:00:00Z',
        });
        expect(finished).toMatchObject({
          status: 'partial',
          counts: { read: 15, created: 3, updated: 2, unchanged: 4, failed: 1 },
          cursor: '2026-01-01T00:00:00Z',
          finishedAt: '2026-01-01T00:00:02.000Z',
        });
        expect(finished?.errors.map((e) => e.entityId).sort()).toEqual(['c8', 'c9']);
        expect(await store.syncRuns.finish(run.id, { status: 'failed' })).toBeNull();
      });

      test('when runs are listed, then the newest comes first and pages follow the cursor', async () => {
        const { store, clock } = await setup();
        const ids: string[] = [];
        for (let i = 0; i < 3; i += 1) {
          ids.push((await store.syncRuns.start({ trigger: 'schedule', locationId: 'L', mode: 'incremental' })).id);
          clock.advance(1000);
        }
        await store.syncRuns.start({ trigger: 'schedule', locationId: 'other', mode: 'incremental' });
        const page1 = await store.syncRuns.list({ first: 2, locationId: 'L' });
        const page2 = await store.syncRuns.list({ first: 2, locationId: 'L', after: page1.endCursor });
        expect([...page1.items, ...page2.items].map((r) => r.id)).toEqual([...ids].reverse());
        expect(page2.hasNextPage).toBe(false);
        expect((await store.syncRuns.latest('L'))?.id).toBe(ids[2]);
      });

      test('when the process died during a run, then abandonRunning marks it failed with a reason', async () => {
        const { store, clock } = await setup();
        const stale = await store.syncRuns.start({ trigger: 'manual', locationId: 'L', mode: 'full' });
        await store.syncRuns.recordProgress(stale.id, { errors: [{ message: 'first' }] });
        clock.advance(60_000);
        const fresh = await store.syncRuns.start({ trigger: 'manual', locationId: 'L', mode: 'full' });
        expect(await store.syncRuns.abandonRunning(clock.now())).toBe(1);
        const abandoned = await store.syncRuns.get(stale.id);
        expect(abandoned?.status).toBe('failed');
        expect(abandoned?.errors.map((e) => e.message)).toEqual(['first', expect.stringMatching(/abandoned/)]);
        expect((await store.syncRuns.get(fresh.id))?.status).toBe('running');
      });

      test('when a cursor is set twice, then the last value is kept per location and scope', async () => {
        const { store } = await setup();
        await store.cursors.set('L', 'ghl.contacts', 'a');
        await store.cursors.set('L', 'ghl.contacts', 'b');
        await store.cursors.set('L', 'roofr.jobs', 'x');
        expect((await store.cursors.get('L', 'ghl.contacts'))?.value).toBe('b');
        expect(await store.cursors.get('M', 'ghl.contacts')).toBeNull();
        expect((await store.cursors.listForLocation('L')).map((c) => c.scope)).toEqual(['ghl.contacts', 'roofr.jobs']);
        expect(await store.cursors.clear('L', 'roofr.jobs')).toBe(true);
      });
    });

    describe('secrets at rest', () => {
      test('when two replicas refresh the same token, then only the first write wins', async () => {
        const { store, clock } = await setup();
        const subject = { kind: 'location' as const, id: 'L' };
        const installed = await store.tokens.save({
          subject,
          companyId: 'C',
          encrypted: sealed('v1'),
          scopes: ['contacts.readonly'],
          expiresAt: new Date(clock.now().getTime() + 3_600_000),
        });
        expect(installed).toMatchObject({
          version: 1,
          status: 'active',
          scopes: ['contacts.readonly'],
          encrypted: sealed('v1'),
        });
        const winner = await store.tokens.replaceIfVersion(subject, 1, {
          encrypted: sealed('v2'),
          expiresAt: new Date(clock.now().getTime() + 7_200_000),
        });
        const loser = await store.tokens.replaceIfVersion(subject, 1, {
          encrypted: sealed('v2b'),
          expiresAt: new Date(clock.now().getTime() + 7_200_000),
        });
        expect(winner).toMatchObject({ version: 2, encrypted: sealed('v2'), lastRefreshAt: clock.now().toISOString() });
        expect(loser).toBeNull();
        expect((await store.tokens.get(subject))?.encrypted).toEqual(sealed('v2'));
        expect((await store.tokens.listForCompany('C')).map((t) => t.subject.id)).toEqual(['L']);
      });

      test('when a token needs reinstalling, then it leaves the refresh list until saved again', async () => {
        const { store, clock } = await setup();
        const soon = new Date(clock.now().getTime() + 60_000);
        await store.tokens.save({
          subject: { kind: 'location', id: 'L1' },
          encrypted: sealed('a'),
          scopes: [],
          expiresAt: soon,
        });
        await store.tokens.save({
          subject: { kind: 'company', id: 'C1' },
          encrypted: sealed('b'),
          scopes: [],
          expiresAt: new Date(soon.getTime() + 1),
        });
        const horizon = new Date(clock.now().getTime() + 300_000);
        expect((await store.tokens.listExpiringBefore(horizon, 10)).map((t) => t.subject.id)).toEqual(['L1', 'C1']);
        expect(await store.tokens.markNeedsReinstall({ kind: 'location', id: 'L1' })).toBe(true);
        expect((await store.tokens.listExpiringBefore(horizon, 10)).map((t) => t.subject.id)).toEqual(['C1']);
        const reinstalled = await store.tokens.save({
          subject: { kind: 'location', id: 'L1' },
          encrypted: sealed('c'),
          scopes: ['x'],
          expiresAt: soon,
        });
        expect(reinstalled).toMatchObject({ status: 'active', version: 3 });
        expect(await store.tokens.delete({ kind: 'company', id: 'C1' })).toBe(true);
      });

      test('when an API key is revoked, then it is no longer found by its hash', async () => {
        const { store } = await setup();
        const key = await store.apiKeys.create({
          keyHash: 'sha256:abc',
          name: 'ci',
          locations: ['L1', 'L2'],
          roles: ['read'],
        });
        expect(await store.apiKeys.findActiveByHash('sha256:abc')).toMatchObject({
          id: key.id,
          locations: ['L1', 'L2'],
          roles: ['read'],
          revokedAt: null,
        });
        expect(await store.apiKeys.revoke(key.id)).toBe(true);
        expect(await store.apiKeys.findActiveByHash('sha256:abc')).toBeNull();
        expect(await store.apiKeys.list()).toEqual([]);
        expect((await store.apiKeys.list({ includeRevoked: true })).map((k) => k.name)).toEqual(['ci']);
      });

      test('when a secret is put twice, then the last sealed value is returned', async () => {
        const { store } = await setup();
        await store.secrets.put('roofr.apiKey', sealed('1'));
        await store.secrets.put('roofr.apiKey', sealed('2'));
        expect((await store.secrets.get('roofr.apiKey'))?.encrypted).toEqual(sealed('2'));
        expect(await store.secrets.listKeys()).toEqual(['roofr.apiKey']);
        expect(await store.secrets.delete('roofr.apiKey')).toBe(true);
        expect(await store.secrets.get('roofr.apiKey')).toBeNull();
      });
    });
  });
}
