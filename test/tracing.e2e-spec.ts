import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import {
  ProvisioningCommandName,
  QueueName,
  subjectEventsStream,
  traceIdOf,
  WEBHOOK_DELIVERIES_QUEUE,
} from '@app/contracts';
import { redisConnection } from '@app/platform';
import {
  baseEnv,
  ChildService,
  createTenant,
  eventually,
  http,
  RunningApp,
  ScimStack,
  spawnService,
  testFileDatabaseUrl,
  withTenant,
} from '@test/support';
import {
  OtlpReceiver,
  ReceivedSpan,
  Recorder,
  startOtlpReceiver,
  startRecorder,
} from './support/otlp-receiver';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SERVER = 2;
const CONSUMER = 5;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** IAM bootstraps it into this file's database once; later starts find it there. */
const ADMIN_TOKEN = `iamadm_${randomBytes(32).toString('base64url')}`;

/** Both services as built child processes (the SDK must start before Nest, pg and ioredis load). */
async function startServices(otel: Record<string, string>): Promise<{
  iam: ChildService;
  gateway: ChildService;
  stack: ScimStack;
  queuePrefix: string;
  redisUrl: string;
  stop(): Promise<void>;
}> {
  const env: Record<string, string> = {
    ...baseEnv(),
    DATABASE_URL: await testFileDatabaseUrl(),
    LOG_LEVEL: 'info',
    ...otel,
  };
  const started: ChildService[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    const iam = await spawnService('iam-admin', { ...env, IAM_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN });
    started.push(iam);
    const gateway = await spawnService('scim-gateway', env);
    started.push(gateway);
    // The fixtures use only the services' URLs.
    const asApp = (service: ChildService) => ({ url: service.url }) as RunningApp;
    const tenantId = await createTenant(asApp(iam), ADMIN_TOKEN, 'Tracing tenant');
    const stack = await withTenant(asApp(iam), asApp(gateway), ADMIN_TOKEN, tenantId);
    return { iam, gateway, stack, queuePrefix: env.QUEUE_PREFIX!, redisUrl: env.REDIS_URL!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** JSON log lines a service wrote to stdout. */
const logLines = (service: ChildService): Array<Record<string, any>> =>
  service.output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

const createUser = (stack: ScimStack, headers: Record<string, string> = {}) =>
  stack.scim('POST', '/Users', { schemas: [USER], userName: `t-${randomUUID()}@contoso.example` }, headers);

async function streamEvents(redisUrl: string, queuePrefix: string): Promise<Array<Record<string, any>>> {
  const redis = new Redis(redisUrl);
  try {
    const entries = await redis.xrange(subjectEventsStream(queuePrefix), '-', '+');
    return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]!));
  } finally {
    redis.disconnect();
  }
}

