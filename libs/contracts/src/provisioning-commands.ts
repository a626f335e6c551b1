/**
 * Provisioning commands: what the SCIM gateway asks the IAM service to do. Each is one BullMQ job
 * on QueueName.ProvisioningCommands whose job id is `commandId`, so a retried or re-delivered
 * command is recognised and answered with its recorded outcome instead of being applied twice.
 * Payloads carry ids and SCIM documents, never secrets.
 */
import type { PropagationFields } from './trace-context';

export enum ProvisioningCommandName {
  CreateUser = 'create-user',
  ReplaceUser = 'replace-user',
  PatchUser = 'patch-user',
  DeleteUser = 'delete-user',
  CreateGroup = 'create-group',
  ReplaceGroup = 'replace-group',
  PatchGroup = 'patch-group',
  DeleteGroup = 'delete-group',
}

/** Trace context and correlation id of the SCIM request that sent the command (optional, see trace-context). */
interface CommandBase extends PropagationFields {
  commandId: string;
  tenantId: string;
  /** Scheme of the identity provider whose SCIM token sent the request. */
  provider: string;
  scimTokenId: string;
  /**
   * When the gateway stops waiting and answers 503 (ms since the epoch). IAM does not start a
   * command after it: the client retries with a new command, and this one applied late could
   * overwrite a change the client made since. Absent: no deadline (commands of older gateways).
   */
  expiresAt?: number;
}

export interface CreateUserCommand extends CommandBase {
  name: ProvisioningCommandName.CreateUser;
  /** The normalised User document (libs/scim `normalizeUserDocument`). */
  document: Record<string, unknown>;
}

export interface ReplaceUserCommand extends CommandBase {
  name: ProvisioningCommandName.ReplaceUser;
  subjectId: string;
  document: Record<string, unknown>;
  /** The version from If-Match, when the client sent one. */
  ifMatchVersion?: number;
}

export interface PatchUserCommand extends CommandBase {
  name: ProvisioningCommandName.PatchUser;
  subjectId: string;
  /** Normalised operations (libs/scim `normalizePatchRequest`). */
  operations: Array<{ op: 'add' | 'replace' | 'remove'; path?: string; value?: unknown }>;
  ifMatchVersion?: number;
}

export interface DeleteUserCommand extends CommandBase {
  name: ProvisioningCommandName.DeleteUser;
  subjectId: string;
  ifMatchVersion?: number;
}

/**
 * A command as IAM's own callers (operator API, just-in-time sign-in) hand it to the command
 * handlers: not queued, so without a command id, and without the SCIM token and provider that
 * send the queue's commands. Every queued command is one as well; queue payloads stay as checked.
 */
export type DirectCommand<C extends ProvisioningCommand> = Omit<C, 'commandId' | 'provider' | 'scimTokenId'> &
  Partial<Pick<C, 'commandId' | 'provider' | 'scimTokenId'>>;

export interface CreateGroupCommand extends CommandBase {
  name: ProvisioningCommandName.CreateGroup;
  /** The normalised Group document, without members. */
  document: Record<string, unknown>;
  /** Subject ids of the initial members. */
  members: string[];
}

export interface ReplaceGroupCommand extends CommandBase {
  name: ProvisioningCommandName.ReplaceGroup;
  groupId: string;
  document: Record<string, unknown>;
  /** The whole member list; undefined leaves the members as they are. */
  members?: string[];
  ifMatchVersion?: number;
}

export interface PatchGroupCommand extends CommandBase {
  name: ProvisioningCommandName.PatchGroup;
  groupId: string;
  operations: Array<{ op: 'add' | 'replace' | 'remove'; path?: string; value?: unknown }>;
  ifMatchVersion?: number;
}

export interface DeleteGroupCommand extends CommandBase {
  name: ProvisioningCommandName.DeleteGroup;
  groupId: string;
  ifMatchVersion?: number;
}

export type ProvisioningCommand =
  | CreateUserCommand
  | ReplaceUserCommand
  | PatchUserCommand
  | DeleteUserCommand
  | CreateGroupCommand
  | ReplaceGroupCommand
  | PatchGroupCommand
  | DeleteGroupCommand;

export type ProvisioningCommandOf<N extends ProvisioningCommandName> = Extract<
  ProvisioningCommand,
  { name: N }
>;

/** A subject or group as the command left it (a group without its members): enough to render it. */
export interface ResourceSnapshot {
  id: string;
  document: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
  /**
   * The resource's related values (a User's groups) as the command's transaction left them, when
   * the command read them: the gateway then answers without reading the resource again.
   */
  related?: Array<{ value: string; display: string }>;
}

/** Why a command was refused: maps one-to-one onto a SCIM error. */
export interface ProvisioningFailure {
  /**
   * 500: a poison command set aside as a dead letter (the detail carries its correlation id); 503:
   * reached after its `expiresAt`, not applied.
   */
  status: 400 | 404 | 409 | 412 | 500 | 503;
  scimType?: 'uniqueness' | 'invalidValue' | 'mutability' | 'invalidPath' | 'noTarget' | 'invalidSyntax';
  detail: string;
}

export type ProvisioningOutcome =
  { ok: true; subject: ResourceSnapshot | null } | { ok: false; failure: ProvisioningFailure };
