export type DeliveryQueueOptions = {
  /** Deliveries running at once. */
  concurrency: number;
  /** First retry delay; doubles per failed attempt up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
  onFailure: (label: string, attempt: number, retryInMs: number, error: unknown) => void;
};

export type DeliveryQueue = {
  push(label: string, deliver: () => Promise<void>): void;
  /** Resolves once nothing is queued, running or waiting for a retry. */
  idle(): Promise<void>;
  /** Stops retrying and starting deliveries; waits for the running ones. */
  close(): Promise<void>;
  readonly pending: number;
};

type Job = { label: string; deliver: () => Promise<void>; attempts: number };

/** Capped exponential backoff with full jitter on the upper half, so retries do not march in step. */
export function retryDelayMs(attempt: number, minDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * At-least-once, in memory: a delivery that throws goes back in the queue after a backoff, for as
 * long as the queue is open. Nothing is lost while the process runs; nothing survives it.
 */
export function createDeliveryQueue(options: DeliveryQueueOptions): DeliveryQueue {
  const ready: Job[] = [];
  const retryTimers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let idleWaiters: Array<() => void> = [];
  let closed = false;

  const pendingCount = () => ready.length + retryTimers.size + running.size;
  const settleIfIdle = () => {
    if (pendingCount() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  const pump = () => {
    while (!closed && running.size < options.concurrency && ready.length > 0) {
      const job = ready.shift() as Job;
      const run = attempt(job).finally(() => {
        running.delete(run);
        pump();
        settleIfIdle();
      });
      running.add(run);
    }
  };

  const attempt = async (job: Job) => {
    job.attempts += 1;
    try {
      await job.deliver();
    } catch (error) {
      if (closed) return;
      const delay = retryDelayMs(job.attempts, options.minDelayMs, options.maxDelayMs);
      options.onFailure(job.label, job.attempts, delay, error);
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        ready.push(job);
        pump();
      }, delay);
      retryTimers.add(timer);
    }
  };

  return {
    push(label, deliver) {
      if (closed) throw new Error(`delivery queue is closed; dropped ${label}`);
      ready.push({ label, deliver, attempts: 0 });
      pump();
    },
    idle() {
      if (pendingCount() === 0) return Promise.resolve();
      return new Promise((wake) => idleWaiters.push(wake));
    },
    async close() {
      closed = true;
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      ready.length = 0;
      await Promise.allSettled([...running]);
      settleIfIdle();
    },
    get pending() {
      return pendingCount();
    },
  };
}
