/** The one list of closers (src/wiring/lifecycle.ts): reverse order, unwinding on a failed start, every closer run. */
import { Lifecycle, composed } from '../../../src/wiring/lifecycle.js';

function recordingLogger(): { warn: (fields: object, message: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    warn: (fields, message) => warnings.push(`${(fields as { module?: string }).module ?? '?'}: ${message}`),
  };
}

describe('Lifecycle', () => {
  it('when modules were started in order, then close closes them in reverse, once', async () => {
    const closed: string[] = [];
    const lifecycle = new Lifecycle(recordingLogger());
    await lifecycle.start(
      'store',
      () => 'db',
      (value) => void closed.push(`store(${value})`),
    );
    await lifecycle.start(
      'cache',
      async () => 'redis',
      (value) => void closed.push(`cache(${value})`),
    );
    lifecycle.onClose('worker', () => void closed.push('worker'));
    expect(lifecycle.started).toEqual(['store', 'cache', 'worker']);

    await Promise.all([lifecycle.close(), lifecycle.close()]);
    expect(closed).toEqual(['worker', 'cache(redis)', 'store(db)']);
  });

  it('when a closer fails, then the others still run, the failure is logged by module and the first error is thrown', async () => {
    const closed: string[] = [];
    const logger = recordingLogger();
    const lifecycle = new Lifecycle(logger);
    lifecycle.onClose('store', () => void closed.push('store'));
    lifecycle.onClose('cache', () => {
      throw new Error('redis hung');
    });
    lifecycle.onClose('http', () => void closed.push('http'));

    await expect(lifecycle.close()).rejects.toThrow('redis hung');
    expect(closed).toEqual(['http', 'store']);
    expect(logger.warnings).toEqual(['cache: a module failed to close; closing the rest']);
  });

  it('when the process is closing, then nothing new can start', async () => {
    const lifecycle = new Lifecycle(recordingLogger());
    const closing = lifecycle.close();
    await expect(lifecycle.start('late', () => 1)).rejects.toThrow('cannot start late: the process is closing');
    expect(() => lifecycle.onClose('late', () => undefined)).toThrow('cannot register late');
    await closing;
  });
});

describe('composed', () => {
  it('when a later module fails to start, then what started before it is closed in reverse and the start-up error is thrown', async () => {
    const closed: string[] = [];
    const failure = composed(recordingLogger(), async (lifecycle) => {
      await lifecycle.start(
        'store',
        () => 'db',
        () => void closed.push('store'),
      );
      await lifecycle.start(
        'security',
        () => 'vaults',
        () => void closed.push('security'),
      );
      await lifecycle.start(
        'high level',
        () => {
          throw new Error('GHL_LOCATION_ID is required with a private token');
        },
        () => void closed.push('high level'),
      );
      return 'never';
    });

    await expect(failure).rejects.toThrow('GHL_LOCATION_ID is required');
    expect(closed).toEqual(['security', 'store']);
  });

  it('when unwinding also fails, then the start-up error is still the one thrown', async () => {
    const failure = composed(recordingLogger(), async (lifecycle) => {
      lifecycle.onClose('store', () => {
        throw new Error('close failed');
      });
      throw new Error('port 4000 is in use');
    });
    await expect(failure).rejects.toThrow('port 4000 is in use');
  });

  it('when every module starts, then the build result is returned and nothing is closed', async () => {
    const closed: string[] = [];
    const result = await composed(recordingLogger(), async (lifecycle) => {
      await lifecycle.start(
        'store',
        () => 'db',
        () => void closed.push('store'),
      );
      return 'gateway';
    });
    expect(result).toBe('gateway');
    expect(closed).toEqual([]);
  });
});