describe('traces and correlation ids: SCIM request → BullMQ job → IAM command → outbox relay → webhook', () => {
  let otlp: OtlpReceiver;
  let hooks: Recorder;
  let services: Awaited<ReturnType<typeof startServices>>;

  const spansOf = (traceId: string) => otlp.spans().filter((s) => s.traceId === traceId);
  /** The span's ancestors among the exported spans of both services, nearest first. */
  const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
    const all = otlp.spans();
    const chain: ReceivedSpan[] = [];
    for (let at = span; at.parentSpanId;) {
      const parent = all.find((s) => s.spanId === at.parentSpanId && s.traceId === at.traceId);
      if (!parent) break;
      chain.push(parent);
      at = parent;
    }
    return chain;
  };

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    hooks = await startRecorder();
    services = await startServices({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const webhook = await http(services.iam.url, 'POST', '/v1/webhooks', {
      token: services.stack.platformToken,
      tenantId: services.stack.tenantId,
      body: { url: `${hooks.url}/hook`, eventTypes: ['subject.created'] },
    });
    if (webhook.status !== 201) throw new Error(`webhook create failed: ${webhook.text}`);
  }, 120_000);

  afterAll(async () => {
    await services?.stop();
    await hooks?.close();
    await otlp?.close();
  });

  it('follows a SCIM create from the gateway request into IAM, the database, the relay and the webhook', async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const requestId = `req-${randomUUID()}`;
    const created = await createUser(services.stack, {
      traceparent: `00-${traceId}-${callerSpan}-01`,
      'x-request-id': requestId,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe(requestId);
    const subjectId = created.body.id as string;

    // The gateway's request span continues the caller's trace.
    await eventually(() => spansOf(traceId).some((s) => s.service === 'scim-gateway' && s.kind === SERVER));
    const request = spansOf(traceId).find((s) => s.service === 'scim-gateway' && s.kind === SERVER)!;
    expect(request.parentSpanId).toBe(callerSpan);

    // IAM applies the command in the same trace, under the gateway's request span.
    await eventually(() => spansOf(traceId).some((s) => s.name === 'provisioning-commands process'));
    const command = spansOf(traceId).find((s) => s.name === 'provisioning-commands process')!;
    expect(command).toMatchObject({ service: 'iam-admin', kind: CONSUMER });
    expect(command.attributes['iam.command']).toBe(ProvisioningCommandName.CreateUser);
    expect(ancestors(command).map((s) => s.spanId)).toContain(request.spanId);

    // The command's SQL is traced under it, as statements without values.
    await eventually(() =>
      spansOf(traceId).some(
        (s) =>
          s.service === 'iam-admin' &&
          s.attributes['db.system.name'] === 'postgresql' &&
          /^INSERT INTO subjects\b/.test(String(s.attributes['db.query.text'])) &&
          ancestors(s).some((a) => a.spanId === command.spanId),
      ),
    );
    const sql = spansOf(traceId)
      .filter((s) => s.attributes['db.system.name'] === 'postgresql')
      .map((s) => String(s.attributes['db.query.text'] ?? ''))
      .join('\n');
    expect(sql).not.toContain(created.body.userName);

    // The relay publishes the resulting event in that trace; the stream entry carries it.
    await eventually(() =>
      spansOf(traceId).some((s) => s.name === 'subject-events publish' && s.service === 'iam-admin'),
    );
    const events = await streamEvents(services.redisUrl, services.queuePrefix);
    const event = events.find((e) => e.subjectId === subjectId && e.type === 'subject.created')!;
    expect(traceIdOf(event.traceparent)).toBe(traceId);

    // The webhook delivery runs in the trace and its request carries traceparent.
    await eventually(() => hooks.requests.some((r) => JSON.parse(r.body).subjectId === subjectId));
    const delivery = hooks.requests.find((r) => JSON.parse(r.body).subjectId === subjectId)!;
    expect(traceIdOf(delivery.headers.traceparent)).toBe(traceId);
    await eventually(() => spansOf(traceId).some((s) => s.name === 'webhook-deliveries process'));

    // Every span of both services: none records the SCIM filter or the user name in a URL.
    expect(JSON.stringify(spansOf(traceId))).not.toContain(created.body.userName);

    // The correlation id is on the gateway's lines for the request and on IAM's for its command.
    await eventually(() =>
      logLines(services.iam).some(
        (l) => l.correlationId === requestId && l.msg === 'provisioning command done',
      ),
    );
    expect(
      logLines(services.gateway)
        .filter((l) => l.correlationId === requestId)
        .map((l) => l.msg),
    ).toContain('request completed');
    const iamLine = logLines(services.iam).find((l) => l.correlationId === requestId)!;
    expect(iamLine).toMatchObject({ command: 'create-user', outcome: 'applied', traceId });
  });

  it('uses the trace id as correlation id when the client sends none, and refuses a malformed X-Request-Id', async () => {
    const traceId = hex(16);
    const own = await createUser(services.stack, { traceparent: `00-${traceId}-${hex(8)}-01` });
    expect(own.headers.get('x-request-id')).toBe(traceId);

    const forged = await createUser(services.stack, { 'x-request-id': 'x\tinjected "quotes"' });
    expect(forged.status).toBe(201);
    const replaced = forged.headers.get('x-request-id')!;
    expect(replaced).toMatch(/^[0-9a-f]{32}$/); // the gateway's own trace id
    await eventually(() => logLines(services.iam).some((l) => l.correlationId === replaced));
  });

  it('ignores a malformed traceparent in job data (Redis is input): applied in a new trace, never passed on', async () => {
    const { stack, queuePrefix, redisUrl } = services;
    const queue = new Queue(QueueName.ProvisioningCommands, {
      connection: redisConnection(redisUrl),
      prefix: queuePrefix,
    });
    const queueEvents = new QueueEvents(QueueName.ProvisioningCommands, {
      connection: redisConnection(redisUrl),
      prefix: queuePrefix,
    });
    try {
      const commandId = randomUUID();
      const userName = `forged-${randomUUID()}@contoso.example`;
      const job = await queue.add(
        ProvisioningCommandName.CreateUser,
        {
          name: ProvisioningCommandName.CreateUser,
          commandId,
          tenantId: stack.tenantId,
          provider: stack.provider,
          scimTokenId: stack.scimTokenId,
          document: { schemas: [USER], userName },
          traceparent: '00-not-a-trace-context-01',
          tracestate: 'x=1',
          correlationId: 'bad id with spaces',
        },
        { jobId: commandId },
      );
      const outcome = await job.waitUntilFinished(queueEvents, 15_000);
      expect(outcome).toMatchObject({ ok: true, subject: { id: expect.any(String) } });

      await eventually(() =>
        otlp
          .spans()
          .some(
            (s) =>
              s.name === 'provisioning-commands process' &&
              s.attributes['messaging.message.id'] === commandId,
          ),
      );
      const span = otlp
        .spans()
        .find(
          (s) =>
            s.name === 'provisioning-commands process' && s.attributes['messaging.message.id'] === commandId,
        )!;
      expect(span.parentSpanId).toBeUndefined(); // a new trace, not the forged one
      const logged = logLines(services.iam).find((l) => l.commandId === commandId)!;
      expect(logged.outcome).toBe('applied');
      expect(logged.correlationId).toBeUndefined();

      // The event it caused carries the new trace, not the malformed value.
      await eventually(async () =>
        (await streamEvents(redisUrl, queuePrefix)).some((e) => e.subjectId === outcome.subject.id),
      );
      const event = (await streamEvents(redisUrl, queuePrefix)).find(
        (e) => e.subjectId === outcome.subject.id,
      )!;
      expect(traceIdOf(event.traceparent)).toBe(span.traceId);
    } finally {
      await queueEvents.close();
      await queue.close();
    }
    // IAM is still up and applying SCIM writes.
    expect((await createUser(stack)).status).toBe(201);
  });

  it('delivers a webhook job whose event names a malformed traceparent without it, in a new trace', async () => {
    const { stack, queuePrefix, redisUrl } = services;
    const subscriptions = await http(stack.iam.url, 'GET', '/v1/webhooks', {
      token: stack.platformToken,
      tenantId: stack.tenantId,
    });
    const queue = new Queue(WEBHOOK_DELIVERIES_QUEUE, {
      connection: redisConnection(redisUrl),
      prefix: queuePrefix,
    });
    try {
      const eventId = randomUUID();
      await queue.add('subject.created', {
        subscriptionId: subscriptions.body[0].id,
        tenantId: stack.tenantId,
        event: {
          id: eventId,
          type: 'subject.created',
          tenantId: stack.tenantId,
          subjectId: randomUUID(),
          traceparent: '00-forged-trace-context',
        },
      });
      await eventually(() => hooks.requests.some((r) => JSON.parse(r.body).id === eventId));
      const delivery = hooks.requests.find((r) => JSON.parse(r.body).id === eventId)!;
      expect(JSON.parse(delivery.body)).not.toHaveProperty('traceparent');
      expect(traceIdOf(delivery.headers.traceparent)).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await queue.close();
    }
  });
});

