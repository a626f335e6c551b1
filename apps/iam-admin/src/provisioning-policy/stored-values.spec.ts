import { USER_SCHEMA } from '@app/scim';
import { withoutStaleValues } from './stored-values';

describe('withoutStaleValues', () => {
  const stored = (extra: Record<string, unknown>) => ({ schemas: [USER_SCHEMA], userName: 'ada', ...extra });

  it('drops roles and a userType the policy cannot accept, recording each drop', () => {
    const decisions: string[] = [];
    const out = withoutStaleValues(
      stored({ roles: [{ value: 'Owner' }, { value: 'admin', primary: true }, 'User'], userType: 'Gold' }),
      decisions,
    );
    expect(out).toEqual(stored({ roles: [{ value: 'admin', primary: true }, 'User'] }));
    expect(decisions).toEqual([
      'stored roles[0] dropped: not an allowed role',
      'stored userType dropped: neither Premium nor Standard',
    ]);
  });

  it('keeps what the policy accepts in another spelling (made canonical by the normalisation after it)', () => {
    const decisions: string[] = [];
    const document = stored({ roles: [{ value: 'readonly' }], userType: 'premium' });
    expect(withoutStaleValues(document, decisions)).toEqual(document);
    expect(decisions).toEqual([]);
  });

  it('removes roles altogether when none is left, and leaves the stored document untouched', () => {
    const document: Record<string, unknown> = stored({ roles: { value: 'Owner' } });
    const out = withoutStaleValues(document, []);
    expect(out).not.toHaveProperty('roles');
    expect(document.roles).toEqual({ value: 'Owner' });
  });
});
