/**
 * Everything that protects /graphql, assembled for the server factory:
 * depth, alias and root-field limits (validation rules → 400 GRAPHQL_VALIDATION_FAILED with
 * extensions.limit), the list-size-aware cost limit (→ 400 QUERY_TOO_COMPLEX), the operation
 * deadline (→ OPERATION_TIMEOUT), introspection off in production unless
 * GRAPHQL_INTROSPECTION=true (→ 400 GRAPHQL_VALIDATION_FAILED), Apollo's CSRF prevention
 * (→ 400 BAD_REQUEST) and the JSON body limit (GRAPHQL_BODY_LIMIT, → 400 REQUEST_TOO_LARGE).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { Config } from '../../config.js';
import { aliasLimitRule } from './alias-limit.js';
import { costLimitPlugin } from './cost-limit-plugin.js';
import { depthLimitRule } from './depth-limit.js';
import { operationTimeoutPlugin, type OperationStart } from './operation-timeout-plugin.js';
import { rootFieldLimitRule } from './root-field-limit.js';

export interface HardeningSettings {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxRootFields: number;
  operationTimeoutMs: number;
  introspection: boolean;
  bodyLimit: string;
  /** Items assumed for a list field without a size argument. */
  defaultListSize?: number;
}

export function hardeningSettings(config: Config): HardeningSettings {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxCost: config.GRAPHQL_MAX_COST,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxRootFields: config.GRAPHQL_MAX_ROOT_FIELDS,
    operationTimeoutMs: config.GRAPHQL_OPERATION_TIMEOUT_MS,
    introspection: config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== 'production',
    bodyLimit: config.GRAPHQL_BODY_LIMIT,
  };
}

interface Hardening<Context extends object> {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<Context>[];
  introspection: boolean;
  csrfPrevention: true;
  bodyLimit: string;
}

export function createHardening<Context extends object>(
  settings: HardeningSettings,
  options: { onOperationStart?: OperationStart<Context> } = {},
): Hardening<Context> {
  return {
    validationRules: [
      depthLimitRule(settings.maxDepth),
      aliasLimitRule(settings.maxAliases),
      rootFieldLimitRule(settings.maxRootFields),
    ],
    plugins: [
      costLimitPlugin<Context>(settings.maxCost, settings.defaultListSize),
      operationTimeoutPlugin<Context>(settings.operationTimeoutMs, options.onOperationStart),
    ],
    introspection: settings.introspection,
    csrfPrevention: true,
    bodyLimit: settings.bodyLimit,
  };
}
