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

export function notifyWorkers() {
  emitter().emit("event");
}

export function onWorkRequested(listener: () => void): () => void {
  emitter().on("event", listener);
  return () => emitter().off("event", listener);
}
