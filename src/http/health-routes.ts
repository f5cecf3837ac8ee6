/**
 * GET /healthz: alive, 200 while the process serves (the container HEALTHCHECK and a liveness
 * probe use it; restarting a process whose database is down would not help, so it checks
 * nothing). GET /readyz: ready to take traffic, 200 with every check "ok", or 503 naming the
 * failed ones (a load balancer / readiness probe takes the replica out until they pass). While
 * shutting down /readyz answers 503 "draining" so the balancer stops sending first.
 * Both are unauthenticated: a failed check shows its ReadinessFailure message or just "failed";
 * the error itself (addresses, driver messages) goes to the log only.
 */
import { Router } from 'express';
import type { Logger } from 'pino';
import { ReadinessFailure } from '../observability/readiness-checks.js';

export type HealthCheck = () => Promise<void>;

export interface HealthRoutesOptions {
  /** Facts added to /healthz (e.g. demo mode, the location). */
  facts?: () => Record<string, unknown>;
  /** Named readiness checks; each throws when its dependency is not usable. */
  checks: Readonly<Record<string, HealthCheck>>;
  /** True once shutdown began. */
  draining?: () => boolean;
  /** A check still pending after this long fails (default 2000 ms). */
  checkTimeoutMs?: number;
  /** Where the full error of a failed check goes. */
  logger?: Pick<Logger, 'warn'>;
}

function withDeadline(check: HealthCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ReadinessFailure(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check(), deadline]).finally(() => clearTimeout(timer));
}

export function createHealthRouter(options: HealthRoutesOptions): Router {
  const router = Router();
  const timeoutMs = options.checkTimeoutMs ?? 2000;

  router.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok', ...options.facts?.() });
  });

  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(
      names.map(async (name) => {
        try {
          await withDeadline(options.checks[name] ?? (async () => undefined), timeoutMs);
          return [name, 'ok'] as const;
        } catch (error) {
          options.logger?.warn(
            { err: error instanceof ReadinessFailure && error.cause !== undefined ? error.cause : error, check: name },
            'readiness check failed',
          );
          if (error instanceof ReadinessFailure) return [name, `failed: ${error.message}`] as const;
          return [name, 'failed: not usable (the gateway log has the error)'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const failed = results.filter(([, result]) => result !== 'ok').map(([name]) => name);
    if (options.draining?.() === true) failed.unshift('draining');
    res.set('cache-control', 'no-store');
    if (failed.length === 0) res.json({ status: 'ready', checks });
    else res.status(503).json({ status: 'not_ready', failed, checks });
  });

  return router;
}
