/**
 * Sync jobs as rows of the state store: the default work queue of the sync engine (REDIS_URL
 * switches to BullMQ, see bullmq-sync-queue.ts). A job is claimed by one worker under a lease;
 * a worker that dies leaves the lease to expire and another (or the restarted process) claims
 * the job again and resumes the run from its checkpointed cursor. The table comes with the
 * store's migrations (src/store/migrations.ts, 0002_sync_jobs).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { z } from 'zod';

export const SyncJobSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('batch'),
    runId: z.string(),
    locationId: z.string(),
    businessId: z.string().nullable(),
    mode: z.enum(['FULL', 'INCREMENTAL']),
  }),
  z.object({ kind: z.literal('contact'), runId: z.string(), locationId: z.string(), contactId: z.string() }),
]);
export type SyncJobSpec = z.infer<typeof SyncJobSpecSchema>;

export interface SyncJob {
  id: string;
  spec: SyncJobSpec;
  attempts: number;
}

export interface SyncJobsRepo {
  enqueue(spec: SyncJobSpec): Promise<void>;
  /** Claims the oldest claimable job (pending, or in flight with an expired lease). */
  claim(owner: string, leaseMs: number): Promise<SyncJob | null>;
  /** Extends the lease while a long run makes progress; false when the lease was lost. */
  renew(id: string, owner: string, leaseMs: number): Promise<boolean>;
  complete(id: string): Promise<void>;
  fail(id: string, error: string, permanent: boolean): Promise<void>;
  pendingCount(): Promise<number>;
}

export const SYNC_JOB_MAX_ATTEMPTS = 20;

export function createSyncJobsRepo(db: Kysely<Database>, now: () => Date = () => new Date()): SyncJobsRepo {
  const iso = (date: Date): string => date.toISOString();

  return {
    async enqueue(spec) {
      const at = iso(now());
      await db
        .insertInto('sync_jobs')
        .values({
          id: spec.runId,
          spec: JSON.stringify(spec),
          status: 'pending',
          attempts: 0,
          lease_owner: null,
          lease_expires_at: null,
          last_error: null,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },

    async claim(owner, leaseMs) {
      const current = now();
      const at = iso(current);
      const until = iso(new Date(current.getTime() + leaseMs));
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('sync_jobs')
          .selectAll()
          .where((eb) =>
            eb.or([
              eb('status', '=', 'pending'),
              eb.and([eb('status', '=', 'in_flight'), eb('lease_expires_at', '<=', at)]),
            ]),
          )
          .orderBy('created_at')
          .limit(1)
          .executeTakeFirst();
        if (row === undefined) return null;
        if (row.attempts >= SYNC_JOB_MAX_ATTEMPTS) {
          await trx
            .updateTable('sync_jobs')
            .set({
              status: 'dead',
              lease_owner: null,
              updated_at: at,
              last_error: 'claimed too often: the worker crashed every time',
            })
            .where('id', '=', row.id)
            .execute();
          return null;
        }
        const updated = await trx
          .updateTable('sync_jobs')
          .set({
            status: 'in_flight',
            lease_owner: owner,
            lease_expires_at: until,
            attempts: sql<number>`attempts + 1`,
            updated_at: at,
          })
          .where('id', '=', row.id)
          .where('updated_at', '=', row.updated_at)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return null;
        return { id: row.id, spec: SyncJobSpecSchema.parse(JSON.parse(row.spec)), attempts: row.attempts + 1 };
      });
    },

    async renew(id, owner, leaseMs) {
      const current = now();
      const result = await db
        .updateTable('sync_jobs')
        .set({ lease_expires_at: iso(new Date(current.getTime() + leaseMs)), updated_at: iso(current) })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'in_flight')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async complete(id) {
      await db
        .updateTable('sync_jobs')
        .set({ status: 'done', lease_owner: null, lease_expires_at: null, updated_at: iso(now()) })
        .where('id', '=', id)
        .execute();
    },

    async fail(id, error, permanent) {
      await db
        .updateTable('sync_jobs')
        .set({
          status: permanent ? 'dead' : 'pending',
          last_error: error.slice(0, 2000),
          lease_owner: null,
          lease_expires_at: null,
          updated_at: iso(now()),
        })
        .where('id', '=', id)
        .execute();
    },

    async pendingCount() {
      const row = await db
        .selectFrom('sync_jobs')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('status', 'in', ['pending', 'in_flight'])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
