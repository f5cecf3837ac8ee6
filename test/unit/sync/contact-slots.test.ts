import { describe, expect, it } from '@jest/globals';
import { createContactSlots } from '../../../src/sync/contact-slots.js';

describe('contact slots shared by a process batch runs', () => {
  it('when more contacts arrive than there are slots, then no more than the slots run at once and the rest start in arrival order', async () => {
    const slots = createContactSlots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const works = [0, 1, 2, 3, 4].map((index) =>
      slots.run(async () => {
        started.push(index);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return index;
      }),
    );
    // Release one at a time, in the order they started, until every piece of work ran.
    for (let released = 0; released < 5; released += 1) {
      while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(works)).toEqual([0, 1, 2, 3, 4]);
    expect({ most, started }).toEqual({ most: 2, started: [0, 1, 2, 3, 4] });
  });

  it('when a contact fails, then its slot passes on', async () => {
    const slots = createContactSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('Roofr said no')))).rejects.toThrow('Roofr said no');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});
