import { IsInt, Matches, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { ConfigurationError, validateEnvironment } from './config';
import { ServiceConfig } from './service-config';

class ExampleConfig {
  @Matches(/^postgres:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  PORT = 3000;
}

describe('validateEnvironment', () => {
  it('converts values and keeps defaults', () => {
    const config = validateEnvironment(ExampleConfig, { DATABASE_URL: 'postgres://x/y' });
    expect(config.PORT).toBe(3000);
    expect(validateEnvironment(ExampleConfig, { DATABASE_URL: 'postgres://x', PORT: '8080' }).PORT).toBe(
      8080,
    );
  });

  it('names every bad or missing variable in one error', () => {
    let error: unknown;
    try {
      validateEnvironment(ExampleConfig, { PORT: 'zero' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('DATABASE_URL: DATABASE_URL must be a postgres:// URL');
    expect((error as Error).message).toContain('PORT:');
  });
});

describe('QUEUE_PREFIX', () => {
  const prefix = (QUEUE_PREFIX: string) => () =>
    validateEnvironment(ServiceConfig, { DATABASE_URL: 'postgres://x/y', QUEUE_PREFIX });

  it.each(['iam', 'iam:test_1', '{iam}', '{iam}:eu-1'])(
    'accepts %s (a Redis Cluster hash tag first)',
    (value) => {
      expect(prefix(value)().QUEUE_PREFIX).toBe(value);
    },
  );

  it.each(['', 'i am', 'a{iam}', '{iam', '{}', 'iam*'])('refuses %j naming the variable', (value) => {
    expect(prefix(value)).toThrow(/QUEUE_PREFIX/);
  });
});
