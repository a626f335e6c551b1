import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';

/**
 * An error no handler expected: logged in full under a fresh correlation id, which is all the
 * client learns (quoting it to an operator finds the log line). Returns the id and the message.
 */
export function reportUnexpectedError(
  logger: Logger,
  exception: unknown,
  where: string,
): { correlationId: string; message: string } {
  const correlationId = randomUUID();
  logger.error({ err: exception, correlationId }, `unhandled error in ${where}`);
  return { correlationId, message: `internal error; quote correlation id ${correlationId}` };
}
