/**
 * DATABASE_URL → which driver to open. Kept pure (no fs, no drivers) so it is unit tested.
 * Accepted: `sqlite::memory:`, `sqlite://./relative/file.db`, `sqlite:///absolute/file.db`,
 * `sqlite:relative.db`, `postgres://…` / `postgresql://…` (passed to pg unchanged).
 */
type DatabaseTarget =
  | { dialect: 'sqlite'; filename: ':memory:' }
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; connectionString: string };

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', connectionString: trimmed };
  if (/^sqlite:/i.test(trimmed)) {
    const rest = trimmed.slice('sqlite:'.length);
    if (rest === ':memory:' || rest === '//:memory:') return { dialect: 'sqlite', filename: ':memory:' };
    // sqlite://./x.db → ./x.db ; sqlite:///abs/x.db → /abs/x.db ; sqlite:x.db → x.db
    const filename = rest.startsWith('//') ? rest.slice(2) : rest;
    if (filename === '')
      throw new DatabaseUrlError(
        `DATABASE_URL "${url}" names no SQLite file; use sqlite://./data/gateway.db or sqlite::memory:`,
      );
    return { dialect: 'sqlite', filename: decodeURIComponent(filename) };
  }
  throw new DatabaseUrlError(
    `DATABASE_URL must start with sqlite: or postgres://; got "${trimmed.split(':')[0] ?? ''}:…"`,
  );
}
