/**
 * The fan-out behind the gateway's event sink: every layer emits into one hub (built first by
 * the composition root), and listeners (the notifier, Zapier hooks) subscribe once they exist.
 * `emit` keeps the sink's contract (gateway-events.ts): synchronous, never throws; a listener
 * that throws is reported and the others still run.
 */
import type { GatewayEvent, GatewayEventSink } from '../domain/gateway-events.js';

type GatewayEventListener = (event: GatewayEvent) => void;

export class GatewayEventHub implements GatewayEventSink {
  private readonly listeners = new Set<GatewayEventListener>();

  constructor(private readonly onListenerError: (error: unknown, event: GatewayEvent) => void = () => undefined) {}

  emit(event: GatewayEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        try {
          this.onListenerError(error, event);
        } catch {
          // Reporting must not break the emitter either.
        }
      }
    }
  }

  /** Adds a listener; returns its removal. */
  listen(listener: GatewayEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
