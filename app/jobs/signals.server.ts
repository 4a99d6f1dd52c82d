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

// Webhook acknowledgements come first: Shopify waits at most 5 s. With PGlite the in-process
// worker shares the one connection and the one thread with them, so between two of its
// batches it lets the deliveries being received finish (ADR 007, "Sharing the thread").
// On globalThis: the server and the Remix build load this module separately in one process.
const COUNTER_KEY = Symbol.for("rapport.ingestion");
type Ingestion = { inflight: Set<Promise<unknown>>; received: number };
type CounterHolder = { [COUNTER_KEY]?: Ingestion };
function ingestion(): Ingestion {
  const holder = globalThis as CounterHolder;
  holder[COUNTER_KEY] ??= { inflight: new Set(), received: 0 };
  return holder[COUNTER_KEY];
}

/** Runs one delivery's handling, known to the worker while it is in flight. */
export async function trackDelivery<T>(handle: () => Promise<T>): Promise<T> {
  const state = ingestion();
  state.received++;
  const done = handle();
  const settled = done.then(
    () => undefined,
    () => undefined,
  );
  state.inflight.add(settled);
  try {
    return await done;
  } finally {
    state.inflight.delete(settled);
  }
}

/** Deliveries received by this process so far (for tests and the worker's statistics). */
export function deliveriesReceived(): number {
  return ingestion().received;
}

/** One full turn of the event loop: connections that are ready are read, timers fire. */
export function eventLoopTurn(): Promise<void> {
  // The first immediate runs in this turn's check phase, the second in the next one, after
  // its poll phase: data waiting on sockets has been read by then.
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Lets the deliveries received so far be answered: one turn of the event loop (so requests
 * already on the wire are read), then a wait for the deliveries in flight at that moment; then
 * the same for those that arrived meanwhile, at most `generations` times and `maxWaitMs` in
 * all. Never longer: under a steady stream the worker still gets its turn.
 * Returns how many deliveries it waited for.
 */
export async function letDeliveriesIn(maxWaitMs: number, generations = 3): Promise<number> {
  const until = performance.now() + maxWaitMs;
  let waited = 0;
  for (let g = 0; g < generations; g++) {
    await eventLoopTurn();
    const pending = [...ingestion().inflight];
    const left = until - performance.now();
    if (!pending.length || left <= 0) break;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
    waited += pending.length;
  }
  return waited;
}

export function notifyWorkers() {
  emitter().emit("event");
}

export function onWorkRequested(listener: () => void): () => void {
  emitter().on("event", listener);
  return () => emitter().off("event", listener);
}
