import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

/** Provider token of the service's own ioredis client (health, caches, pub/sub publishing). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Injectable()
class RedisClientCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({})
export class RedisClientModule {
  static forUrl(url: string): DynamicModule {
    return {
      module: RedisClientModule,
      providers: [
        { provide: REDIS_CLIENT, useFactory: () => new Redis(url, { maxRetriesPerRequest: 2 }) },
        RedisClientCloser,
      ],
      exports: [REDIS_CLIENT],
    };
  }
}
