/**
 * The suite's hands on the two simulators, over their /__admin HTTP surfaces only (they run in
 * another process): fault settings, the token, scripted Roofr happenings, and at the end the
 * data each holds and the webhooks each delivered. Admin calls bypass the simulators' faults and
 * rate limits, so steering works while the API is failing.
 */
export interface GhlContactExport {
  id: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  companyName?: string | null;
  tags?: string[];
  tasks: Array<{ id: string; title?: string; completed?: boolean }>;
  notes: Array<{ id: string; body?: string }>;
}

export interface GhlDelivery {
  webhookId: string;
  type: string;
  status: number | null;
  error?: string;
}

export interface RoofrDelivery {
  eventId: string;
  event: string;
  status: number | null;
  error: string | null;
}

export interface RoofrRecord {
  id: string;
  external_ref?: string | null;
  customer_id?: string;
  job_id?: string;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  company_name?: string | null;
}

export interface RoofrExport {
  customers: RoofrRecord[];
  jobs: RoofrRecord[];
  tasks: RoofrRecord[];
  notes: RoofrRecord[];
}

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${method} ${base}/__admin${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export class GhlControl {
  constructor(
    readonly url: string,
    private readonly token: string,
    /** The latency every answer has when nothing fails (the simulator's own setting). */
    private readonly baseLatencyMs: number,
  ) {}

  faults(body: Record<string, unknown>): Promise<unknown> {
    return call(this.url, 'POST', '/faults', body);
  }

  /** Every fault off, back to the base latency. */
  async clearFaults(): Promise<unknown> {
    await call(this.url, 'DELETE', '/faults');
    return call(this.url, 'POST', '/faults', { latency: { ms: this.baseLatencyMs } });
  }

  revokeToken(): Promise<unknown> {
    return call(this.url, 'POST', '/tokens/revoke', { token: this.token });
  }

  restoreToken(): Promise<unknown> {
    return call(this.url, 'POST', '/tokens/restore', { token: this.token });
  }

  /** HighLevel requests that carried this x-request-id (the gateway's sync sends `sync-<runId>`). */
  async requestsOf(requestId: string): Promise<{ count: number; lastAt: string } | null> {
    const answer = await call<{ seen: { count: number; lastAt: string } | null }>(
      this.url,
      'GET',
      `/requests/by-id?requestId=${encodeURIComponent(requestId)}`,
    );
    return answer.seen;
  }

  webhookKeys(): Promise<{ rsaPem: string; ed25519Pem: string }> {
    return call(this.url, 'GET', '/webhook-keys');
  }

  async deliveries(): Promise<{ deliveries: GhlDelivery[]; forgotten: number }> {
    return call(this.url, 'GET', '/webhooks/deliveries');
  }

  async contacts(): Promise<GhlContactExport[]> {
    const all: GhlContactExport[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await call<{ total: number; contacts: GhlContactExport[] }>(
        this.url,
        'GET',
        `/contacts?offset=${offset}&limit=1000`,
      );
      all.push(...page.contacts);
      if (page.contacts.length < 1000) return all;
    }
  }
}

export class RoofrControl {
  constructor(readonly url: string) {}

  faults(settings: Record<string, unknown>): Promise<unknown> {
    return call(this.url, 'POST', '/faults', settings);
  }

  clearFaults(): Promise<unknown> {
    return call(this.url, 'DELETE', '/faults');
  }

  stageChanged(stage: string): Promise<unknown> {
    return call(this.url, 'POST', '/events/stage-changed', { stage });
  }

  proposalSigned(total: number): Promise<unknown> {
    return call(this.url, 'POST', '/events/proposal-signed', { total });
  }

  async deliveries(): Promise<RoofrDelivery[]> {
    return (await call<{ deliveries: RoofrDelivery[] }>(this.url, 'GET', '/webhooks/deliveries')).deliveries;
  }

  async records(): Promise<RoofrExport> {
    const read = async (kind: keyof RoofrExport): Promise<RoofrRecord[]> => {
      const all: RoofrRecord[] = [];
      for (let offset = 0; ; offset += 5000) {
        const page = await call<{ total: number; data: RoofrRecord[] }>(
          this.url,
          'GET',
          `/records/${kind}?offset=${offset}&limit=5000`,
        );
        all.push(...page.data);
        if (page.data.length < 5000) return all;
      }
    };
    return {
      customers: await read('customers'),
      jobs: await read('jobs'),
      tasks: await read('tasks'),
      notes: await read('notes'),
    };
  }
}
