import { UserDocument, userPolicyView } from '@app/scim';

/** What a subject may use: the app always; the web portal with any role (seed 004). */
export interface SubjectAccess {
  app: boolean;
  portal: boolean;
}

/**
 * A subject's tenant-policy facts, as operator views, subject-change events and IAM access tokens
 * show them: canonical roles and userType from its SCIM document, its resolved folder ids, its
 * metadata, and who manages it.
 */
export interface SubjectPolicyFacts {
  access: SubjectAccess;
  roles: string[];
  userType: string | null;
  folders: string[];
  metadata: Record<string, string>;
  managedBy: string | null;
}

export function subjectPolicyFacts(subject: {
  document: Record<string, unknown>;
  folders: string[];
  managedBy: string | null;
}): SubjectPolicyFacts {
  const view = userPolicyView(subject.document as UserDocument);
  return {
    access: accessOf(view.roles),
    roles: view.roles,
    userType: view.userType ?? null,
    folders: subject.folders,
    metadata: view.metadata,
    managedBy: subject.managedBy,
  };
}

export const accessOf = (roles: readonly string[]): SubjectAccess => ({
  app: true,
  portal: roles.length > 0,
});
