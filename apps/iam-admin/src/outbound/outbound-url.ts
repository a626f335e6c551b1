import { OutboundAddressPolicy } from '@app/platform';
import { FieldValidationException } from '../errors/validation';

/**
 * 400 naming the field when a URL an admin chose (webhook, provider authority) points where IAM
 * may not send requests. The same policy checks every connection again after DNS resolution.
 */
export function assertOutboundUrl(policy: OutboundAddressPolicy, field: string, url: string): void {
  const refusal = policy.urlRefusal(url);
  if (refusal) {
    throw new FieldValidationException([
      {
        field,
        message: `${refusal}; IAM sends no requests to loopback, private, link-local or metadata addresses`,
      },
    ]);
  }
}
