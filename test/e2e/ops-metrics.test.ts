/**
 * The shipped dashboard (ops/grafana/gateway.json) and alert rules (ops/prometheus/alerts.yml)
 * only name series a running gateway exports: the gateway starts in demo mode, takes a little
 * traffic (queries, a mutation synced to Roofr, a sync run, an error), /metrics is scraped, and
 * every metric family either file names must be there (histogram _bucket/_sum/_count belong to
 * their family). A renamed metric fails this test instead of silently blanking a panel.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

const root = new URL('../../', import.meta.url);

const DashboardSchema = z.object({
  title: z.string(),
  panels: z.array(
    z.object({
      type: z.string(),
      title: z.string(),
      targets: z.array(z.object({ expr: z.string(), refId: z.string() })).optional(),
    }),
  ),
});

const RulesSchema = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({
          alert: z.string(),
          expr: z.string(),
          labels: z.object({ severity: z.enum(['critical', 'warning']) }),
          annotations: z.object({ summary: z.string(), runbook: z.string() }),
        }),
      ),
    }),
  ),
});

/** Metric names an expression uses (every series of this gateway starts with gateway_). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(gateway_[a-z0-9_]+)\b/g)].map((match) => match[1] ?? '');
}

/** Families (name → type) from the exposition format's TYPE lines. */
function families(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) found.set(match[1], match[2]);
  }
  return found;
}

function familyOf(name: string, known: Map<string, string>): string | null {
  if (known.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return known.get(base) === 'histogram' ? base : null;
}

async function post(gateway: Gateway, query: string): Promise<Record<string, unknown>> {
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('the dashboard and alerts against a running gateway', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway(
      parseConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        GHL_SIM_PORT: '0',
        DEMO_CONTACTS: '20',
        DATABASE_URL: 'sqlite::memory:',
        SYNC_SCHEDULE: 'off',
      }),
    );
  }, 30_000);

  afterAll(async () => {
    await gateway.close();
  });

  it('when traffic went through, then every metric the dashboard and the alert rules name is exported', async () => {
    await post(gateway, '{ contacts(first: 5) { edges { node { id name tasks { title } } } } }');
    await post(gateway, '{ contacts(first: 5) { totalCount } }');
    await post(gateway, '{ contact(id: "does-not-exist") { id } }');
    await post(
      gateway,
      'mutation { createContact(input: { firstName: "Ops", lastName: "Metrics", email: "ops.metrics@example.test" }) { contact { id } roofrSync { status } } }',
    );
    await post(gateway, 'mutation { startSync(mode: FULL) { id } }');
    await post(gateway, '{ notifications(first: 5) { edges { node { id } } } }');
    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.status).toBe(200);
    const exported = families(await response.text());

    const dashboard = DashboardSchema.parse(
      JSON.parse(readFileSync(new URL('ops/grafana/gateway.json', root), 'utf8')),
    );
    const rules = RulesSchema.parse(parse(readFileSync(new URL('ops/prometheus/alerts.yml', root), 'utf8')));
    const named = new Set([
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricNames(target.expr))),
      ...rules.groups.flatMap((group) => group.rules.flatMap((rule) => metricNames(rule.expr))),
    ]);
    // The files name the series operators care about; a typo or a renamed metric shows here.
    expect(named.size).toBeGreaterThan(20);
    const missing = [...named].filter((name) => familyOf(name, exported) === null);
    expect(missing).toEqual([]);
    // The dashboard covers every area the runbook asks for.
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const title of [
      'Answers by code',
      'Upstream 429s',
      'Daily budget left per location',
      'Cache lookups by outcome',
      'Sync runs by status',
      'Queues',
      'Dead letters',
      'Open conditions',
    ])
      expect(titles).toContain(title);
    const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    for (const alert of [
      'GatewayHighLevelGrantDead',
      'GatewayHighLevelDown',
      'GatewayBudgetReserveReached',
      'GatewayOutboxGrowing',
      'GatewaySyncFailing',
    ])
      expect(alerts).toContain(alert);
  }, 60_000);
});
