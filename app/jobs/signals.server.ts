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
type Ingestion = {
  inflight: Set<Promise<unknown>>;
  received: number;
  lastReceivedAt: number;
  /** The instants of the last RECENT deliveries (a ring), for the arrival rate. */
  recent: Float64Array;
};
const RECENT = 1024;
type CounterHolder = { [COUNTER_KEY]?: Ingestion };
function ingestion(): Ingestion {
  const holder = globalThis as CounterHolder;
  holder[COUNTER_KEY] ??= { inflight: new Set(), received: 0, lastReceivedAt: -Infinity, recent: new Float64Array(RECENT).fill(-Infinity) };
  return holder[COUNTER_KEY];
}

/** Runs one delivery's handling, known to the worker while it is in flight. */
export async function trackDelivery<T>(handle: () => Promise<T>): Promise<T> {
  const state = ingestion();
  state.lastReceivedAt = performance.now();
  state.recent[state.received % RECENT] = state.lastReceivedAt;
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

/** Deliveries received per second over the last `windowMs` (at most RECENT of them counted). */
export function deliveryRate(windowMs = 1000): number {
  const { recent } = ingestion();
  const since = performance.now() - windowMs;
  let n = 0;
  for (let i = 0; i < RECENT; i++) if (recent[i] > since) n++;
  return (n * 1000) / windowMs;
}

/** One full turn of the event loop: connections that are ready are read, timers fire. */
export function eventLoopTurn(): Promise<void> {
  // The first immediate runs in this turn's check phase, the second in the next one, after
  // its poll phase: data waiting on sockets has been read by then.
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** No delivery for this long: nothing is streaming in. */
const QUIET_MS = 100;

export interface IngestionTurn {
  /** Deliveries waited for. */
  deliveries: number;
  /** How long the first generation took to be answered (0 when none was in flight). */
  firstGenerationMs: number;
}

/**
 * Lets the deliveries received so far be answered: one turn of the event loop (so requests
 * already on the wire are read), then a wait for the deliveries in flight at that moment; then
 * the same for those that arrived meanwhile. Ends after `generations` of them once `minWaitMs`
 * has passed (sooner when none is in flight and either the minimum has passed or no delivery
 * came for QUIET_MS), and at `maxWaitMs` in any case: under a steady stream the worker still
 * gets its turn.
 */
export async function letDeliveriesIn(maxWaitMs: number, minWaitMs = 0, generations = 3): Promise<IngestionTurn> {
  const started = performance.now();
  const turn: IngestionTurn = { deliveries: 0, firstGenerationMs: 0 };
  for (let g = 0; ;) {
    await eventLoopTurn();
    const elapsed = performance.now() - started;
    if (elapsed >= maxWaitMs || (elapsed >= minWaitMs && g >= generations)) break;
    const pending = [...ingestion().inflight];
    if (!pending.length) {
      // Nothing in flight, and no delivery for a moment: there is no stream to protect.
      if (elapsed >= minWaitMs || performance.now() - ingestion().lastReceivedAt > QUIET_MS) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5, minWaitMs - elapsed)));
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    const waitStarted = performance.now();
    await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs - elapsed)))]);
    clearTimeout(timer);
    if (g === 0) turn.firstGenerationMs = performance.now() - waitStarted;
    turn.deliveries += pending.length;
    g++;
  }
  return turn;
}

export function notifyWorkers() {
  emitter().emit("event");
}

export function onWorkRequested(listener: () => void): () => void {
  emitter().on("event", listener);
  return () => emitter().off("event", listener);
}
