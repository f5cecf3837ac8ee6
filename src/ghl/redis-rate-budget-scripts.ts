/**
 * The Lua scripts of the shared rate budget. Each runs atomically in Redis, so two replicas
 * can never both take the last slot of a window. Time is Redis' own (TIME), never a replica's
 * clock: replicas with skewed clocks still agree on the window.
 *
 * Keys of one location (all carry the hash tag {locationId}, so they live in one cluster slot):
 *   grants  ZSET  member = unique grant id, score = grant time (ms); sliding span of interval + margin
 *   state   HASH  burstMax, intervalMs, dailyMax (learnt from X-RateLimit-*), dailyRemaining
 *                 (as last reported, minus grants since), pausedUntil, externalCount/externalUntil
 *                 (usage GHL reports beyond our grants), probes/probesUntil (before limits are known)
 *   iwait   ZSET  member = replica id, score = until when that replica has interactive work queued
 *
 * Every script answers the same state vector (see STATE_FIELDS) so each replica keeps a local
 * mirror for the synchronous snapshot() / canAfford().
 */

/** Shared prelude: clock, state read, pruning and the cap arithmetic of InMemoryRateBudget. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minMargin = tonumber(ARGV[1])
local marginRatio = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[2], 'burstMax', 'intervalMs', 'dailyMax', 'dailyRemaining', 'pausedUntil', 'externalCount', 'externalUntil', 'probes', 'probesUntil')
local burstMax = tonumber(s[1])
local intervalMs = tonumber(s[2])
local dailyMax = tonumber(s[3])
local daily = tonumber(s[4])
local pausedUntil = tonumber(s[5]) or 0
local external = 0
if (tonumber(s[7]) or 0) > now then external = tonumber(s[6]) or 0 end
local span = 0
local count = 0
if burstMax then
  span = intervalMs + math.max(minMargin, intervalMs * marginRatio)
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
  count = redis.call('ZCARD', KEYS[1])
end
local windowCap = 0
if burstMax then windowCap = math.max(1, burstMax - external) end
local function oldestAge()
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] then return now - tonumber(oldest[2]) end
  return -1
end
local function state(kind, waitMs, reason)
  return { kind, math.floor(waitMs), reason, count, windowCap, burstMax or -1, intervalMs or -1, dailyMax or -1, daily or -1,
    math.max(0, pausedUntil - now), oldestAge(), math.floor(span), now }
end
`;

/**
 * ARGV: minMarginMs, marginRatio, lane, interactiveShare, dailyReserve, probeConcurrency,
 * replicaId, grantId, interactiveWaitTtlMs.
 */
export const RESERVE_SCRIPT = `${PRELUDE}
local lane = ARGV[3]
local share = tonumber(ARGV[4])
local reserve = tonumber(ARGV[5])
local probeConcurrency = tonumber(ARGV[6])
local replica = ARGV[7]
local grantId = ARGV[8]
local waitTtl = tonumber(ARGV[9])
local function grant()
  redis.call('ZADD', KEYS[1], now, grantId)
  redis.call('PEXPIRE', KEYS[1], math.max(span * 2, 60000))
  if daily then
    daily = daily - 1
    redis.call('HSET', KEYS[2], 'dailyRemaining', daily)
  end
  if lane == 'interactive' then redis.call('ZREM', KEYS[3], replica) end
  count = count + 1
end
local function markInteractiveWaiting(waitMs)
  if lane == 'interactive' then
    redis.call('ZADD', KEYS[3], now + waitMs + waitTtl, replica)
    redis.call('PEXPIRE', KEYS[3], waitMs + waitTtl * 2)
  end
end
if pausedUntil > now then
  markInteractiveWaiting(pausedUntil - now)
  return state('wait', pausedUntil - now, 'paused')
end
if daily and daily <= reserve then return state('refused', 0, 'reserve') end
if not burstMax then
  local probes = tonumber(s[8]) or 0
  if (tonumber(s[9]) or 0) <= now then probes = 0 end
  if probes >= probeConcurrency then return state('wait', 200, 'probing') end
  -- A replica that dies mid-probe must not block the location for ever: probes expire.
  redis.call('HSET', KEYS[2], 'probes', probes + 1, 'probesUntil', now + 30000)
  grant()
  return state('granted', 0, '')
end
local cap = windowCap
if lane == 'background' then
  cap = math.max(1, windowCap - math.ceil(windowCap * share))
end
if count >= cap then
  local freeing = redis.call('ZRANGE', KEYS[1], count - cap, count - cap, 'WITHSCORES')
  local waitMs = span
  if freeing[2] then waitMs = tonumber(freeing[2]) + span - now end
  if external > 0 then waitMs = math.min(waitMs, (tonumber(s[7]) or now) - now) end
  waitMs = math.max(1, waitMs)
  markInteractiveWaiting(waitMs)
  local reason = 'window'
  if lane == 'background' and cap < windowCap then reason = 'lane-share' end
  return state('wait', waitMs, reason)
end
if lane == 'background' then
  -- Interactive work queued on any replica goes first: background yields the free slot.
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local waiting = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if waiting[2] then
    return state('wait', math.max(20, math.min(250, tonumber(waiting[2]) - now)), 'lane-share')
  end
end
grant()
return state('granted', 0, '')
`;

