// Time as a dependency of code that waits (the Admin API client's throttle waits and backoff, the
// simulator's leaky bucket). Production passes nothing and gets `systemClock`; a benchmark or a
// test passes one shared clock to both sides so that waiting for the bucket costs no real time
// (cli/simulator/virtualClock.ts).
export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
  /** Resolves once `ms` milliseconds have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
