/**
 * Reading GHL's rate-limit headers. Every response carries X-RateLimit-*; the limits differ per
 * app and plan, so they are always read, never assumed (docs/ghl-facts.md).
 */
export interface RateLimitHeaders {
  burstMax: number;
  burstRemaining: number;
  intervalMs: number;
  dailyMax: number | null;
  dailyRemaining: number | null;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function count(headers: HeaderBag, name: string): number | null {
  const raw = header(headers, name);
  if (raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/** Null unless the burst headers (max, remaining, interval) are all present and sane. */
export function parseRateLimitHeaders(headers: HeaderBag): RateLimitHeaders | null {
  const burstMax = count(headers, 'x-ratelimit-max');
  const burstRemaining = count(headers, 'x-ratelimit-remaining');
  const intervalMs = count(headers, 'x-ratelimit-interval-milliseconds');
  if (burstMax === null || burstRemaining === null || intervalMs === null || burstMax < 1 || intervalMs < 1)
    return null;
  return {
    burstMax: Math.floor(burstMax),
    burstRemaining: Math.floor(burstRemaining),
    intervalMs,
    dailyMax: count(headers, 'x-ratelimit-limit-daily'),
    dailyRemaining: count(headers, 'x-ratelimit-daily-remaining'),
  };
}
