/**
 * HEAP_GROWING_PERCENT: how much V8's heap may grow past what is live before a full GC.
 *
 * Left to itself on a large machine, V8 grows the heap to up to 4× what survived its last full
 * collection, so the gateway's resident memory was 3.5–4.3× its live heap under every
 * bench:peers workload (bench/results/profile-notes.md, "Memory"): a replica's memory followed the
 * machine's size, not its work. A fixed factor of 1.5 held peak RSS to about Apollo Server's at
 * the same load, for more frequent (concurrent) full collections. It is a V8 flag that can only
 * be given on the command line, not in NODE_OPTIONS, so it is set here at start-up for every way
 * the gateway server runs (npm start, the image, the benchmarks). V8 reads it each time it
 * sizes the heap, so setting it after start takes effect.
 */
import { setFlagsFromString } from 'node:v8';

export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
