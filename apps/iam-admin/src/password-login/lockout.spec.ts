import { FIRST_LOCK_MS, LONGEST_LOCK_MS, lockAfterFailures, secondsLocked } from './lockout';

describe('password sign-in back-off', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const lockMs = (failures: number) =>
    (lockAfterFailures(failures, 5, now)?.getTime() ?? now.getTime()) - now.getTime();

  it('does not lock before the maximum number of failures in a row', () => {
    for (const failures of [0, 1, 4]) expect(lockAfterFailures(failures, 5, now)).toBeUndefined();
  });

  it('locks for 30 s at the maximum and doubles with each further failure', () => {
    expect(lockMs(5)).toBe(FIRST_LOCK_MS);
    expect(lockMs(6)).toBe(2 * FIRST_LOCK_MS);
    expect(lockMs(7)).toBe(4 * FIRST_LOCK_MS);
    expect(lockMs(9)).toBe(16 * FIRST_LOCK_MS);
  });

  it('never locks for longer than 15 minutes, however many failures', () => {
    expect(lockMs(10)).toBe(LONGEST_LOCK_MS);
    expect(lockMs(10_000)).toBe(LONGEST_LOCK_MS);
  });

  it('follows a lower maximum', () => {
    expect(lockAfterFailures(1, 2, now)).toBeUndefined();
    expect(lockAfterFailures(2, 2, now)!.getTime() - now.getTime()).toBe(FIRST_LOCK_MS);
  });

  it('tells how many seconds a lock has left, rounded up, and 0 once it ended', () => {
    expect(secondsLocked(new Date(now.getTime() + 29_001), now)).toBe(30);
    expect(secondsLocked(new Date(now.getTime() + 1), now)).toBe(1);
    expect(secondsLocked(now, now)).toBe(0);
    expect(secondsLocked(new Date(now.getTime() - 1000), now)).toBe(0);
    expect(secondsLocked(null, now)).toBe(0);
  });
});
