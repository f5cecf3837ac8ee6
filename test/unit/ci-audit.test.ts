/**
 * CI's dependency audit (scripts/audit.ts) against a stand-in `npm` on PATH that answers what the
 * registry would: high advisories fail the run unless an unexpired exception accepts them,
 * moderate ones are printed only, and an unreachable advisory database is reported, not failed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function vulnerability(name: string, severity: string, ghsa: string) {
  return {
    name,
    severity,
    via: [{ title: `${name} does something bad`, url: `https://github.com/advisories/${ghsa}`, severity }],
    fixAvailable: true,
  };
}

function report(vulnerabilities: Array<ReturnType<typeof vulnerability>>) {
  return {
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(vulnerabilities.map((entry) => [entry.name, entry])),
  };
}

describe('the CI dependency audit', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-ci-audit-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function audit(answer: unknown, npmExit: number, exceptions: unknown[] = []): { code: number | null; out: string } {
    writeFileSync(join(dir, 'answer.json'), JSON.stringify(answer));
    writeFileSync(join(dir, 'npm'), `#!/bin/sh\ncat "${join(dir, 'answer.json')}"\nexit ${npmExit}\n`);
    chmodSync(join(dir, 'npm'), 0o755);
    writeFileSync(join(dir, 'exceptions.json'), JSON.stringify(exceptions));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, AUDIT_EXCEPTIONS: join(dir, 'exceptions.json') },
    });
    return { code: run.status, out: `${run.stdout}${run.stderr}` };
  }

  it('when the advisory database cannot be reached, then the run says production dependencies were not checked and goes on', () => {
    const offline = audit(
      { message: 'request to https://registry.npmjs.org failed, reason: getaddrinfo ENOTFOUND', error: {} },
      1,
    );
    expect(offline.code).toBe(0);
    expect(offline.out).toContain('audit: UNAVAILABLE (request to https://registry.npmjs.org failed');
    expect(offline.out).toContain('were NOT checked');
  });

  it('when a production dependency has a high advisory, then the run fails naming it; a moderate one is printed only', () => {
    const moderate = audit(report([vulnerability('left-pad', 'moderate', 'GHSA-aaaa-bbbb-cccc')]), 1);
    expect(moderate.code).toBe(0);
    expect(moderate.out).toMatch(/moderate\s+left-pad: GHSA-aaaa-bbbb-cccc/);
    const high = audit(report([vulnerability('express', 'high', 'GHSA-dddd-eeee-ffff')]), 1);
    expect(high.code).toBe(1);
    expect(high.out).toContain('FAILED');
    expect(high.out).toContain('express: GHSA-dddd-eeee-ffff (high)');
  });

  it('when an exception accepts the advisory until a future date, then the run passes; once it expired, it fails again', () => {
    const findings = report([vulnerability('express', 'critical', 'GHSA-dddd-eeee-ffff')]);
    const accepted = audit(findings, 1, [
      {
        advisory: 'GHSA-dddd-eeee-ffff',
        reason: 'not reachable: we never call the affected API',
        expires: '2999-01-01',
      },
    ]);
    expect(accepted.code).toBe(0);
    expect(accepted.out).toContain('accepted until 2999-01-01: not reachable');
    const expired = audit(findings, 1, [
      { advisory: 'GHSA-dddd-eeee-ffff', reason: 'waiting for 5.1', expires: '2020-01-01' },
    ]);
    expect(expired.code).toBe(1);
    expect(expired.out).toContain('was accepted until 2020-01-01 (waiting for 5.1); decide again');
  });
});
