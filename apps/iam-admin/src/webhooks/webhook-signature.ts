import { createHmac } from 'node:crypto';

/**
 * `X-IAM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is signed
 * too, so a receiver can refuse replays older than a few minutes.
 */
export function webhookSignature(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}
