import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** The repository root, from source (test/support) or from dist/test/support alike. */
export const ROOT = ((dir: string): string => {
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})(__dirname);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ChildService {
  url: string;
  process: ChildProcess;
  output: string[];
  /** SIGKILL: no graceful shutdown, exactly like a crash. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

const PORT_VARIABLE = { 'iam-admin': 'IAM_PORT', 'scim-gateway': 'SCIM_PORT' } as const;

/**
 * A built service (dist/) as a real child process, so a test can kill it mid-work and a benchmark
 * measures what production runs. `npm test` and `npm run bench:*` build first.
 */
export async function spawnService(
  app: keyof typeof PORT_VARIABLE,
  env: Record<string, string>,
): Promise<ChildService> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'tsconfig-paths/register', `dist/apps/${app}/src/main.js`], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      ...env,
      TS_NODE_BASEURL: 'dist',
      [PORT_VARIABLE[app]]: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} exited at start:\n${output.join('')}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) throw new Error(`${app} did not become ready:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    output,
    crash: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const spawnIamAdmin = (env: Record<string, string>) => spawnService('iam-admin', env);
