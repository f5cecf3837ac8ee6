/**
 * GET /metrics: the Prometheus text format of this gateway's registry. Scrape-time collectors
 * (rate budget, store) run first; a failing one keeps its last values (see metrics.ts).
 */
import { Router } from 'express';
import type { Metrics } from '../observability/metrics.js';

export function createMetricsRouter(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res, next) => {
    try {
      const { contentType, body } = await metrics.render();
      res.set('cache-control', 'no-store').type(contentType).send(body);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
