import { randomUUID } from 'node:crypto';
import { Job, UnrecoverableError } from 'bullmq';
import { ProvisioningCommand, ProvisioningOutcome } from '@app/contracts';
import { IamAdminConfig } from '../config/iam-admin.config';
import { ProvisioningCommandsProcessor } from './provisioning-commands.processor';
import { ProvisioningCommandsService } from './provisioning-commands.service';

describe('ProvisioningCommandsProcessor checks a job before anything is applied', () => {
  const applied: ProvisioningCommand[] = [];
  const service = {
    apply: async (command: ProvisioningCommand): Promise<ProvisioningOutcome> => {
      applied.push(command);
      return { ok: true, subject: null };
    },
  } as unknown as ProvisioningCommandsService;
  const processor = new ProvisioningCommandsProcessor(service, {} as IamAdminConfig);
  const job = (data: unknown) => ({ id: '1', data }) as Job<unknown>;
  const command = () => ({
    commandId: randomUUID(),
    tenantId: randomUUID(),
    provider: 'p',
    scimTokenId: randomUUID(),
    name: 'delete-user',
    subjectId: randomUUID(),
  });

  beforeEach(() => applied.splice(0));

  it('applies a well-formed command', async () => {
    const data = command();
    await expect(processor.process(job(data))).resolves.toEqual({ ok: true, subject: null });
    expect(applied).toEqual([data]);
  });

  it('answers a malformed command with a SCIM 400 and applies nothing', async () => {
    const outcome = await processor.process(job({ ...command(), tenantId: 'not-a-tenant' }));
    expect(outcome).toMatchObject({ ok: false, failure: { status: 400, scimType: 'invalidSyntax' } });
    expect(applied).toEqual([]);
  });

  it('fails a job without a command id for good (no retry)', async () => {
    await expect(processor.process(job({ name: 'delete-user' }))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(applied).toEqual([]);
  });
});
