// In-process wake-up call: the webhook route tells the embedded worker that an event is
// waiting, so it does not have to wait for its next poll. Separate worker processes poll.
import { EventEmitter } from "node:events";

const KEY = Symbol.for("rapport.workerSignals");
type Holder = { [KEY]?: EventEmitter };

function emitter(): EventEmitter {
  const holder = globalThis as Holder;
  holder[KEY] ??= new EventEmitter().setMaxListeners(50);
  return holder[KEY];
}

// Webhook acknowledgements come first: Shopify waits at most 5 s. The in-process worker
// steps aside while deliveries are being received (with PGlite they share one connection).
const counter = { inflight: 0, lastAt: 0 };
const COUNTER_KEY = Symbol.for("rapport.ingestion");
type CounterHolder = { [COUNTER_KEY]?: typeof counter };
function ingestion() {
  const holder = globalThis as CounterHolder;
  holder[COUNTER_KEY] ??= counter;
  return holder[COUNTER_KEY];
}

export function ingestionStarted() {
  ingestion().inflight++;
}

export function ingestionFinished() {
  const state = ingestion();
  state.inflight--;
  state.lastAt = Date.now();
}

/** Deliveries are being received, or were a moment ago (a burst is still on). */
export function ingestionBusy(quietMs = 250): boolean {
  const state = ingestion();
  return state.inflight > 0 || Date.now() - state.lastAt < quietMs;
}

/**
 * Waits for a lull in deliveries, at most `maxWaitMs` (the worker must still progress).
 * Returns true when the lull came, false when the wait ran out during a burst.
 */
export async function waitForIngestionLull(maxWaitMs: number, pollMs = 25): Promise<boolean> {
  const until = Date.now() + maxWaitMs;
  while (ingestionBusy()) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}

export function notifyWorkers() {
  emitter().emit("event");
}

export function onWorkRequested(listener: () => void): () => void {
  emitter().on("event", listener);
  return () => emitter().off("event", listener);
}
