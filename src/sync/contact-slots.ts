/**
 * Contacts a process's batch runs write to Roofr at once, across all its runs: Roofr is one
 * account for every location (unlike HighLevel, whose budget is per location), so the runs of an
 * agency's locations share what Roofr takes (ROOFR_MAX_IN_FLIGHT per process). Without this cap
 * every run added its own contacts in flight; past what Roofr takes, their writes waited in the
 * Roofr pacer until their inline deadline passed, fell back to the outbox, and a page whose
 * writes the outbox could not confirm within its wait ended the run PARTIAL. With it, a contact
 * waits here before its first write (no deadline running) and is written at once when its turn
 * comes. FIFO, so the runs advance in turn.
 */
export interface ContactSlots {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createContactSlots(size: number): ContactSlots {
  let free = Math.max(1, size);
  const waiting: Array<() => void> = [];
  return {
    async run(work) {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        // The slot passes straight to the next waiter, so a newcomer never overtakes it.
        const next = waiting.shift();
        if (next === undefined) free += 1;
        else next();
      }
    },
  };
}
