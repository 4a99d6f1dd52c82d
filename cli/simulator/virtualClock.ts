// A clock on which sleeping costs no real time: `sleep(ms)` moves the clock `ms` forward and
// resolves at once. Shared by the simulator (its leaky bucket refills on this clock) and an
// AdminClient (its throttle waits and backoff), a job that spends hours waiting for the cost
// budget runs in the time its real work takes (bench/writeback --virtual-clock, tests).
//
// By default real time passes on it too: now() = start + real time elapsed + time skipped by
// sleeps, so the work between waits (HTTP round trips, database writes) keeps its real duration
// and the bucket refills during it as it would. With `realTime: false` time stands still except
// when someone sleeps: every figure then depends only on the sequence of calls (exact tests).
//
// Made for one sequential flow of waits (one job and the simulator): concurrent sleepers are not
// overlapped, each one moves the clock forward in turn.
import type { Clock } from "../../app/lib/clock";

export interface VirtualClockOptions {
  /** Epoch milliseconds the clock starts at (default: Date.now() when created). */
  start?: number;
  /** Whether real time passes on the clock between sleeps (default true). */
  realTime?: boolean;
  /** The real monotonic time source, in milliseconds (default performance.now). */
  realNow?: () => number;
}

export class VirtualClock implements Clock {
  /** Milliseconds waited without waiting: the sum of every sleep. */
  skippedMs = 0;
  /** How many sleeps of more than 0 ms. */
  sleeps = 0;
  private readonly start: number;
  private readonly realTime: boolean;
  private readonly realNow: () => number;
  private readonly realStart: number;

  constructor(options: VirtualClockOptions = {}) {
    this.start = options.start ?? Date.now();
    this.realTime = options.realTime ?? true;
    this.realNow = options.realNow ?? (() => performance.now());
    this.realStart = this.realNow();
  }

  now(): number {
    return this.start + (this.realTime ? this.realNow() - this.realStart : 0) + this.skippedMs;
  }

  /** Real milliseconds since the clock was created (0 when real time does not pass on it). */
  realElapsedMs(): number {
    return this.realTime ? this.realNow() - this.realStart : 0;
  }

  sleep(ms: number): Promise<void> {
    if (ms > 0) {
      this.skippedMs += ms;
      this.sleeps++;
    }
    // Yield to the event loop like a timer would, without its delay.
    return new Promise((resolve) => setImmediate(resolve));
  }
}
