import { parseConfig } from '../../../src/config.js';
import { createRoofrPort, RoofrPortConfigError } from '../../../src/roofr/create-roofr-port.js';
import { startRoofrSimulator } from '../../../src/simulators/roofr/index.js';

describe('createRoofrPort', () => {
  it('when ROOFR_ADAPTER is simulator, then the REST adapter talks to the given simulator', async () => {
    const simulator = await startRoofrSimulator({ apiKey: 'k-sim' });
    try {
      const port = createRoofrPort(parseConfig({ ROOFR_ADAPTER: 'simulator' }), { simulator });
      expect(port.adapter).toBe('simulator');
      const outcome = await port.upsertCustomer({ first_name: 'Sim' }, { idempotencyKey: 'k' });
      expect(outcome).toMatchObject({ status: 'APPLIED', created: true });
      expect(simulator.data.customers.size).toBe(1);
    } finally {
      await simulator.close();
    }
  });

  it('when ROOFR_ADAPTER is simulator without a simulator, then it says how to provide one', () => {
    expect(() => createRoofrPort(parseConfig({ ROOFR_ADAPTER: 'simulator' }))).toThrow(RoofrPortConfigError);
  });

  it('when ROOFR_ADAPTER is rest with credentials, then a REST adapter with every capability is built', () => {
    const port = createRoofrPort(
      parseConfig({ ROOFR_ADAPTER: 'rest', ROOFR_API_BASE_URL: 'http://127.0.0.1:9/v1', ROOFR_API_KEY: 'key' }),
    );
    expect(port.adapter).toBe('rest');
    expect(Object.values(port.capabilities).every(Boolean)).toBe(true);
  });

  it('when ROOFR_ADAPTER is zapier, then the Zapier adapter is built', () => {
    const port = createRoofrPort(
      parseConfig({ ROOFR_ADAPTER: 'zapier', ROOFR_ZAPIER_HOOK_URL: 'http://127.0.0.1:9/hooks/catch/1/2' }),
    );
    expect(port.adapter).toBe('zapier');
    expect(port.capabilities.upsertJobTask).toBe(false);
  });

  it('when ROOFR_ADAPTER is rest without credentials, then start-up config parsing names both variables', () => {
    expect(() => parseConfig({ ROOFR_ADAPTER: 'rest' })).toThrow(
      /ROOFR_API_BASE_URL: required[\s\S]*ROOFR_API_KEY: required/,
    );
  });

  it('when ROOFR_API_PATHS is not JSON, then config parsing names the variable', () => {
    expect(() => parseConfig({ ROOFR_API_PATHS: '{oops' })).toThrow(/ROOFR_API_PATHS: not JSON/);
  });
});
