import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { TEST_REDIS_URL } from '@test/support';
import { RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(() => redis.quit());

  const limiter = () => new RateLimiter(redis, { prefix: `test-${randomUUID()}` });

  it('lets a key use its limit, then answers how long to wait; other keys keep theirs', async () => {
    const rl = limiter();
    for (let i = 0; i < 3; i++)
      await expect(rl.take([{ key: 'token:a', limit: 3 }])).resolves.toBeUndefined();
    const wait = await rl.take([{ key: 'token:a', limit: 3 }]);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    await expect(rl.take([{ key: 'token:b', limit: 3 }])).resolves.toBeUndefined();
  });

  it('refuses when any of the counters is exhausted, and 0 means unlimited', async () => {
    const rl = limiter();
    await rl.take([{ key: 'ip:1', limit: 1 }]);
    await expect(
      rl.take([
        { key: 'ip:1', limit: 1 },
        { key: 'token:c', limit: 100 },
      ]),
    ).resolves.toBeDefined();
    for (let i = 0; i < 5; i++)
      await expect(rl.take([{ key: 'token:d', limit: 0 }])).resolves.toBeUndefined();
  });

  it('shares counts between instances through Redis', async () => {
    const prefix = `test-${randomUUID()}`;
    const one = new RateLimiter(redis, { prefix });
    const two = new RateLimiter(redis, { prefix });
    await one.take([{ key: 'token:e', limit: 2 }]);
    await two.take([{ key: 'token:e', limit: 2 }]);
    await expect(one.take([{ key: 'token:e', limit: 2 }])).resolves.toBeDefined();
  });

  it('answers a key over its limit from memory, without a Redis round trip', async () => {
    const rl = limiter();
    await rl.take([{ key: 'token:f', limit: 1 }]);
    await rl.take([{ key: 'token:f', limit: 1 }]);
    const pipeline = jest.spyOn(redis, 'pipeline');
    await expect(rl.take([{ key: 'token:f', limit: 1 }])).resolves.toBeDefined();
    expect(pipeline).not.toHaveBeenCalled();
    pipeline.mockRestore();
  });

  it('lets requests through uncounted when Redis does not answer in time', async () => {
    const pipeline = {
      incr: () => pipeline,
      pexpire: () => pipeline,
      exec: () => new Promise(() => undefined),
    };
    const silent = { pipeline: () => pipeline } as unknown as Redis;
    const rl = new RateLimiter(silent, { prefix: 'test', redisTimeoutMs: 100 });
    const started = Date.now();
    await expect(rl.take([{ key: 'token:g', limit: 1 }])).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
