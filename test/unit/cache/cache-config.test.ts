import { describe, expect, it } from '@jest/globals';
import { parseCacheUrl } from '../../../src/cache/cache-url.js';
import { DEFAULT_CACHE_TTLS, resolveTtls } from '../../../src/cache/cache-ttls.js';
import { ConfigError, parseConfig } from '../../../src/config.js';

describe('CACHE_URL', () => {
  it('when unset, then the cache is an in-process LRU with default bounds', () => {
    const config = parseConfig({});
    expect(config.CACHE_URL).toBe('memory://');
    expect(parseCacheUrl(config.CACHE_URL)).toEqual({ kind: 'memory', maxEntries: 50_000, maxBytes: 64 * 1024 * 1024 });
  });

  it('when memory bounds are given in the query string, then they are used', () => {
    expect(parseCacheUrl('memory://?maxEntries=10&maxBytes=2048')).toEqual({
      kind: 'memory',
      maxEntries: 10,
      maxBytes: 2048,
    });
  });

  it('when sqlite paths are relative, absolute or in-memory, then each is kept as the file path', () => {
    expect(parseCacheUrl('sqlite://data/cache.db')).toMatchObject({
      kind: 'sqlite',
      path: 'data/cache.db',
      purgeIntervalMs: 60_000,
    });
    expect(parseCacheUrl('sqlite:///var/lib/gw/cache.db?purgeIntervalMs=5000')).toMatchObject({
      path: '/var/lib/gw/cache.db',
      purgeIntervalMs: 5000,
    });
    expect(parseCacheUrl('sqlite://:memory:')).toMatchObject({ path: ':memory:' });
  });

  it('when a redis URL is given, then it is passed on as is', () => {
    expect(parseCacheUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379/2' });
  });

  it('when the URL is wrong, then start-up lists the problem with what is accepted', () => {
    expect(() => parseConfig({ CACHE_URL: 'memcached://x' })).toThrow(ConfigError);
    expect(() => parseConfig({ CACHE_URL: 'memcached://x' })).toThrow(
      /CACHE_URL.*memory:\/\/, sqlite:\/\/<path> or redis:\/\//,
    );
    expect(() => parseConfig({ CACHE_URL: 'memory://?maxEntries=0' })).toThrow(/maxEntries/);
    expect(() => parseConfig({ CACHE_URL: 'memory://?maxItems=5' })).toThrow(/maxItems/);
    expect(() => parseConfig({ CACHE_URL: 'sqlite://' })).toThrow(/needs a file path/);
  });
});

describe('CACHE_TTLS', () => {
  it('when unset, then every kind keeps its default', () => {
    expect(resolveTtls(parseConfig({}).CACHE_TTLS)).toEqual(DEFAULT_CACHE_TTLS);
  });

  it('when some kinds are overridden, then only those change', () => {
    const ttls = resolveTtls(parseConfig({ CACHE_TTLS: '{"contact":1000,"search":500}' }).CACHE_TTLS);
    expect(ttls).toEqual({ ...DEFAULT_CACHE_TTLS, contact: 1000, search: 500 });
  });

  it('when the JSON is broken or names an unknown kind, then start-up says so', () => {
    expect(() => parseConfig({ CACHE_TTLS: '{contact:1}' })).toThrow(/CACHE_TTLS: must be a JSON object/);
    expect(() => parseConfig({ CACHE_TTLS: '{"contacts":1000}' })).toThrow(/contacts.*kinds: contact, task/);
    expect(() => parseConfig({ CACHE_TTLS: '{"contact":-5}' })).toThrow(/CACHE_TTLS/);
  });
});
