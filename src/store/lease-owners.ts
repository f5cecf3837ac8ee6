/**
 * Who holds a lease, and taking back the leases of workers known to be dead.
 *
 * A lease owner is `<hostname>:<pid>:<random>`. A process restarted on the same machine (a
 * crash, kill -9, a container restart) need not wait for its previous incarnation's leases to
 * run out: on this host, an owner whose pid is gone (or is our own pid, which no other live
 * process can hold) is dead, so its rows are made claimable at once, before our workers start.
 * The claim then counts an attempt as usual. An owner on another host, or whose pid is alive,
 * is left to its lease: only the heartbeat tells whether it still works.
 *
 * Assumes distinct replicas have distinct hostnames (true of containers, pods and machines
 * unless set equal on purpose).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isoAt, type StoreContext } from './store-context.js';

const QUEUE_TABLES = ['outbox', 'inbound_events', 'sync_jobs', 'hook_deliveries'] as const;

interface LeaseColumns {
  status: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
}

type LeaseDatabase = Record<(typeof QUEUE_TABLES)[number], LeaseColumns>;

/** The owners this process made: alive, whatever their pid says (several gateways may share one process in tests). */
const ownersOfThisProcess = new Set<string>();

/** A new lease owner name for a worker of this process. */
export function newLeaseOwner(): string {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  ownersOfThisProcess.add(owner);
  return owner;
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An owner of this host that cannot be alive: its pid is gone, or is ours but it is not one of
 * this process's owners (a previous incarnation that had the same pid, as PID 1 in a container).
 */
function isDeadLocalOwner(owner: string, host: string, alive: (pid: number) => boolean): boolean {
  if (ownersOfThisProcess.has(owner)) return false;
  const [ownerHost, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (ownerHost !== host || !Number.isInteger(pid) || pid <= 0) return false;
  return pid === process.pid || !alive(pid);
}

/**
 * Makes the rows leased by dead workers of this host claimable now, e.g. when a gateway starts.
 * Returns how many rows it released.
 */
export async function releaseLeasesOfDeadLocalWorkers(
  store: Pick<StoreContext, 'db'>,
  options: { host?: string; alive?: (pid: number) => boolean; now?: () => Date } = {},
): Promise<number> {
  const host = options.host ?? hostname();
  const alive = options.alive ?? pidAlive;
  // Every queue table has these columns (schema.ts), so this narrower view is sound.
  const db = store.db as unknown as Kysely<LeaseDatabase>;
  const nowIso = isoAt(options.now?.() ?? new Date());
  let released = 0;
  for (const table of QUEUE_TABLES) {
    const owners = await db
      .selectFrom(table)
      .select('lease_owner')
      .distinct()
      .where('status', '=', 'in_flight')
      .where('lease_owner', 'is not', null)
      .execute();
    const dead = owners
      .map((row) => row.lease_owner)
      .filter((owner): owner is string => owner !== null && isDeadLocalOwner(owner, host, alive));
    if (dead.length === 0) continue;
    const result = await db
      .updateTable(table)
      .set({ lease_expires_at: nowIso })
      .where('status', '=', 'in_flight')
      .where('lease_owner', 'in', dead)
      .where('lease_expires_at', '>', nowIso)
      .executeTakeFirst();
    released += Number(result.numUpdatedRows);
  }
  return released;
}
