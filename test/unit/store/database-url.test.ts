import { DatabaseUrlError, parseDatabaseUrl } from '../../../src/store/database-url.js';

describe('parseDatabaseUrl', () => {
  test.each([
    ['sqlite://./data/gateway.db', { dialect: 'sqlite', filename: './data/gateway.db' }],
    ['sqlite:///var/lib/gateway.db', { dialect: 'sqlite', filename: '/var/lib/gateway.db' }],
    ['sqlite:gateway.db', { dialect: 'sqlite', filename: 'gateway.db' }],
    ['sqlite::memory:', { dialect: 'sqlite', filename: ':memory:' }],
    ['postgres://u:p@db:5432/gw', { dialect: 'postgres', connectionString: 'postgres://u:p@db:5432/gw' }],
    ['postgresql://db/gw', { dialect: 'postgres', connectionString: 'postgresql://db/gw' }],
  ])('when DATABASE_URL is %s, then it opens %o', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  test('when DATABASE_URL has another scheme, then the error names the accepted ones without echoing credentials', () => {
    expect(() => parseDatabaseUrl('mysql://root:secret@db/gw')).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl('mysql://root:secret@db/gw')).toThrow(/sqlite: or postgres:\/\//);
    expect(() => parseDatabaseUrl('mysql://root:secret@db/gw')).not.toThrow(/secret/);
  });

  test('when a sqlite URL names no file, then it is refused', () => {
    expect(() => parseDatabaseUrl('sqlite://')).toThrow(DatabaseUrlError);
  });
});
