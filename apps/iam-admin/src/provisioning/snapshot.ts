import { ResourceSnapshot } from '@app/contracts';

/** A subject or group row → what a command outcome carries back to the gateway. */
export function snapshotOf(row: {
  id: string;
  document: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}): ResourceSnapshot {
  return {
    id: row.id,
    document: row.document,
    version: row.version,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
