/**
 * The processes one agency-benchmark phase owns, each ended by its own pid: the simulators (a tsx
 * child with IPC), the compiled gateway replicas (`node dist/main.js`, as the Dockerfile runs them)
 * whose peak RSS is read from /proc/<pid>/status (VmHWM) before they stop (their log kept in
 * AGENCY_LOG_DIR when set), the queueing CLI
 * (`node dist/cli/sync.js --every-location`), and a PostgreSQL database of the phase's own.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { nextMessage } from '../support/child-messages.js';
import type { AgencySimulatorsReady, AgencyStats } from './simulators-process.js';

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

interface Simulators {
  ready: AgencySimulatorsReady;
  stats(runIds: string[]): Promise<AgencyStats>;
  stop(): Promise<void>;
}

export async function startSimulators(root: string, env: Record<string, string>): Promise<Simulators> {
  const child = fork(join(root, 'bench/agency/simulators-process.ts'), [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage<AgencySimulatorsReady>(child, 'ready');
  return {
    ready,
    stats(runIds) {
      const answer = nextMessage<AgencyStats>(child, 'stats');
      child.send({ stats: runIds });
      return answer;
    },
    async stop() {
      if (child.connected) child.send('close');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

export interface Replica {
  url: string;
  /** Peak resident set (VmHWM) so far, in MB. */
  peakRssMb(): number;
  tail(): string;
  stop(): Promise<void>;
}

export async function startReplica(root: string, env: Record<string, string>, port: number): Promise<Replica> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  // AGENCY_LOG_DIR: the whole log too, for reading where a run's time went afterwards.
  const logDir = process.env.AGENCY_LOG_DIR;
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
    if (logDir !== undefined) appendFileSync(join(logDir, `replica-${port}.log`), chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a replica did not listen within 60 s:\n${tail}`)), 60_000);
    const onData = (): void => {
      if (!tail.includes('GraphQL API:')) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`a replica exited (${code ?? signal}) before listening:\n${tail}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
      return Math.round((kb / 1024) * 10) / 10;
    },
    tail: () => tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** `npm run sync -- --every-location --full`, compiled: queues the batch; resolves with the run ids. */
export async function queueEveryLocation(root: string, env: Record<string, string>): Promise<string[]> {
  const child = spawn(process.execPath, ['dist/cli/sync.js', '--every-location', '--full'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  if (code !== 0) throw new Error(`sync --every-location exited ${code}:\n${err}`);
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

export interface RunRow {
  id: string;
  locationId: string;
  status: string;
  read: number;
  failed: number;
  startedAt: number;
  finishedAt: number | null;
  errors: string;
}

interface PhaseDatabase {
  url: string;
  runs(ids: string[]): Promise<RunRow[]>;
  drop(): Promise<void>;
}

export async function createDatabase(adminUrl: string, name: string): Promise<PhaseDatabase> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    async runs(ids) {
      // Reads the store's sync_runs table (src/store/schema.ts) directly, whether or not a replica is up.
      const result = await pool.query<{
        id: string;
        location_id: string;
        status: string;
        read_count: number;
        failed_count: number;
        started_at: string;
        finished_at: string | null;
        errors: string;
      }>(
        'select id, location_id, status, read_count, failed_count, started_at, finished_at, errors from sync_runs where id = any($1)',
        [ids],
      );
      return result.rows.map((row) => ({
        id: row.id,
        locationId: row.location_id,
        status: row.status,
        read: row.read_count,
        failed: row.failed_count,
        startedAt: Date.parse(row.started_at),
        finishedAt: row.finished_at === null ? null : Date.parse(row.finished_at),
        errors: row.errors,
      }));
    },
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