describe.each([
  ['no OTEL_* variable: the default', {}],
  [
    'OTEL_SDK_DISABLED=true beside an exporter and endpoint',
    { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' },
  ],
])('with tracing off (%s)', (_, off: Record<string, string>) => {
  let otlp: OtlpReceiver;
  let services: Awaited<ReturnType<typeof startServices>>;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    // Where spans would go, were any exported (an endpoint alone turns tracing on, so not by default).
    const endpoint: Record<string, string> =
      Object.keys(off).length > 0 ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url } : {};
    // A short export interval, so that spans made by mistake would arrive within the test.
    services = await startServices({
      ...endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...off,
    });
  }, 120_000);

  afterAll(async () => {
    await services?.stop();
    await otlp?.close();
  });

  it('exports nothing, carries no trace context, and still correlates the log lines of a SCIM write', async () => {
    const requestId = `req-${randomUUID()}`;
    const created = await createUser(services.stack, {
      traceparent: `00-${hex(16)}-${hex(8)}-01`,
      'x-request-id': requestId,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe(requestId);
    expect((await services.stack.scim('GET', `/Users/${created.body.id}`)).status).toBe(200);

    await eventually(() =>
      logLines(services.iam).some(
        (l) => l.correlationId === requestId && l.msg === 'provisioning command done',
      ),
    );
    expect(logLines(services.gateway).some((l) => l.correlationId === requestId)).toBe(true);
    expect(logLines(services.iam).some((l) => 'traceId' in l)).toBe(false);

    await eventually(async () =>
      (await streamEvents(services.redisUrl, services.queuePrefix)).some(
        (e) => e.subjectId === created.body.id,
      ),
    );
    const [event] = (await streamEvents(services.redisUrl, services.queuePrefix)).filter(
      (e) => e.subjectId === created.body.id,
    );
    expect(event).not.toHaveProperty('traceparent');

    await new Promise((r) => setTimeout(r, 1000)); // ten export intervals
    expect(otlp.requests).toEqual([]);
  });
});
