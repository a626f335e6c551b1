import { invalidPath, invalidValue } from './errors';
import { Filter, parseFilter } from './filter';
import { PatchOperation } from './patch';
import { memberIds } from './resource-document';

/**
 * One step of a Group PATCH. Membership steps become row inserts and deletes — the member list is
 * never loaded to apply a delta — and attribute steps go through the ordinary PATCH engine.
 */
export type GroupPatchStep =
  | { kind: 'addMembers' | 'removeMembers' | 'replaceMembers'; ids: string[] }
  | { kind: 'removeAllMembers' }
  | { kind: 'attributes'; operations: PatchOperation[] };

/**
 * Splits normalised operations into steps, in order. Handles every shape Entra sends: `add` with a
 * list, `remove` with a list (only the listed members — never "remove all"), `remove` with
 * `members[value eq "id"]`, `replace` of the whole list.
 */
export function planGroupPatch(operations: PatchOperation[]): GroupPatchStep[] {
  const steps: GroupPatchStep[] = [];
  for (const operation of operations) {
    const path = operation.path ?? '';
    const head = path.split(/[[.]/)[0];
    if (head !== 'members') {
      const last = steps.at(-1);
      if (last?.kind === 'attributes') last.operations.push(operation);
      else steps.push({ kind: 'attributes', operations: [operation] });
      continue;
    }
    if (path === 'members') {
      if (operation.op === 'remove') {
        steps.push(
          operation.value === undefined
            ? { kind: 'removeAllMembers' }
            : { kind: 'removeMembers', ids: memberIds(operation.value) },
        );
      } else {
        steps.push({
          kind: operation.op === 'add' ? 'addMembers' : 'replaceMembers',
          ids: memberIds(operation.value ?? []),
        });
      }
      continue;
    }
    const filtered = /^members\[(.*)\]$/.exec(path);
    if (!filtered || operation.op !== 'remove') {
      throw invalidPath(
        `'${path}': members can be added, replaced, or removed by value or by members[value eq "id"]`,
      );
    }
    steps.push({ kind: 'removeMembers', ids: idsOf(parseFilter(filtered[1]!), path) });
  }
  return steps;
}

/** `value eq "a"` or `value eq "a" or value eq "b"`: the ids named. */
function idsOf(filter: Filter, path: string): string[] {
  if (filter.kind === 'or') return [...idsOf(filter.left, path), ...idsOf(filter.right, path)];
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.attrPath.toLowerCase() === 'value' &&
    typeof filter.value === 'string'
  ) {
    return [filter.value];
  }
  throw invalidValue(`'${path}': only value eq "id" (joined by or) selects members`);
}
