/** Thrown by `withTimeLimit` when the promise did not settle in time. */
export class TimeLimitExceeded extends Error {}

/**
 * The promise's result, or a rejection with TimeLimitExceeded after `ms` milliseconds — for calls
 * to Redis and PostgreSQL that would otherwise hang while the server is away. The timer is cleared
 * either way, so nothing keeps the process alive.
 */
export function withTimeLimit<T>(promise: Promise<T>, ms: number, what = 'the call'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeLimitExceeded(`${what}: no answer within ${ms} ms`)),
      Math.max(1, ms),
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
