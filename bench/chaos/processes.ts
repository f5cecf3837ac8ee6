/**
 * The processes a fault-suite run owns: the simulators (a tsx child with IPC), a Redis of its
 * own (`redis-server` on a free port, no persistence, so a restart loses everything as an
 * un-persisted Redis does) and the compiled gateway (`node dist/main.js`, as the Dockerfile runs
 * it) that can be killed with SIGKILL and started again on the same port. Each process is ended
 * by its own pid only; output goes to log files for the post-mortem.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import type { SimulatorsReady } from './simulators-process.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `npm run build`, as CI and the Dockerfile do; throws with its output when it fails. */
export function buildGateway(root: string): void {
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`npm run build failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
}

interface Simulators {
  ready: SimulatorsReady;
  stop(): Promise<void>;
}

export async function startSimulators(root: string, env: Record<string, string>, logFile: string): Promise<Simulators> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = fork(join(root, 'bench/chaos/simulators-process.ts'), [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const ready = await new Promise<SimulatorsReady>((resolve, reject) => {
    child.once('message', (message: SimulatorsReady) => resolve(message));
    child.once('exit', (code) => reject(new Error(`the simulators exited (${code ?? 'signal'}); see ${logFile}`)));
  });
  return {
    ready,
    async stop() {
      if (child.connected) child.send('close');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
      log.end();
    },
  };
}

async function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

interface RedisServer {
  url: string;
  start(): Promise<void>;
  /** SIGTERM: redis-server exits; without persistence every key is gone when it comes back. */
  stop(): Promise<void>;
}

export function redisServer(port: number, dir: string, logFile: string): RedisServer {
  let child: ChildProcess | null = null;
  const log = createWriteStream(logFile, { flags: 'a' });
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      const deadline = Date.now() + 10_000;
      while (!(await redisAnswers(port))) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`redis-server did not answer on port ${port}; see ${logFile}`);
        await sleep(50);
      }
    },
    async stop() {
      const running = child;
      child = null;
      if (running === null) return;
      running.kill('SIGTERM');
      await exited(running);
    },
  };
}

interface GatewayProcess {
  url: string;
  /** Spawns `node dist/main.js`; resolves once it printed its URL (listening). */
  start(): Promise<void>;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the clean stop at the end of a run). */
  stop(): Promise<void>;
  readonly running: boolean;
  /** The last lines the current or last process wrote, for error messages. */
  tail(): string;
}

export function gatewayProcess(
  root: string,
  port: number,
  env: Record<string, string>,
  logFile: (start: number) => string,
): GatewayProcess {
  let child: ChildProcess | null = null;
  let log: WriteStream | null = null;
  let starts = 0;
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    tail: () => tail,
    async start() {
      starts += 1;
      log?.end();
      log = createWriteStream(logFile(starts), { flags: 'a' });
      tail = '';
      const started = spawn(process.execPath, ['dist/main.js'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      started.stdout?.pipe(log, { end: false });
      started.stderr?.pipe(log, { end: false });
      started.stdout?.on('data', keep);
      started.stderr?.on('data', keep);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the gateway did not listen within 60 s:\n${tail}`)), 60_000);
        const onData = (): void => {
          if (!tail.includes('GraphQL API:')) return;
          clearTimeout(timer);
          started.stdout?.off('data', onData);
          resolve();
        };
        started.stdout?.on('data', onData);
        started.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`the gateway exited (${code ?? signal}) before listening:\n${tail}`));
        });
      });
    },
    async kill() {
      const running = child;
      if (running === null) return;
      running.kill('SIGKILL');
      await exited(running);
    },
    async stop() {
      const running = child;
      child = null;
      if (running === null) return;
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 15_000);
      await exited(running);
      clearTimeout(timer);
      log?.end();
    },
  };
}