/**
 * ARGV: minMarginMs, marginRatio, hasHeaders (1/0), burstMax, burstRemaining, intervalMs,
 * dailyMax (-1: absent), dailyRemaining (-1: absent), wasProbe (1/0), grantId to re-stamp ('' none).
 */
export const RECORD_SCRIPT = `${PRELUDE}
if ARGV[9] == '1' then
  local probes = tonumber(s[8]) or 0
  if probes > 0 then redis.call('HSET', KEYS[2], 'probes', probes - 1) end
end
if ARGV[10] ~= '' and burstMax then
  -- The grant counts from its response, not its reservation: the request reached GHL somewhere
  -- in between, so this never undercounts a window, however late the request was sent.
  redis.call('ZADD', KEYS[1], 'XX', 'GT', now, ARGV[10])
end
if ARGV[3] == '1' then
  burstMax = tonumber(ARGV[4])
  local burstRemaining = tonumber(ARGV[5])
  intervalMs = tonumber(ARGV[6])
  redis.call('HSET', KEYS[2], 'burstMax', burstMax, 'intervalMs', intervalMs)
  if tonumber(ARGV[7]) >= 0 then
    dailyMax = tonumber(ARGV[7])
    redis.call('HSET', KEYS[2], 'dailyMax', dailyMax)
  end
  if tonumber(ARGV[8]) >= 0 then
    daily = tonumber(ARGV[8])
    redis.call('HSET', KEYS[2], 'dailyRemaining', daily)
  end
  span = intervalMs + math.max(minMargin, intervalMs * marginRatio)
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
  count = redis.call('ZCARD', KEYS[1])
  -- What GHL counts beyond every replica's grants belongs to someone else (another tool on the app).
  local others = burstMax - burstRemaining - count
  if others > 0 then
    redis.call('HSET', KEYS[2], 'externalCount', others, 'externalUntil', now + intervalMs)
    external = others
  end
  windowCap = math.max(1, burstMax - external)
  redis.call('PEXPIRE', KEYS[2], 172800000)
end
return state('recorded', 0, '')
`;

/** ARGV: minMarginMs, marginRatio, pauseMs. */
export const PAUSE_SCRIPT = `${PRELUDE}
local untilMs = now + tonumber(ARGV[3])
if untilMs > pausedUntil then
  pausedUntil = untilMs
  redis.call('HSET', KEYS[2], 'pausedUntil', untilMs)
  redis.call('PEXPIRE', KEYS[2], 172800000)
end
return state('paused', 0, '')
`;

/** ARGV: minMarginMs, marginRatio. Read-only apart from pruning expired grants. */
export const PEEK_SCRIPT = `${PRELUDE}
return state('peek', 0, '')
`;
