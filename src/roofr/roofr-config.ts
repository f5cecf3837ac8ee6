/**
 * The Roofr parts of the env schema (src/config.ts imports these): the ROOFR_API_PATHS JSON and
 * the cross-field checks of ROOFR_ADAPTER. It declares the slice of Config it reads rather than
 * importing Config, so config.ts depends on it and not the reverse.
 */
import { z } from 'zod';
import { RoofrPathOverridesSchema, type RoofrPathOverrides } from './api-paths.js';

/** ROOFR_API_PATHS: JSON object of endpoint → "METHOD /path"; unset or empty means the defaults. */
export const RoofrPathsEnvSchema = z
  .string()
  .optional()
  .transform((value, context): RoofrPathOverrides => {
    if (value === undefined || value.trim() === '') return {};
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      context.addIssue({
        code: 'custom',
        message: 'not JSON; expected e.g. {"jobs.archive":"PATCH /jobs/{jobId}/archive"}',
      });
      return z.NEVER;
    }
    const parsed = RoofrPathOverridesSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        context.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });

interface RoofrAdapterSettings {
  ROOFR_ADAPTER: string;
  ROOFR_API_BASE_URL?: string | undefined;
  ROOFR_API_KEY?: string | undefined;
  ROOFR_ZAPIER_HOOK_URL?: string | undefined;
}

export function roofrConfigProblems(config: RoofrAdapterSettings): string[] {
  const problems: string[] = [];
  if (config.ROOFR_ADAPTER === 'rest') {
    if (config.ROOFR_API_BASE_URL === undefined)
      problems.push('ROOFR_API_BASE_URL: required with ROOFR_ADAPTER=rest (the partner API base URL Roofr gave you)');
    if (config.ROOFR_API_KEY === undefined) problems.push('ROOFR_API_KEY: required with ROOFR_ADAPTER=rest');
  }
  if (config.ROOFR_ADAPTER === 'zapier' && config.ROOFR_ZAPIER_HOOK_URL === undefined) {
    problems.push(
      'ROOFR_ZAPIER_HOOK_URL: required with ROOFR_ADAPTER=zapier (the catch-hook URL of the Zap running "Create Job and Customer")',
    );
  }
  return problems;
}
