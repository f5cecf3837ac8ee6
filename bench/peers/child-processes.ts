/**
 * The benchmark's processes: the simulator and each peer run as children of the runner, so each
 * peer's peak RSS is its own. Peak RSS is read from /proc/<pid>/status (VmHWM, the kernel's
 * high-water mark) of the peer and every process it started, summed.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ChildHandle {
  child: ChildProcess;
  /** Sum of VmHWM (kB → MB) over the process and its descendants; 0 where /proc is absent. */
  peakRssMb(): number;
  /**
   * CPU time (user + system, ms) the process and its descendants have used so far; null where
   * /proc is absent. The difference over a phase, per answer, is what an answer costs whatever
   * else the machine is doing, where requests/s falls with every other process running.
   */
  cpuMs(): number | null;
  stop(): Promise<void>;
}

export function nextMessage<T extends { type: string }>(
  child: ChildProcess,
  type: T['type'],
  timeoutMs = 120_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`no "${type}" from process ${child.pid ?? '?'} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && 'type' in message && message.type === type)
        finish(null, message as T);
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`process ${child.pid ?? '?'} exited (${code ?? 'signal'}) before sending "${type}"`));
    function finish(error: Error | null, message?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else if (message) resolve(message);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function statusKb(pid: number, field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((row) => row.startsWith(`${field}:`));
    return line ? Number(line.replace(/[^0-9]/g, '')) : 0;
  } catch {
    return 0;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** utime + stime of one process in ms, or null when it cannot be read. */
function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(parent) ?? [];
      list.push(Number(entry));
      children.set(parent, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() ?? pid;
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function handle(child: ChildProcess, stopMessage: boolean): ChildHandle {
  // VmHWM is lost when a process exits, so the tree is sampled while it runs and the maximum kept.
  const peaks = new Map<number, number>();
  const sample = (): void => {
    if (child.pid === undefined) return;
    for (const pid of [child.pid, ...descendants(child.pid)])
      peaks.set(pid, Math.max(peaks.get(pid) ?? 0, statusKb(pid, 'VmHWM')));
  };
  const timer = setInterval(sample, 250);
  timer.unref();
  return {
    child,
    peakRssMb: () => {
      sample();
      return Math.round([...peaks.values()].reduce((sum, kb) => sum + kb, 0) / 1024);
    },
    cpuMs: () => {
      if (child.pid === undefined) return null;
      const own = cpuMsOf(child.pid);
      if (own === null) return null;
      return descendants(child.pid).reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), own);
    },
    stop: async () => {
      sample();
      clearInterval(timer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (stopMessage && child.connected) child.send('close');
      else child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
}

/** Stack traces as the shipped image has them (as-shipped.mjs). */
const AS_SHIPPED = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'as-shipped.mjs')).href;

/** A TypeScript child with IPC (the simulator, this gateway, the Apollo peer), run through tsx. */
export function forkTs(script: string, env: Record<string, string>, nodeOptions: readonly string[] = []): ChildHandle {
  const child = fork(script, [], {
    execArgv: [...nodeOptions, '--import', 'tsx', '--import', AS_SHIPPED],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return handle(child, true);
}

/** A plain program (Hive Gateway's CLI) without IPC; stopped with SIGTERM. */
export function spawnProgram(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; logTo: (line: string) => void },
): ChildHandle {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    // Only the last few kB are kept: enough to say why a start failed.
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) options.logTo(`${command} exited with ${code ?? '?'}:\n${tail}`);
  });
  return handle(child, false);
}
