/**
 * The HighLevel REST data source as the @apollo/datasource-rest docs would have it: one instance
 * per request (request deduplication is per instance), the server's shared cache passed in
 * (HTTP caching across requests), auth and Version headers in willSendRequest. HighLevel sends
 * no Cache-Control, so GETs carry an explicit TTL (the gateway's defaults: 300 s for a contact,
 * 120 s for a contact's lists). No batching: the library has none.
 */
import { RESTDataSource, type AugmentedRequest, type DataSourceConfig } from '@apollo/datasource-rest';

export interface GhlContact {
  id: string;
  [field: string]: unknown;
}
interface Listed {
  id: string;
  [field: string]: unknown;
}

export class GhlDataSource extends RESTDataSource {
  constructor(
    options: { baseURL: string; cache: DataSourceConfig['cache'] },
    private readonly token: string,
    readonly locationId: string,
  ) {
    super({ cache: options.cache });
    this.baseURL = options.baseURL;
  }

  protected override willSendRequest(_path: string, request: AugmentedRequest): void {
    request.headers.authorization = `Bearer ${this.token}`;
    request.headers.version = '2021-07-28';
  }

  async contact(id: string): Promise<GhlContact> {
    const body = await this.get<{ contact: GhlContact }>(`contacts/${encodeURIComponent(id)}`, {
      cacheOptions: { ttl: 300 },
    });
    return body.contact;
  }

  async search(pageLimit: number, page: number): Promise<{ contacts: GhlContact[]; total: number }> {
    return this.post<{ contacts: GhlContact[]; total: number }>('contacts/search', {
      body: { locationId: this.locationId, pageLimit, page },
    });
  }

  async tasks(contactId: string): Promise<Listed[]> {
    return (
      await this.get<{ tasks: Listed[] }>(`contacts/${encodeURIComponent(contactId)}/tasks`, {
        cacheOptions: { ttl: 120 },
      })
    ).tasks;
  }

  async notes(contactId: string): Promise<Listed[]> {
    return (
      await this.get<{ notes: Listed[] }>(`contacts/${encodeURIComponent(contactId)}/notes`, {
        cacheOptions: { ttl: 120 },
      })
    ).notes;
  }

  async appointments(contactId: string): Promise<Listed[]> {
    return (
      await this.get<{ events: Listed[] }>(`contacts/${encodeURIComponent(contactId)}/appointments`, {
        cacheOptions: { ttl: 120 },
      })
    ).events;
  }
}
