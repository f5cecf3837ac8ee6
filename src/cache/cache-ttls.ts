/**
 * How long each kind of cached value counts as fresh. Single entities change rarely and are
 * invalidated on every mutation and webhook we see; lists go stale when a child is added
 * elsewhere; searches are eventually consistent upstream anyway (seconds), so a short TTL adds
 * little staleness. Overridable per kind with CACHE_TTLS (JSON).
 */
import { z } from 'zod';
import { CONTACT_LISTS, type ContactListCacheEntity } from '../entities/contact-lists.js';

const ttlMs = z.number().int().positive();

/** The kinds with a freshness of their own: entities by id, each per-contact list, searches and pages. */
export type TtlKind = 'contact' | 'task' | 'note' | ContactListCacheEntity | 'search' | 'contactList' | 'businessList';
export type CacheTtls = Record<TtlKind, number>;

export const DEFAULT_CACHE_TTLS: CacheTtls = {
  contact: 5 * 60_000,
  task: 5 * 60_000,
  note: 5 * 60_000,
  // Each list's own default, from its descriptor (src/entities/contact-lists.ts).
  ...(Object.fromEntries(CONTACT_LISTS.map((list) => [list.cacheEntity, list.defaultTtlMs])) as Record<
    ContactListCacheEntity,
    number
  >),
  search: 30_000,
  contactList: 2 * 60_000,
  businessList: 2 * 60_000,
};

const CacheTtlsSchema = z.object(
  Object.fromEntries(Object.keys(DEFAULT_CACHE_TTLS).map((kind) => [kind, ttlMs])) as Record<TtlKind, typeof ttlMs>,
);

/** The defaults as README's config table states them, grouped by value: "contact/task/note 300000, …". */
export function describeTtlDefaults(): string {
  const byValue = new Map<number, string[]>();
  for (const [kind, ms] of Object.entries(DEFAULT_CACHE_TTLS)) byValue.set(ms, [...(byValue.get(ms) ?? []), kind]);
  return [...byValue].map(([ms, kinds]) => `${kinds.join('/')} ${ms}`).join(', ');
}

/** CACHE_TTLS: a JSON object overriding some kinds; unknown kinds are an error (a typo would silently do nothing). */
export const CacheTtlOverridesSchema = CacheTtlsSchema.partial().strict();
export type CacheTtlOverrides = z.infer<typeof CacheTtlOverridesSchema>;

/** The env form: a JSON string, parsed and checked; empty or unset means "all defaults". */
export const CacheTtlsEnvSchema = z
  .string()
  .optional()
  .transform((text, context): CacheTtlOverrides | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object such as {"contact":300000,"search":30000}' });
      return z.NEVER;
    }
    const result = CacheTtlOverridesSchema.safeParse(parsed);
    if (!result.success) {
      for (const issue of result.error.issues) {
        context.addIssue({
          code: 'custom',
          message: `${issue.path.join('.') || '(root)'}: ${issue.message}; kinds: ${Object.keys(DEFAULT_CACHE_TTLS).join(', ')}`,
        });
      }
      return z.NEVER;
    }
    return result.data;
  });

export function resolveTtls(overrides: CacheTtlOverrides | undefined): CacheTtls {
  return { ...DEFAULT_CACHE_TTLS, ...overrides };
}
