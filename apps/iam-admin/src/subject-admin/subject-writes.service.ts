import { ConflictException, HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { instanceToPlain } from 'class-transformer';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { performance } from 'node:perf_hooks';
import { ProvisioningCommandName } from '@app/contracts';
import { FOLDERS_SCHEMA, METADATA_SCHEMA, USER_SCHEMA } from '@app/scim';
import { AuditOperation } from '../audit/provisioning-audit.repository';
import { ProvisioningAuditService } from '../audit/provisioning-audit.service';
import { AdminPrincipal } from '../auth/admin-principal';
import { SubjectEventsRelay } from '../events/subject-events.relay';
import { LoginMethodsService } from '../password-login/login-methods.service';
import { CommandContext, commandContext } from '../provisioning/command-context';
import { refusal } from '../provisioning/provisioning-commands.service';
import { UserCommandsHandler } from '../provisioning/user-commands.handler';
import { SubjectRow, SubjectsRepository } from '../subjects/subjects.repository';
import {
  InvitationResponseDto,
  SubjectCreateDto,
  SubjectCreateResponseDto,
  SubjectLoginResponseDto,
  SubjectUpdateDto,
} from './subject-writes.dto';
import { SubjectResponseDto } from '../subjects/subjects.dto';

/** The attributes Entra owns on a SCIM-managed subject (seed 003: they cannot change their account e-mail). */
export const SCIM_OWNED_ATTRIBUTES = [
  'userName',
  'emails',
  'name',
  'active',
  'externalId',
  'displayName',
] as const;

type PatchOperation = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/** An operator's write as the provisioning audit log records it; the work fills in the subject id of a create. */
interface AuditedWrite {
  tenantId: string;
  principal: AdminPrincipal;
  operation: AuditOperation;
  status: number;
  resourceId?: string;
  userName?: string;
}

/**
 * Operator writes on subjects (part 6 of issue 12): local subjects created, patched and
 * deprovisioned through the SCIM command handler, so the tenant's provisioning policy and the
 * subject events are the same as for Entra's writes. Entra owns the account attributes of a
 * SCIM-managed subject; an operator (iam:admin, the organisation owner) may still deprovision it.
 */
@Injectable()
export class SubjectWritesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserCommandsHandler,
    private readonly subjects: SubjectsRepository,
    private readonly loginMethods: LoginMethodsService,
    private readonly relay: SubjectEventsRelay,
    private readonly audit: ProvisioningAuditService,
  ) {}

  async create(
    tenantId: string,
    dto: SubjectCreateDto,
    principal: AdminPrincipal,
  ): Promise<SubjectCreateResponseDto> {
    const write: AuditedWrite = {
      tenantId,
      principal,
      operation: 'create',
      status: 201,
      userName: dto.userName,
    };
    return this.write(write, async (em, context) => {
      // The operator's choice goes into the subject.created event's state.
      context.loginMethod = dto.loginMethod;
      const { id } = await this.users.create(
        em,
        { name: ProvisioningCommandName.CreateUser, tenantId, document: userDocument(dto) },
        context,
      );
      write.resourceId = id;
      const subject = await this.live(em, tenantId, id);
      // Pinned: a provider the tenant adds later does not change how an existing user signs in.
      const method = dto.loginMethod ?? (await this.loginMethods.loginMethod(em, subject));
      await this.loginMethods.pin(em, subject, method);
      const invitation = method === 'built-in' ? await this.loginMethods.invite(em, subject) : undefined;
      return { ...SubjectResponseDto.map(subject, method), invitation };
    });
  }

  async patch(
    tenantId: string,
    id: string,
    dto: SubjectUpdateDto,
    principal: AdminPrincipal,
  ): Promise<SubjectResponseDto> {
    const write: AuditedWrite = {
      tenantId,
      principal,
      operation: 'patch',
      status: 200,
      resourceId: auditedId(id),
    };
    return this.write(write, async (em, context) => {
      let subject = await this.locked(em, tenantId, id);
      if (subject.managedBy === 'scim') refuseScimOwned(dto);
      const operations = patchOperations(dto);
      if (operations.length > 0) {
        await this.users.patch(
          em,
          { name: ProvisioningCommandName.PatchUser, tenantId, subjectId: id, operations },
          context,
        );
        subject = await this.live(em, tenantId, id);
      }
      if (dto.loginMethod && (await this.loginMethods.choose(em, subject, dto.loginMethod))) {
        context.changedAttributes.push('loginMethod');
      }
      return SubjectResponseDto.map(subject, await this.loginMethods.loginMethod(em, subject));
    });
  }

  /** Deprovisioning, allowed for SCIM-managed subjects too: the organisation owner may remove anyone. */
  async delete(tenantId: string, id: string, principal: AdminPrincipal): Promise<void> {
    const write: AuditedWrite = {
      tenantId,
      principal,
      operation: 'delete',
      status: 204,
      resourceId: auditedId(id),
    };
    await this.write(write, async (em, context) => {
      await this.users.delete(
        em,
        { name: ProvisioningCommandName.DeleteUser, tenantId, subjectId: id },
        context,
      );
    });
  }

  async login(tenantId: string, id: string): Promise<SubjectLoginResponseDto> {
    const subject = await this.live(this.dataSource.manager, tenantId, id);
    return this.loginMethods.view(this.dataSource, subject);
  }

  async invite(tenantId: string, id: string): Promise<InvitationResponseDto> {
    return this.dataSource.transaction(async (em) =>
      this.loginMethods.invite(em, await this.locked(em, tenantId, id)),
    );
  }

  /**
   * One transaction, audited like a SCIM command (a success in the same transaction, a refusal
   * after it); the handlers' SCIM refusals become admin errors with the same status and message.
   */
  private async write<T>(
    write: AuditedWrite,
    work: (em: EntityManager, context: CommandContext) => Promise<T>,
  ): Promise<T> {
    const startedAt = performance.now();
    const context = commandContext('admin');
    const entry = () => ({
      tenantId: write.tenantId,
      source: context.source,
      actor: write.principal.subject,
      operation: write.operation,
      resourceType: 'User' as const,
      resourceId: write.resourceId ?? null,
      userName: write.userName,
      changedAttributes: context.changedAttributes,
      decisions: context.decisions,
      durationMs: performance.now() - startedAt,
    });
    try {
      const result = await this.dataSource.transaction(async (em) => {
        const done = await work(em, context);
        await this.audit.record(em, { ...entry(), outcome: 'success', status: write.status });
        return done;
      });
      this.relay.kick(); // the change's events are committed: let them leave now
      return result;
    } catch (error) {
      const failure = adminError(error);
      if (!failure) throw error;
      const status = failure.getStatus();
      const body = failure.getResponse() as { message?: string; scimType?: string };
      await this.audit.record(this.dataSource, {
        ...entry(),
        changedAttributes: [],
        outcome: 'refused',
        status,
        scimType: body.scimType ?? null,
        message: body.message ?? null,
      });
      throw failure;
    }
  }

  private async locked(em: EntityManager, tenantId: string, id: string): Promise<SubjectRow> {
    return (await this.subjects.findForUpdate(em, tenantId, id)) ?? notFound(id);
  }

  private async live(em: EntityManager, tenantId: string, id: string): Promise<SubjectRow> {
    return (await this.subjects.findLive(em, tenantId, id)) ?? notFound(id);
  }
}

