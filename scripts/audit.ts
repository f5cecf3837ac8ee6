// CI's dependency audit: `npm audit --omit=dev` over the production dependencies (what the
// Docker image ships), its findings printed, and a verdict. Policy (docs/security.md):
//   - a high or critical advisory fails the run, unless .ci/audit-exceptions.json accepts it with
//     a reason and an expiry date (an expired exception fails the run too, so none is forgotten);
//   - moderate and low advisories are printed and do not fail it;
//   - when the advisory database cannot be reached (offline, a proxy refusing the audit endpoint)
//     the run says loudly that production dependencies were NOT checked, and goes on.
// `npx tsx scripts/audit.ts`; AUDIT_EXCEPTIONS names another exceptions file (tests).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Exception {
  advisory: string;
  reason: string;
  expires: string;
}

interface Via {
  title?: string;
  url?: string;
  severity?: string;
}

interface Vulnerability {
  name: string;
  severity: string;
  via: Array<Via | string>;
  fixAvailable: unknown;
}

const FAILING = new Set(['high', 'critical']);
const root = fileURLToPath(new URL('..', import.meta.url));
const exceptionsPath = process.env.AUDIT_EXCEPTIONS ?? `${root}.ci/audit-exceptions.json`;

function readExceptions(): Exception[] {
  if (!existsSync(exceptionsPath)) return [];
  const parsed: unknown = JSON.parse(readFileSync(exceptionsPath, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${exceptionsPath}: expected a list of { advisory, reason, expires }`);
  return parsed.map((entry: Partial<Exception>, index) => {
    if (typeof entry.advisory !== 'string' || typeof entry.reason !== 'string' || typeof entry.expires !== 'string')
      throw new Error(`${exceptionsPath}[${index}]: needs advisory (GHSA id or URL), reason and expires (YYYY-MM-DD)`);
    return { advisory: entry.advisory, reason: entry.reason, expires: entry.expires };
  });
}

/** The advisory id of a `via` entry: the GHSA id at the end of its URL. */
function advisoryOf(via: Via): string {
  return via.url?.split('/').pop() ?? via.title ?? 'unknown';
}

const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
let report: { auditReportVersion?: number; vulnerabilities?: Record<string, Vulnerability>; message?: string };
try {
  report = JSON.parse(result.stdout || '{}') as typeof report;
} catch {
  report = {};
}

if (report.auditReportVersion === undefined || report.vulnerabilities === undefined) {
  const reason =
    report.message ?? (result.error?.message || result.stderr.trim().split('\n').pop() || `exit ${result.status}`);
  console.log(`audit: UNAVAILABLE (${reason})`);
  console.log('audit: the advisory database could not be reached; production dependencies were NOT checked this run');
  process.exit(0);
}

const exceptions = readExceptions();
const today = new Date().toISOString().slice(0, 10);
const failures: string[] = [];
const vulnerabilities = Object.values(report.vulnerabilities);
for (const vulnerability of vulnerabilities) {
  const advisories = vulnerability.via.filter((via): via is Via => typeof via === 'object');
  const via = advisories.map((advisory) => `${advisoryOf(advisory)} ${advisory.title ?? ''}`.trim());
  const fix = vulnerability.fixAvailable === false ? 'no fix yet' : 'fix available';
  console.log(
    `audit: ${vulnerability.severity.padEnd(8)} ${vulnerability.name}: ${via.join('; ') || `through ${vulnerability.via.join(', ')}`} (${fix})`,
  );
  if (!FAILING.has(vulnerability.severity)) continue;
  // Only the package's own advisories decide; one reached through another package is judged there.
  for (const advisory of advisories.filter((entry) => FAILING.has(entry.severity ?? vulnerability.severity))) {
    const id = advisoryOf(advisory);
    const exception = exceptions.find((entry) => entry.advisory === id || entry.advisory === advisory.url);
    if (exception === undefined) failures.push(`${vulnerability.name}: ${id} (${vulnerability.severity})`);
    else if (exception.expires < today)
      failures.push(
        `${vulnerability.name}: ${id} was accepted until ${exception.expires} (${exception.reason}); decide again`,
      );
    else console.log(`audit:          accepted until ${exception.expires}: ${exception.reason}`);
  }
}
const counts = vulnerabilities.reduce<Record<string, number>>((acc, entry) => {
  acc[entry.severity] = (acc[entry.severity] ?? 0) + 1;
  return acc;
}, {});
console.log(
  `audit: production dependencies checked: ${vulnerabilities.length === 0 ? 'no known advisories' : JSON.stringify(counts)}`,
);
if (failures.length > 0) {
  console.log(`audit: FAILED: high or critical advisories without an unexpired exception:\n  ${failures.join('\n  ')}`);
  console.log(`audit: upgrade, or accept one in ${exceptionsPath} with a reason and an expiry date`);
  process.exit(1);
}
