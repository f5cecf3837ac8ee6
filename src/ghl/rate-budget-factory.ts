/**
 * Chooses the rate budget for the composition root: shared through Redis when REDIS_URL is set
 * (every replica spends from one budget per location), in memory otherwise (one process). The
 * Redis budget (and ioredis) is imported only then.
 */
import type { Config } from '../config.js';
import { InMemoryRateBudget, type RateBudget } from './rate-budget.js';
import type { RateBudgetLogger } from './redis-rate-budget.js';

type RateBudgetConfig = Pick<Config, 'REDIS_URL' | 'GHL_DAILY_RESERVE' | 'GHL_INTERACTIVE_SHARE' | 'GHL_REPLICAS_HINT'>;

export async function createRateBudget(
  config: RateBudgetConfig,
  logger?: RateBudgetLogger,
  keyPrefix?: string,
): Promise<RateBudget & { close?: () => Promise<void> }> {
  if (config.REDIS_URL === undefined) {
    return new InMemoryRateBudget({
      dailyReserve: config.GHL_DAILY_RESERVE,
      interactiveShare: config.GHL_INTERACTIVE_SHARE,
    });
  }
  const { RedisRateBudget } = await import('./redis-rate-budget.js');
  return new RedisRateBudget({
    redisUrl: config.REDIS_URL,
    dailyReserve: config.GHL_DAILY_RESERVE,
    interactiveShare: config.GHL_INTERACTIVE_SHARE,
    replicasHint: config.GHL_REPLICAS_HINT,
    ...(logger === undefined ? {} : { logger }),
    ...(keyPrefix === undefined ? {} : { keyPrefix }),
  });
}
