import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Browser, type EntraUser } from './fake-entra';

/**
 * The certified OpenID Provider (`oidc-provider`, see certified-op.server.mjs) as a child process on
 * loopback, shaped like Entra ID v2.0. Interoperability bugs (such as ignoring RFC 9207's `iss`
 * authorization-response parameter) show against it, where the hand-written FakeEntra, which
 * misbehaves on demand, does not.
 */
export class CertifiedOp {
  issuer = '';
  private base = '';
  private child?: ChildProcess;

  constructor(private readonly client: { clientId: string; clientSecret: string; redirectUris: string[] }) {}

  /** Entra's tenant id: the GUID in the issuer's path. */
  get tenantId(): string {
    return new URL(this.issuer).pathname.split('/')[1]!;
  }

  async start(): Promise<this> {
    const child = spawn(process.execPath, [path.join(__dirname, 'certified-op.server.mjs')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        OP_CLIENT_ID: this.client.clientId,
        OP_CLIENT_SECRET: this.client.clientSecret,
        OP_REDIRECT_URIS: JSON.stringify(this.client.redirectUris),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const errors: string[] = [];
    child.stderr!.on('data', (d: Buffer) => errors.push(d.toString()));
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error(`the certified OP exited at start:\n${errors.join('')}`)));
    });
    ({ issuer: this.issuer, base: this.base } = JSON.parse(first) as { issuer: string; base: string });
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** The person the next login signs in. */
  async signInAs(user: EntraUser): Promise<void> {
    const res = await fetch(`${this.base}/__test/user`, { method: 'PUT', body: JSON.stringify(user) });
    if (res.status !== 204) throw new Error(`the certified OP refused the user: ${res.status}`);
  }

  /**
   * A browser at the provider: follows its redirects (login, consent, resume) with its cookies and
   * returns where the provider finally sends the browser, the client's redirect URI with code,
   * state and iss. A fresh cookie jar each time, so every call is a new login.
   */
  async authorize(url: URL): Promise<URL> {
    const browser = new Browser();
    let next = url;
    for (let hops = 0; hops < 10; hops++) {
      if (next.origin !== this.base) return next;
      const res = await browser.fetch(next);
      const location = res.headers.get('location');
      if (!location) throw new Error(`the certified OP answered ${res.status}: ${await res.text()}`);
      next = new URL(location, next);
    }
    throw new Error('the certified OP redirected too often');
  }
}
