import { validateEnvironment } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { parseDnsServers } from './dns-servers';

describe('IAM_DNS_SERVERS', () => {
  it('takes IPv4 and IPv6 resolvers, with or without a port', () => {
    expect(parseDnsServers('127.0.0.1:5353, 10.0.0.2,[::1]:53,[2001:db8::1],2001:db8::2')).toEqual([
      '127.0.0.1:5353',
      '10.0.0.2',
      '[::1]:53',
      '[2001:db8::1]',
      '2001:db8::2',
    ]);
  });

  it.each([
    '',
    ' , ',
    'dns.google',
    'dns.google:53',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '::1:53x',
    '[10.0.0.1]:53',
    '1.2.3',
  ])('refuses %j', (value) => {
    expect(parseDnsServers(value)).toBeUndefined();
  });

  it('is checked at start-up, naming the variable', () => {
    const env = {
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      IAM_SECRET_KEY: Buffer.alloc(32).toString('base64'),
    };
    expect(
      validateEnvironment(IamAdminConfig, { ...env, IAM_DNS_SERVERS: '[::1]:5353' }).IAM_DNS_SERVERS,
    ).toBe('[::1]:5353');
    expect(() => validateEnvironment(IamAdminConfig, { ...env, IAM_DNS_SERVERS: 'resolver.local' })).toThrow(
      'IAM_DNS_SERVERS must be comma-separated IP[:port]',
    );
  });
});
