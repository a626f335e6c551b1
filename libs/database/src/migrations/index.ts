import { Foundation1764057600000 } from './1764057600000-Foundation';
import { Subjects1764144000000 } from './1764144000000-Subjects';
import { Groups1764230400000 } from './1764230400000-Groups';
import { SubjectEventsOutbox1764316800000 } from './1764316800000-SubjectEventsOutbox';
import { SsoLogin1764403200000 } from './1764403200000-SsoLogin';
import { Webhooks1764489600000 } from './1764489600000-Webhooks';
import { SubjectsEntraOidUnique1764576000100 } from './1764576000100-SubjectsEntraOidUnique';
import { AdminTokenLifecycle1764662400000 } from './1764662400000-AdminTokenLifecycle';
import { InstallationBootstrap1764662400100 } from './1764662400100-InstallationBootstrap';
import { ProvisioningDeadLetters1764835200000 } from './1764835200000-ProvisioningDeadLetters';
import { RetentionIndexes1764921600000 } from './1764921600000-RetentionIndexes';
import { SubjectEventsAcknowledged1765008000000 } from './1765008000000-SubjectEventsAcknowledged';
import { ProvisioningPolicy1765100000000 } from './1765100000000-ProvisioningPolicy';
import { TenantDomains1765100100000 } from './1765100100000-TenantDomains';
import { ProvisioningAudit1765100200000 } from './1765100200000-ProvisioningAudit';
import { SubjectCredentials1765100300000 } from './1765100300000-SubjectCredentials';
import { ScimEqualityIndexes1765100400000 } from './1765100400000-ScimEqualityIndexes';
import { SubjectEventsLastPublished1765100500000 } from './1765100500000-SubjectEventsLastPublished';
import { ProvisioningAuditSettings1765100600000 } from './1765100600000-ProvisioningAuditSettings';
import { WebhookDeliveries1765100700000 } from './1765100700000-WebhookDeliveries';
import { ProvisioningDeadLettersResolved1765100700100 } from './1765100700100-ProvisioningDeadLettersResolved';

/** Every migration, oldest first. Listed explicitly so the same list runs from source, dist and tests. */
export const MIGRATIONS = [
  Foundation1764057600000,
  Subjects1764144000000,
  Groups1764230400000,
  SubjectEventsOutbox1764316800000,
  SsoLogin1764403200000,
  Webhooks1764489600000,
  SubjectsEntraOidUnique1764576000100,
  AdminTokenLifecycle1764662400000,
  InstallationBootstrap1764662400100,
  ProvisioningDeadLetters1764835200000,
  RetentionIndexes1764921600000,
  SubjectEventsAcknowledged1765008000000,
  ProvisioningPolicy1765100000000,
  TenantDomains1765100100000,
  ProvisioningAudit1765100200000,
  SubjectCredentials1765100300000,
  ScimEqualityIndexes1765100400000,
  SubjectEventsLastPublished1765100500000,
  ProvisioningAuditSettings1765100600000,
  WebhookDeliveries1765100700000,
  ProvisioningDeadLettersResolved1765100700100,
];
