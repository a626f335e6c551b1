import type { OutboxEvent } from '../events/subject-events.repository';
import type { LoginMethod } from '../password-login/subject-credentials.repository';
import type { SubjectSource } from '../subjects/subjects.repository';

/**
 * What a command handler is told about who asked, and what it tells back beyond its result. SCIM,
 * the operator API and just-in-time sign-in all go through the same handlers (and so the same
 * tenant policy); the source decides the events' `source` and who manages the subject afterwards.
 */
export interface CommandContext {
  source: SubjectSource;
  /** Names (never values) of the attributes the command changed, for the provisioning audit log. */
  changedAttributes: string[];
  /** Policy decisions that did not refuse the command but an operator should see (an unknown folder ignored). */
  decisions: string[];
  /** An operator's login method chosen at create: the subject.created event's state carries it. */
  loginMethod?: LoginMethod;
  /**
   * Where the command's events are held when its transaction writes them together with other
   * commands' (group commit); absent: each is written at once.
   */
  events?: OutboxEvent[];
}

export const commandContext = (source: SubjectSource): CommandContext => ({
  source,
  changedAttributes: [],
  decisions: [],
});
