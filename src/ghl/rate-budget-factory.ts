/**
 * Chooses the rate budget for the composition root: shared through Redis when REDIS_URL is set
 * (every replica spends from one budget per location), in memory otherwise (one process).
 */
import type { Config } from '../config.js';
import { InMemoryRateBudget, type RateBudget } from './rate-budget.js';
import { RedisRateBudget, type RateBudgetLogger } from './redis-rate-budget.js';

type RateBudgetConfig = Pick<Config, 'REDIS_URL' | 'GHL_DAILY_RESERVE' | 'GHL_INTERACTIVE_SHARE' | 'GHL_REPLICAS_HINT'>;

export function createRateBudget(
  config: RateBudgetConfig,
  logger?: RateBudgetLogger,
  keyPrefix?: string,
): RateBudget & { close?: () => Promise<void> } {
  if (config.REDIS_URL === undefined) {
    return new InMemoryRateBudget({
      dailyReserve: config.GHL_DAILY_RESERVE,
      interactiveShare: config.GHL_INTERACTIVE_SHARE,
    });
  }
  return new RedisRateBudget({
    redisUrl: config.REDIS_URL,
    dailyReserve: config.GHL_DAILY_RESERVE,
    interactiveShare: config.GHL_INTERACTIVE_SHARE,
    replicasHint: config.GHL_REPLICAS_HINT,
    ...(logger === undefined ? {} : { logger }),
    ...(keyPrefix === undefined ? {} : { keyPrefix }),
  });
}
