// Two-step verification in the dashboard, free of React: the setup key read from the otpauth URI,
// the server's QR code as an image source, the recovery codes as a file, and when the code step
// of a sign-in is over (docs/two-step.md).

/**
 * The base32 secret of an `otpauth://totp/…?secret=…` URI, for an authenticator app that cannot
 * scan the QR code; undefined when the URI carries none.
 */
export function setupKeyOf(otpauthUri: string): string | undefined {
  try {
    return new URL(otpauthUri).searchParams.get('secret')?.toUpperCase() || undefined;
  } catch {
    return undefined;
  }
}

/** The setup key in groups of four, as apps show it and people type it ("ABCD EFGH …"). */
export function groupedKey(key: string): string {
  return key.match(/.{1,4}/g)?.join(' ') ?? '';
}

/**
 * The server's SVG QR code as an `<img>` source. An image never runs scripts, whatever the SVG
 * holds, and the page's Content-Security-Policy allows `data:` images (apps/server's img-src).
 */
export function qrImageSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** The recovery codes as the downloaded text file says them: whose, when, and one code a line. */
export function recoveryCodesText(codes: readonly string[], email: string, issuedAt: Date): string {
  return [
    `Keel recovery codes for ${email}`,
    `Made on ${issuedAt.toISOString().slice(0, 10)}. Each code signs in once, in place of a code from your authenticator app.`,
    '',
    ...codes,
    '',
  ].join('\n');
}

/** How long the code step of a sign-in lasts after the password (auth.login's mfaToken). */
export const SECOND_STEP_LIFETIME_MS = 5 * 60 * 1000;
/** Wrong codes one sign-in takes; after them its token is void, even for the right code. */
export const SECOND_STEP_MAX_WRONG_CODES = 5;

/** Why the code step of a sign-in is over: its token expired, or took as many wrong codes as it ever will. */
export type SecondStepEnd = 'expired' | 'too-many-wrong-codes';

/**
 * After a refused code, whether the sign-in has to start again with the password, and why;
 * undefined while it goes on. `wrongCodes` counts the refusal just received.
 */
export function secondStepEnd(step: { startedAt: number; wrongCodes: number }, now: number): SecondStepEnd | undefined {
  if (now - step.startedAt >= SECOND_STEP_LIFETIME_MS) return 'expired';
  if (step.wrongCodes >= SECOND_STEP_MAX_WRONG_CODES) return 'too-many-wrong-codes';
  return undefined;
}
