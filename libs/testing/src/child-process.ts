import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

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

/**
 * The built IAM admin service (dist/) as a real child process, so a test can kill it mid-work.
 * `npm test` builds before it runs Jest.
 */
export async function spawnIamAdmin(env: Record<string, string>): Promise<ChildService> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', 'tsconfig-paths/register', 'dist/apps/iam-admin/src/main.js'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        TS_NODE_BASEURL: 'dist',
        IAM_PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`iam-admin exited at start:\n${output.join('')}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) throw new Error(`iam-admin did not become ready:\n${output.join('')}`);
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
