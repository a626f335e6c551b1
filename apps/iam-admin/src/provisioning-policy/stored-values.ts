import { normalizeRoles, normalizeUserType, ScimError } from '@app/scim';

/**
 * A stored User document with what the tenant policy can no longer accept made canonical or
 * dropped, before a PATCH is applied to it (a recorded policy decision, see issue 12).
 *
 * Documents stored before the policy existed may hold roles outside the four or a userType other
 * than Premium or Standard. A PATCH validates what it brings; were the stored values validated
 * too, every later PATCH of such a user (Entra's `active` false among them) would be refused
 * forever for values it did not send, and a deactivation would never land. So a stored value the
 * policy accepts in another spelling is made canonical (`premium` → `Premium`), and one it cannot
 * accept is dropped, each drop recorded in `decisions` (the provisioning audit log shows it).
 */
export function withoutStaleValues(
  document: Record<string, unknown>,
  decisions: string[],
): Record<string, unknown> {
  const out = { ...document };
  if (out.roles !== undefined) {
    const items = Array.isArray(out.roles) ? out.roles : [out.roles];
    const kept = items.filter((item, i) => {
      if (accepted(() => normalizeRoles([item]))) return true;
      decisions.push(`stored roles[${i}] dropped: not an allowed role`);
      return false;
    });
    // Only a drop changes the document (an empty list Entra sent stays as it was stored).
    if (kept.length === items.length) out.roles = document.roles;
    else if (kept.length > 0) out.roles = kept;
    else delete out.roles;
  }
  if (out.userType !== undefined && !accepted(() => normalizeUserType(out.userType))) {
    decisions.push('stored userType dropped: neither Premium nor Standard');
    delete out.userType;
  }
  return out;
}

/** Whether the policy accepts the value (its refusals are SCIM errors; anything else is a fault). */
function accepted(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof ScimError) return false;
    throw error;
  }
}
