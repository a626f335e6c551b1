import { IsEmail, validate } from 'class-validator';
import { DataSource, QueryFailedError } from 'typeorm';
import { testFileDatabaseUrl } from '@test/support';
import { errorForLog, isHealthProbe, redactValues, urlForLog, withoutLoginSecrets } from './logging';

const PERSON = 'bjensen.pii@contoso.com';

class Invite {
  @IsEmail()
  email = PERSON.replace('@', ' at ');
}

describe('logs without personal data', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
  });
  afterAll(() => db?.destroy());

  const failure = (sql: string, parameters: unknown[]) =>
    db.query(sql, parameters).then(
      () => {
        throw new Error('the query was expected to fail');
      },
      (error: unknown) => error as QueryFailedError,
    );

  it('keeps query parameter names and drops their values', () => {
    const url = `/t/api/scim/v2/Users?filter=userName+eq+%22${encodeURIComponent(PERSON)}%22&count=5&aadOptscim062020`;
    expect(urlForLog(url)).toBe(
      '/t/api/scim/v2/Users?filter=[redacted]&count=[redacted]&aadOptscim062020=[redacted]',
    );
    expect(urlForLog('/t/api/scim/v2/Users/7c4e')).toBe('/t/api/scim/v2/Users/7c4e');
  });

  it('logs a failed query by type, SQL state and constraint, never its parameters or detail', async () => {
    const badCast = await failure('SELECT $1::uuid', [PERSON]);
    expect(badCast).toBeInstanceOf(QueryFailedError);
    expect(JSON.stringify(badCast)).toContain(PERSON); // what would be logged without the serializer
    const logged = errorForLog(badCast);
    expect(JSON.stringify(logged)).not.toContain('bjensen');
    expect(logged).toMatchObject({ type: 'QueryFailedError', code: '22P02' });

    await db.query('CREATE TEMP TABLE people (user_name text UNIQUE)');
    await db.query('INSERT INTO people VALUES ($1)', [PERSON]);
    const duplicate = await failure('INSERT INTO people VALUES ($1)', [PERSON]);
    expect(String((duplicate.driverError as { detail?: string }).detail)).toContain(PERSON);
    const loggedDuplicate = errorForLog(duplicate);
    expect(JSON.stringify(loggedDuplicate)).not.toContain('bjensen');
    expect(loggedDuplicate).toMatchObject({ code: '23505', constraint: 'people_user_name_key' });
  });

  it('drops the rejected value and target of validation errors, and values in error strings', async () => {
    const [error] = await validate(new Invite());
    expect(JSON.stringify(errorForLog(error))).not.toContain('bjensen');
    expect(errorForLog(`userName "${PERSON}" is already taken by ${PERSON}`)).toBe(
      'userName "[redacted]" is already taken by [redacted]',
    );
  });

  it('accepts what pino-http hands over: its serialisation with the original under raw', async () => {
    const original = await failure('SELECT $1::uuid', [PERSON]);
    const serialised = { type: 'QueryFailedError', message: original.message, parameters: [PERSON] };
    Object.defineProperty(serialised, 'raw', { value: original, enumerable: false });
    expect(JSON.stringify(errorForLog(serialised))).not.toContain('bjensen');
  });
});

describe('log helpers on hostile input', () => {
  it.each([
    ['/health', true],
    ['/health/ready', true],
    ['/health?x=1', true],
    ['/healthy/api/scim/v2/Users', false],
    ['/healthz', false],
  ])('%s is a health probe: %s', (url, expected) => {
    expect(isHealthProbe(url)).toBe(expected);
  });

  it('keeps sign-in codes out of the log even in debug mode, whatever the path spelling', () => {
    expect(withoutLoginSecrets('/v1/%6Cogin/t/entra/callback?code=abc&state=def&x=1')).toBe(
      '/v1/%6Cogin/t/entra/callback?code=[redacted]&state=[redacted]&x=1',
    );
    expect(withoutLoginSecrets('/t/api/scim/v2/Users?filter=a')).toBe('/t/api/scim/v2/Users?filter=a');
  });

  it('redacts a huge message without stalling (it is cut first)', () => {
    const started = Date.now();
    const out = redactValues('x'.repeat(200_000));
    expect(Date.now() - started).toBeLessThan(200);
    expect(out.length).toBeLessThanOrEqual(1001);
  });
});
