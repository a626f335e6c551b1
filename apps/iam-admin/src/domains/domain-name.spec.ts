import { domainOfAddress, normalizeDomain } from './domain-name';

describe('domain names', () => {
  it.each([
    ['contoso.com', 'contoso.com'],
    ['  Contoso.COM ', 'contoso.com'],
    ['contoso.com.', 'contoso.com'],
    ['sub.contoso.co.uk', 'sub.contoso.co.uk'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['XN--BCHER-KVA.example', 'xn--bcher-kva.example'],
    ['a-b.c0ntoso.com', 'a-b.c0ntoso.com'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['.', 'empty'],
    ['*.contoso.com', 'wildcard'],
    ['10.0.0.1', 'IP address'],
    ['::1', 'IP address'],
    ['[2001:db8::1]', 'IP address'],
    ['localhost', 'two labels'],
    ['com', 'two labels'],
    ['contoso..com', 'labels'],
    ['-contoso.com', 'labels'],
    ['contoso-.com', 'labels'],
    ['under_score.com', 'labels'],
    [`${'a'.repeat(64)}.com`, 'labels'],
    [`${'a.'.repeat(127)}com`, 'labels'],
    ['contoso.123', 'host name'],
    ['user@contoso.com', 'host name'],
    ['contoso.com/path', 'host name'],
    ['contoso .com', 'host name'],
    ['contoso.com:443', 'host name'],
  ])('refuses %j (%s)', (input, reason) => {
    expect(() => normalizeDomain(input)).toThrow(reason);
  });

  it('takes the domain of an address, normalised, and nothing from a value without one', () => {
    expect(domainOfAddress('Bjensen@Contoso.COM')).toBe('contoso.com');
    expect(domainOfAddress('odd@name@bücher.example')).toBe('xn--bcher-kva.example');
    expect(domainOfAddress('bjensen')).toBeUndefined();
    expect(domainOfAddress('@contoso.com')).toBeUndefined();
    expect(domainOfAddress('bjensen@')).toBeUndefined();
    expect(domainOfAddress('bjensen@localhost')).toBeUndefined();
  });
});
