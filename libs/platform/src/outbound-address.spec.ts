import { createServer, Server } from 'node:http';
import { OutboundAddressPolicy, OutboundAddressRefused, postOutbound, Resolver } from './outbound-address';

const strict = new OutboundAddressPolicy({ NODE_ENV: 'development', OUTBOUND_ALLOW_LOOPBACK: false });
const loopbackAllowed = new OutboundAddressPolicy({ NODE_ENV: 'test', OUTBOUND_ALLOW_LOOPBACK: true });

describe('OutboundAddressPolicy', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '::ffff:0:127.0.0.1',
    '::ffff:0:a00:1',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    'ff02::1',
  ])('refuses %s', (address) => {
    expect(strict.addressRefusal(address)).toEqual(expect.stringContaining(address));
  });

  it.each(['8.8.8.8', '20.190.128.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(strict.addressRefusal(address)).toBeUndefined();
  });

  it('allows loopback only with the setting, never metadata or private addresses, never in production', () => {
    expect(loopbackAllowed.addressRefusal('127.0.0.1')).toBeUndefined();
    expect(loopbackAllowed.addressRefusal('::1')).toBeUndefined();
    expect(loopbackAllowed.addressRefusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(loopbackAllowed.addressRefusal('169.254.169.254')).toContain('link-local');
    expect(loopbackAllowed.addressRefusal('10.0.0.1')).toContain('private');
    const production = new OutboundAddressPolicy({ NODE_ENV: 'production', OUTBOUND_ALLOW_LOOPBACK: true });
    expect(production.addressRefusal('127.0.0.1')).toContain('loopback');
  });

  it('allows the private networks an operator names, and only those', () => {
    const internal = new OutboundAddressPolicy({
      NODE_ENV: 'production',
      OUTBOUND_ALLOW_LOOPBACK: false,
      OUTBOUND_ALLOWED_NETWORKS: '10.20.0.0/16, fd12:3456::/32',
    });
    expect(internal.addressRefusal('10.20.1.1')).toBeUndefined();
    expect(internal.addressRefusal('fd12:3456::9')).toBeUndefined();
    expect(internal.addressRefusal('10.21.0.1')).toContain('private');
    expect(internal.addressRefusal('169.254.169.254')).toContain('link-local');
    // Listing everything does not open metadata services, nor loopback in production.
    const everything = new OutboundAddressPolicy({
      NODE_ENV: 'production',
      OUTBOUND_ALLOW_LOOPBACK: false,
      OUTBOUND_ALLOWED_NETWORKS: '0.0.0.0/0,::/0',
    });
    expect(everything.addressRefusal('10.0.0.1')).toBeUndefined();
    expect(everything.addressRefusal('169.254.169.254')).toContain('metadata');
    expect(everything.addressRefusal('fd00:ec2::254')).toContain('metadata');
    expect(everything.addressRefusal('127.0.0.1')).toContain('loopback');
  });

  it.each([
    ['https://127.0.0.1/hook', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://[::1]:8080/', 'loopback'],
    ['https://[::ffff:127.0.0.1]/', 'loopback'],
    ['https://[::ffff:a9fe:a9fe]/', 'link-local'],
    ['https://2130706433/', 'loopback'], // 127.0.0.1 in decimal
    ['https://0x7f.1/', 'loopback'], // 127.0.0.1 in hex shorthand
    ['https://017700000001/', 'loopback'], // 127.0.0.1 in octal
    ['https://2852039166/', 'link-local'], // 169.254.169.254 in decimal
    ['https://localhost:3000/', 'loopback'],
    ['https://metadata.localhost/', 'loopback'],
    ['https://10.0.0.8/', 'private'],
    ['http://hooks.example.com/x', 'https'],
    ['https://user:secret@hooks.example.com/x', 'credentials'],
    ['ftp://hooks.example.com/x', 'https'],
  ])('refuses to save %s', (url, why) => {
    expect(strict.urlRefusal(url)).toContain(why);
  });

  it('accepts public https URLs, and http to loopback when loopback is allowed', () => {
    expect(strict.urlRefusal('https://login.microsoftonline.com/contoso/v2.0')).toBeUndefined();
    expect(strict.urlRefusal('https://8.8.8.8/hook')).toBeUndefined();
    expect(loopbackAllowed.urlRefusal('http://127.0.0.1:4000/hook')).toBeUndefined();
    expect(loopbackAllowed.urlRefusal('http://localhost:4000/hook')).toBeUndefined();
    expect(loopbackAllowed.urlRefusal('http://8.8.8.8/hook')).toContain('https');
  });
});

describe('outbound connections under the policy', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/redirect' ? 302 : 204;
      if (req.url === '/redirect') res.setHeader('location', 'http://169.254.169.254/');
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A resolver that answers the given addresses for every name, as a rebinding DNS server would. */
  const resolvingTo =
    (...addresses: string[]): Resolver =>
    (_host, _options, callback) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
  const post = (policy: OutboundAddressPolicy, url: string) =>
    postOutbound(policy, url, { headers: {}, body: '{}', timeoutMs: 2000 });

  it('refuses a literal loopback address at connect time', async () => {
    await expect(post(strict, `http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(OutboundAddressRefused);
  });

  it('refuses a name that resolves to loopback (DNS rebinding), and one with any private address', async () => {
    const rebinding = new OutboundAddressPolicy(
      { NODE_ENV: 'development', OUTBOUND_ALLOW_LOOPBACK: false },
      resolvingTo('127.0.0.1'),
    );
    await expect(post(rebinding, `http://hooks.example.com:${port}/`)).rejects.toThrow(
      /hooks\.example\.com: 127\.0\.0\.1 is a loopback address/,
    );
    const mixed = new OutboundAddressPolicy(
      { NODE_ENV: 'development', OUTBOUND_ALLOW_LOOPBACK: false },
      resolvingTo('8.8.8.8', '10.0.0.1'),
    );
    await expect(post(mixed, `https://hooks.example.com:${port}/`)).rejects.toBeInstanceOf(
      OutboundAddressRefused,
    );
  });

  it('connects when the policy allows the resolved address, and does not follow redirects', async () => {
    const allowed = new OutboundAddressPolicy(
      { NODE_ENV: 'test', OUTBOUND_ALLOW_LOOPBACK: true },
      resolvingTo('127.0.0.1'),
    );
    await expect(post(allowed, `http://receiver.test:${port}/`)).resolves.toBe(204);
    await expect(post(allowed, `http://127.0.0.1:${port}/redirect`)).resolves.toBe(302);
  });
});
