// Two-step verification's pure parts: the setup key a person types, the QR image, the codes file,
// and when a sign-in's code step sends back to the password.
import { describe, expect, it } from 'vitest';
import {
  groupedKey,
  qrImageSource,
  recoveryCodesText,
  SECOND_STEP_LIFETIME_MS,
  secondStepEnd,
  setupKeyOf,
} from './two-step.js';

const URI =
  'otpauth://totp/Keel:ada%40example.com?issuer=Keel&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30';

describe('setupKeyOf', () => {
  it('reads the secret of the otpauth URI the server answers', () => {
    expect(setupKeyOf(URI)).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  });

  it('has no key for a URI without a secret, or no URI at all', () => {
    expect(setupKeyOf('otpauth://totp/Keel:ada?issuer=Keel')).toBeUndefined();
    expect(setupKeyOf('otpauth://totp/Keel:ada?secret=')).toBeUndefined();
    expect(setupKeyOf('not a uri')).toBeUndefined();
  });
});

describe('groupedKey', () => {
  it('groups the key by four, the last group shorter when it must be', () => {
    expect(groupedKey('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupedKey('ABCDEF')).toBe('ABCD EF');
    expect(groupedKey('')).toBe('');
  });
});

describe('qrImageSource', () => {
  it('is a data: image of the SVG, escaped so that no quote or tag ends the attribute', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1H0z"/></svg>';
    const source = qrImageSource(svg);
    expect(source.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(source).not.toMatch(/[<>"]/);
    expect(decodeURIComponent(source.slice(source.indexOf(',') + 1))).toBe(svg);
  });
});

describe('recoveryCodesText', () => {
  it('names the account and the day, then one code a line', () => {
    const text = recoveryCodesText(['abcde-fghij', 'klmno-pqrst'], 'ada@example.com', new Date('2026-12-02T10:00:00Z'));
    expect(text.split('\n')).toEqual([
      'Keel recovery codes for ada@example.com',
      'Made on 2026-12-02. Each code signs in once, in place of a code from your authenticator app.',
      '',
      'abcde-fghij',
      'klmno-pqrst',
      '',
    ]);
  });
});

describe('secondStepEnd', () => {
  const startedAt = Date.parse('2026-12-02T10:00:00Z');

  it('goes on after a wrong code while the sign-in is young and has wrong codes to spare', () => {
    expect(secondStepEnd({ startedAt, wrongCodes: 1 }, startedAt + 10_000)).toBeUndefined();
    expect(secondStepEnd({ startedAt, wrongCodes: 4 }, startedAt + SECOND_STEP_LIFETIME_MS - 1)).toBeUndefined();
  });

  it('sends back to the password once the sign-in expired', () => {
    expect(secondStepEnd({ startedAt, wrongCodes: 1 }, startedAt + SECOND_STEP_LIFETIME_MS)).toBe('expired');
    expect(secondStepEnd({ startedAt, wrongCodes: 5 }, startedAt + SECOND_STEP_LIFETIME_MS)).toBe('expired');
  });

  it('sends back to the password after the fifth wrong code, which voids the sign-in', () => {
    expect(secondStepEnd({ startedAt, wrongCodes: 5 }, startedAt + 1_000)).toBe('too-many-wrong-codes');
  });
});
