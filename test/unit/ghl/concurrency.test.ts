import { LocationConcurrency } from '../../../src/ghl/concurrency.js';
import { settle } from './fake-clock.js';

describe('LocationConcurrency', () => {
  it('when the cap is reached, then the next caller waits until a slot is released', async () => {
    const concurrency = new LocationConcurrency(2, 0);
    const first = await concurrency.acquire('L', 'interactive');
    await concurrency.acquire('L', 'interactive');
    let third = false;
    void concurrency.acquire('L', 'interactive').then(() => {
      third = true;
    });
    await settle();
    expect(third).toBe(false);
    expect(concurrency.inFlight('L')).toBe(2);
    first();
    first();
    await settle();
    expect(third).toBe(true);
    expect(concurrency.inFlight('L')).toBe(2);
  });

  it('when background holds its share of slots, then an interactive caller still gets one at once', async () => {
    const concurrency = new LocationConcurrency(4, 0.3);
    expect(concurrency.backgroundLimit).toBe(2);
    await concurrency.acquire('L', 'background');
    await concurrency.acquire('L', 'background');
    let background = false;
    void concurrency.acquire('L', 'background').then(() => {
      background = true;
    });
    const interactive = await concurrency.acquire('L', 'interactive');
    await settle();
    expect(background).toBe(false);
    expect(typeof interactive).toBe('function');
    expect(concurrency.inFlight('L')).toBe(3);
  });

  it('when locations differ, then their caps are independent', async () => {
    const concurrency = new LocationConcurrency(1, 0);
    await concurrency.acquire('A', 'interactive');
    await concurrency.acquire('B', 'interactive');
    expect(concurrency.inFlight('A') + concurrency.inFlight('B')).toBe(2);
  });

  it('when a waiting caller aborts, then it is rejected and does not take a slot later', async () => {
    const concurrency = new LocationConcurrency(1, 0);
    const release = await concurrency.acquire('L', 'interactive');
    const controller = new AbortController();
    const waiting = concurrency.acquire('L', 'interactive', { signal: controller.signal });
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    release();
    expect(concurrency.inFlight('L')).toBe(0);
  });

  it("when every slot stays busy until a waiting caller's deadline, then it is answered Timeout and takes no slot", async () => {
    const concurrency = new LocationConcurrency(1, 0);
    const release = await concurrency.acquire('L', 'interactive');
    const waiting = concurrency.acquire('L', 'interactive', { deadlineAt: Date.now() + 30, endpoint: 'GET /x' });
    await expect(waiting).rejects.toMatchObject({ kind: 'Timeout', endpoint: 'GET /x' });
    release();
    expect(concurrency.inFlight('L')).toBe(0);
  });
});
