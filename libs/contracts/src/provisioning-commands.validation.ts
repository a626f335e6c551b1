import {
  ProvisioningCommand,
  ProvisioningCommandName,
  ProvisioningFailure,
  ProvisioningOutcome,
} from './provisioning-commands';
import { isPlainObject, isUuid, PayloadProblems } from './payload-checks';
import { withoutMalformedPropagation } from './trace-context';

/**
 * What the IAM worker makes of a job taken from the provisioning queue. Redis is input like any
 * other: whoever can write to it can enqueue anything, so a command is checked before it is applied.
 * - `command`: well-formed, apply it.
 * - `refusal`: it names a command id, so a producer waits for it: answer it with this SCIM 400.
 * - `unanswerable`: not even a command id to answer: fail the job, never retry it.
 *
 * Ids IAM and the gateway make (command, tenant, SCIM token) must be UUIDs. Resource and member ids
 * come from the SCIM client's URL and body: they need only be strings here, and the command handler
 * answers them in SCIM's words (404 for an unknown resource, invalidValue naming an unknown member).
 */
export type ProvisioningJobCheck =
  | { kind: 'command'; command: ProvisioningCommand }
  | { kind: 'refusal'; commandId: string; outcome: ProvisioningOutcome & { ok: false } }
  | { kind: 'unanswerable'; problem: string };

const COMMAND_NAMES = new Set<string>(Object.values(ProvisioningCommandName));
const USER_TARGET = new Set<string>([
  ProvisioningCommandName.ReplaceUser,
  ProvisioningCommandName.PatchUser,
  ProvisioningCommandName.DeleteUser,
]);
const GROUP_TARGET = new Set<string>([
  ProvisioningCommandName.ReplaceGroup,
  ProvisioningCommandName.PatchGroup,
  ProvisioningCommandName.DeleteGroup,
]);
const WITH_DOCUMENT = new Set<string>([
  ProvisioningCommandName.CreateUser,
  ProvisioningCommandName.ReplaceUser,
  ProvisioningCommandName.CreateGroup,
  ProvisioningCommandName.ReplaceGroup,
]);
const WITH_OPERATIONS = new Set<string>([
  ProvisioningCommandName.PatchUser,
  ProvisioningCommandName.PatchGroup,
]);
const PATCH_OPS = new Set(['add', 'replace', 'remove']);
/** Longer than any id or scheme a real client sends; keeps a hostile job from carrying megabytes in one. */
const MAX_ID_LENGTH = 256;

export function checkProvisioningJob(data: unknown): ProvisioningJobCheck {
  if (!isPlainObject(data)) return { kind: 'unanswerable', problem: 'the job data is not an object' };
  if (!isUuid(data.commandId)) return { kind: 'unanswerable', problem: 'commandId is not a UUID' };
  const problems = provisioningCommandProblems(data);
  if (problems.length === 0) {
    // A malformed traceparent or correlation id is dropped, never a refusal: tracing must not cost a write.
    return { kind: 'command', command: withoutMalformedPropagation(data) as unknown as ProvisioningCommand };
  }
  const failure: ProvisioningFailure = {
    status: 400,
    scimType: 'invalidSyntax',
    detail: `the provisioning command is malformed: ${problems.join('; ')}`,
  };
  return { kind: 'refusal', commandId: data.commandId, outcome: { ok: false, failure } };
}

/** Everything wrong with a provisioning command's shape (empty: nothing). */
export function provisioningCommandProblems(data: Record<string, unknown>): string[] {
  const p = new PayloadProblems(data);
  p.uuid('commandId');
  p.uuid('tenantId');
  p.uuid('scimTokenId');
  p.text('provider', MAX_ID_LENGTH);
  p.optionalVersion('expiresAt');
  const name = data.name;
  if (typeof name !== 'string' || !COMMAND_NAMES.has(name)) {
    p.add(`name must be one of ${[...COMMAND_NAMES].join(', ')}`);
    return p.list;
  }
  if (USER_TARGET.has(name)) p.text('subjectId', MAX_ID_LENGTH);
  if (GROUP_TARGET.has(name)) p.text('groupId', MAX_ID_LENGTH);
  if (WITH_DOCUMENT.has(name)) p.object('document');
  if (WITH_OPERATIONS.has(name)) p.operations('operations', PATCH_OPS);
  if (name === ProvisioningCommandName.CreateGroup) p.strings('members', MAX_ID_LENGTH);
  if (name === ProvisioningCommandName.ReplaceGroup && data.members !== undefined) {
    p.strings('members', MAX_ID_LENGTH);
  }
  if (name !== ProvisioningCommandName.CreateUser && name !== ProvisioningCommandName.CreateGroup) {
    p.optionalVersion('ifMatchVersion');
  }
  return p.list;
}
