/** The first lock after IAM_PASSWORD_MAX_FAILURES failures in a row. */
export const FIRST_LOCK_MS = 30_000;
/** No lock is longer: a locked-out owner waits at most this long. */
export const LONGEST_LOCK_MS = 15 * 60_000;

/**
 * Back-off of password sign-ins: after `failures` failed attempts in a row, until when the account
 * is locked (undefined: not locked). The `maxFailures`-th failure locks for 30 s and each further
 * one doubles it, up to 15 minutes, so guessing stays slow without locking an owner out for long.
 */
export function lockAfterFailures(failures: number, maxFailures: number, now: Date): Date | undefined {
  if (failures < maxFailures) return undefined;
  const doublings = Math.min(failures - maxFailures, 30); // 2^30 × 30 s is far past the cap already
  return new Date(now.getTime() + Math.min(FIRST_LOCK_MS * 2 ** doublings, LONGEST_LOCK_MS));
}

/** Whole seconds until a lock ends (at least 1), or 0 when there is none. */
export function secondsLocked(lockedUntil: Date | null | undefined, now: Date): number {
  if (!lockedUntil) return 0;
  const ms = new Date(lockedUntil).getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}
