import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { parse } from 'yaml';
import { IamAdminConfig } from '../apps/iam-admin/src/config/iam-admin.config';
import { ScimGatewayConfig } from '../apps/scim-gateway/src/config/scim-gateway.config';
import { http, RunningApp, startIamAdmin, startScimGateway } from './support';

/**
 * No image can be built here (no container registry is reachable), so the container files are
 * kept correct by checking them against the code: compose, Dockerfiles, Prometheus, Grafana.
 */
const root = join(__dirname, '..');
const docker = (path: string) => join(root, 'docker', path);
const compose = parse(readFileSync(docker('compose.yaml'), 'utf8'));

/** Every setting a config class validates (its own and ServiceConfig's). */
function settingsOf(configClass: new () => object): Set<string> {
  return new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(configClass, '', true, false)
      .map((m) => m.propertyName),
  );
}

const apps = [
  { service: 'iam-admin', settings: settingsOf(IamAdminConfig), port: new IamAdminConfig().IAM_PORT },
  {
    service: 'scim-gateway',
    settings: settingsOf(ScimGatewayConfig),
    port: new ScimGatewayConfig().SCIM_PORT,
  },
];

describe('container files (docker/)', () => {
  it('builds each service from a Dockerfile that exists, in a context that exists', () => {
    for (const [name, service] of Object.entries<any>(compose.services)) {
      if (!service.build) {
        expect(service.image).toEqual(expect.any(String));
        continue;
      }
      const context = join(root, 'docker', service.build.context);
      expect({ name, context: existsSync(context) }).toEqual({ name, context: true });
      expect({ name, dockerfile: existsSync(join(context, service.build.dockerfile)) }).toEqual({
        name,
        dockerfile: true,
      });
    }
  });

  it.each(apps)('$service gets only settings its config class knows, and its default port', (app) => {
    const service = compose.services[app.service];
    const unknown = Object.keys(service.environment).filter((name) => !app.settings.has(name));
    expect(unknown).toEqual([]);
    expect(service.ports).toEqual([`${app.port}:${app.port}`]);
    expect(JSON.stringify(service.healthcheck.test)).toContain(`127.0.0.1:${app.port}/health/ready`);
    const dockerfile = readFileSync(docker(`Dockerfile.${app.service}`), 'utf8');
    expect(dockerfile).toContain(`EXPOSE ${app.port}`);
  });

  it('has a healthcheck on every service', () => {
    for (const [name, service] of Object.entries<any>(compose.services)) {
      expect({ name, test: Array.isArray(service.healthcheck?.test) }).toEqual({ name, test: true });
    }
  });

  it.each(apps)('Dockerfile.$service: multi-stage, runtime without dev dependencies, not root', (app) => {
    const dockerfile = readFileSync(docker(`Dockerfile.${app.service}`), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/^RUN npm ci --omit=dev/m);
    expect(runtime).toMatch(/^USER node$/m);
    // The whole build output, the console's static files (dist/console) included.
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).toContain(`dist/apps/${app.service}/src/main.js`);
    expect(existsSync(join(root, 'dist/console/index.html'))).toBe(true);
    // What the runtime stage starts with must be a runtime dependency.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies['tsconfig-paths']).toBeDefined();
  });

  it('the observability profile: Prometheus scrapes both services /metrics with the token file', () => {
    const { prometheus, grafana } = compose.services;
    expect(prometheus.profiles).toEqual(['observability']);
    expect(grafana.profiles).toEqual(['observability']);
    expect(compose.secrets.metrics_token.environment).toBe('METRICS_TOKEN');
    const config = parse(readFileSync(docker('prometheus/prometheus.yml'), 'utf8'));
    const mount = prometheus.volumes.find((v: string) => v.endsWith(':/etc/prometheus/prometheus.yml:ro'));
    expect(mount).toBe('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    for (const app of apps) {
      const job = config.scrape_configs.find((j: any) => j.job_name === app.service);
      expect(job.metrics_path).toBe('/metrics');
      expect(job.static_configs[0].targets).toEqual([`${app.service}:${app.port}`]);
      expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/metrics_token' });
      expect(compose.services[app.service].environment.METRICS_TOKEN).toBe('${METRICS_TOKEN:-}');
    }
    for (const path of ['provisioning/datasources/prometheus.yml', 'provisioning/dashboards/iam.yml']) {
      expect(existsSync(docker(`grafana/${path}`))).toBe(true);
    }
  });

  describe('the Grafana dashboard uses only metrics the services expose', () => {
    const token = 'containers-test-metrics-token';
    let iam: RunningApp;
    let gateway: RunningApp;
    beforeAll(async () => {
      iam = await startIamAdmin({ METRICS_TOKEN: token });
      gateway = await startScimGateway({ QUEUE_PREFIX: iam.env.QUEUE_PREFIX, METRICS_TOKEN: token });
    });
    afterAll(async () => {
      await gateway?.close();
      await iam?.close();
    });

    it('every metric name in every panel expression is one of theirs', async () => {
      const exposed = new Set<string>();
      for (const app of [iam, gateway]) {
        const text = (await http(app.url, 'GET', '/metrics', { token })).text;
        for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
          exposed.add(name);
          if (type === 'histogram')
            for (const suffix of ['_bucket', '_count', '_sum']) exposed.add(name + suffix);
        }
      }
      const dashboard = JSON.parse(readFileSync(docker('grafana/dashboards/iam.json'), 'utf8'));
      const used = new Set<string>();
      for (const panel of dashboard.panels) {
        for (const target of panel.targets) for (const name of metricNames(target.expr)) used.add(name);
      }
      expect(used.size).toBeGreaterThanOrEqual(15);
      expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
    });
  });
});

const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'rate',
  'increase',
  'histogram_quantile',
  'by',
  'without',
]);

/** Metric names in a PromQL expression: identifiers outside label matchers, groupings and strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return (bare.match(/[a-zA-Z_:][\w:]*/g) ?? []).filter((word) => !PROMQL_WORDS.has(word));
}
