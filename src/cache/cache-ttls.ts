/**
 * How long each kind of cached value counts as fresh. Single entities change rarely and are
 * invalidated on every mutation and webhook we see; lists go stale when a child is added
 * elsewhere; searches are eventually consistent upstream anyway (seconds), so a short TTL adds
 * little staleness. Overridable per kind with CACHE_TTLS (JSON).
 */
import { z } from 'zod';

const ttlMs = z.number().int().positive();

export const CacheTtlsSchema = z.object({
  contact: ttlMs,
  task: ttlMs,
  note: ttlMs,
  tasksOfContact: ttlMs,
  notesOfContact: ttlMs,
  appointmentsOfContact: ttlMs,
  search: ttlMs,
  contactList: ttlMs,
  businessList: ttlMs,
});
export type CacheTtls = z.infer<typeof CacheTtlsSchema>;

export const DEFAULT_CACHE_TTLS: CacheTtls = {
  contact: 5 * 60_000,
  task: 5 * 60_000,
  note: 5 * 60_000,
  tasksOfContact: 2 * 60_000,
  notesOfContact: 2 * 60_000,
  appointmentsOfContact: 2 * 60_000,
  search: 30_000,
  contactList: 2 * 60_000,
  businessList: 2 * 60_000,
};

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