/** A refusal as the admin API answers it (SCIM refusals keep their status, message and scimType); else undefined. */
function adminError(error: unknown): HttpException | undefined {
  if (error instanceof HttpException) return error.getStatus() < 500 ? error : undefined;
  const failure = refusal(error);
  if (!failure) return undefined;
  return new HttpException(
    {
      statusCode: failure.status,
      error: HttpStatus[failure.status],
      message: failure.detail,
      ...(failure.scimType ? { scimType: failure.scimType } : {}),
    },
    failure.status,
  );
}

/** The audit log keeps subject ids; a path segment that is not one is simply not there (the answer is 404). */
const auditedId = (id: string): string | undefined => (isUUID(id) ? id : undefined);

function notFound(id: string): never {
  throw new NotFoundException(`subject ${id} does not exist`);
}

/** 409 naming what Entra owns: an operator changes these in Entra ID, which SCIM brings over. */
function refuseScimOwned(dto: SubjectUpdateDto): void {
  const owned = SCIM_OWNED_ATTRIBUTES.filter((name) => dto[name] !== undefined);
  if (owned.length === 0) return;
  throw new ConflictException(
    `${owned.join(', ')} ${owned.length === 1 ? 'is' : 'are'} managed by Entra ID (SCIM) for this user: change ${owned.length === 1 ? 'it' : 'them'} in Entra`,
  );
}

/** The SCIM User an operator's create describes (extensions in RFC 7643 form). */
export function userDocument(dto: SubjectCreateDto): Record<string, unknown> {
  const { loginMethod: _loginMethod, roles, folders, metadata, ...core } = plain(dto);
  return {
    schemas: [USER_SCHEMA, ...(folders ? [FOLDERS_SCHEMA] : []), ...(metadata ? [METADATA_SCHEMA] : [])],
    ...core,
    ...(roles ? { roles: roles.map((value) => ({ value })) } : {}),
    ...(folders ? { [FOLDERS_SCHEMA]: { folders } } : {}),
    ...(metadata ? { [METADATA_SCHEMA]: metadata } : {}),
  };
}

/**
 * The SCIM PATCH operations an operator's update stands for: a value replaces the attribute, null
 * removes it; metadata keys are set or (null) removed one by one, the others kept.
 */
export function patchOperations(dto: SubjectUpdateDto): PatchOperation[] {
  const operations: PatchOperation[] = [];
  const set = (path: string, value: unknown) =>
    operations.push(value === null ? { op: 'remove', path } : { op: 'replace', path, value });
  const { loginMethod: _loginMethod, roles, folders, metadata, ...core } = plain(dto);
  for (const [name, value] of Object.entries(core)) if (value !== undefined) set(name, value);
  if (roles !== undefined) set('roles', roles && roles.map((value) => ({ value })));
  if (folders !== undefined) set(`${FOLDERS_SCHEMA}:folders`, folders);
  if (metadata === null) set(METADATA_SCHEMA, null);
  else if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) set(`${METADATA_SCHEMA}:${key}`, value);
  }
  return operations;
}

/** The validated DTO as plain JSON (nested DTOs are class instances after validation). */
const plain = <T extends object>(dto: T): T => instanceToPlain(dto) as T;
