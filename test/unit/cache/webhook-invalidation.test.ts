import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCache } from '../../../src/cache/cache-factory.js';
import type { SharedCache } from '../../../src/cache/shared-cache.js';
import { changeOfGhlEvent, invalidateForGhlEvent } from '../../../src/cache/webhook-invalidation.js';
import { recordingLogger } from './fakes.js';

// HighLevel's published example payloads (test/fixtures/ghl/README.md).
const WEBHOOKS = fileURLToPath(new URL('../../fixtures/ghl/webhooks', import.meta.url));
const TTL = 60_000;

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${WEBHOOKS}/${name}.example.json`, 'utf8')) as Record<string, unknown>;
}

async function primed(locationId: string, contactId: string): Promise<SharedCache> {
  const cache = await createCache('memory://', { logger: recordingLogger().logger });
  const { keys } = cache;
  await cache.prime(keys.contact(locationId, contactId), TTL, { id: contactId });
  await cache.prime(keys.listOfContact('tasksOfContact', locationId, contactId), TTL, [{ id: 't1' }]);
  await cache.prime(keys.listOfContact('notesOfContact', locationId, contactId), TTL, [{ id: 'n1' }]);
  await cache.prime(keys.listOfContact('appointmentsOfContact', locationId, contactId), TTL, [{ id: 'a1' }]);
  await cache.prime(await cache.searchKey(locationId, { q: 'x' }), TTL, []);
  return cache;
}

async function cached(cache: SharedCache, key: string): Promise<boolean> {
  const result = await cache.readThrough(key, TTL, async () => 'loaded');
  return result.fromCache;
}

describe('invalidateForGhlEvent', () => {
  it('when a ContactUpdate / TagUpdate / DndUpdate / Delete / Create arrives, then the contact, its lists and the location searches are evicted', async () => {
    for (const type of ['ContactUpdate', 'ContactTagUpdate', 'ContactDndUpdate', 'ContactDelete', 'ContactCreate']) {
      const event: Record<string, unknown> = { ...example('ContactUpdate'), type };
      const locationId = String(event['locationId']);
      const contactId = String(event['id']);
      const cache = await primed(locationId, contactId);
      const searchKey = await cache.searchKey(locationId, { q: 'x' });
      const report = await invalidateForGhlEvent(cache, event);
      expect(report?.evicted).toContain(cache.keys.contact(locationId, contactId));
      expect(await cached(cache, cache.keys.contact(locationId, contactId))).toBe(false);
      expect(await cached(cache, cache.keys.listOfContact('tasksOfContact', locationId, contactId))).toBe(false);
      // The generation moved on: the old search key is not the current one any more.
      expect(await cache.searchKey(locationId, { q: 'x' })).not.toBe(searchKey);
      await cache.close();
    }
  });

  it("when a TaskComplete arrives, then the task and its contact's task list are evicted and the contact stays", async () => {
    const event = example('TaskComplete');
    const locationId = String(event['locationId']);
    const contactId = String(event['contactId']);
    const cache = await primed(locationId, contactId);
    expect(await invalidateForGhlEvent(cache, event)).toMatchObject({
      evicted: [
        cache.keys.task(locationId, String(event['id'])),
        cache.keys.listOfContact('tasksOfContact', locationId, contactId),
      ],
    });
    expect(await cached(cache, cache.keys.listOfContact('tasksOfContact', locationId, contactId))).toBe(false);
    expect(await cached(cache, cache.keys.contact(locationId, contactId))).toBe(true);
    await cache.close();
  });

  it("when a NoteCreate arrives, then the contact's note list is evicted", async () => {
    const event = example('NoteCreate');
    const locationId = String(event['locationId']);
    const contactId = String(event['contactId']);
    const cache = await primed(locationId, contactId);
    await invalidateForGhlEvent(cache, event);
    expect(await cached(cache, cache.keys.listOfContact('notesOfContact', locationId, contactId))).toBe(false);
    expect(await cached(cache, cache.keys.listOfContact('tasksOfContact', locationId, contactId))).toBe(true);
    await cache.close();
  });

  it('when an Appointment event arrives, then the appointments of its contact are evicted', async () => {
    for (const type of ['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']) {
      const event: Record<string, unknown> = { ...example('AppointmentCreate'), type };
      const appointment = event['appointment'] as Record<string, unknown>;
      const locationId = String(event['locationId']);
      const contactId = String(appointment['contactId']);
      const cache = await primed(locationId, contactId);
      await invalidateForGhlEvent(cache, event);
      expect(await cached(cache, cache.keys.listOfContact('appointmentsOfContact', locationId, contactId))).toBe(false);
      expect(await cached(cache, cache.keys.contact(locationId, contactId))).toBe(true);
      await cache.close();
    }
  });

  it('when the event is INSTALL, unknown or lacks ids, then nothing is evicted', async () => {
    expect(changeOfGhlEvent({ type: 'INSTALL', locationId: 'l1' })).toBeNull();
    expect(changeOfGhlEvent({ type: 'ContactUpdate', locationId: 'l1' })).toBeNull();
    expect(changeOfGhlEvent('not an object')).toBeNull();
    const cache = await primed('l1', 'c1');
    expect(await invalidateForGhlEvent(cache, { type: 'SomethingNew', locationId: 'l1', id: 'c1' })).toBeNull();
    expect(await cached(cache, cache.keys.contact('l1', 'c1'))).toBe(true);
    await cache.close();
  });
});
