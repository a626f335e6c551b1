import { Injectable } from '@nestjs/common';
import { Db } from '@app/database';

/**
 * The one owner of subject_folders: a subject's folder access, the resolved set of the folder
 * values SCIM (or an operator) gave it. Every statement is scoped to one tenant. Subjects read
 * the set with their row (`folders` in SubjectsRepository's columns).
 */
@Injectable()
export class SubjectFoldersRepository {
  /** Makes the subject's folder set exactly `folderIds`. */
  async replace(db: Db, tenantId: string, subjectId: string, folderIds: string[]): Promise<void> {
    await db.query(
      `DELETE FROM subject_folders WHERE tenant_id = $1 AND subject_id = $2 AND NOT (folder_id = ANY($3::uuid[]))`,
      [tenantId, subjectId, folderIds],
    );
    if (folderIds.length === 0) return;
    await db.query(
      `INSERT INTO subject_folders (tenant_id, subject_id, folder_id)
       SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING`,
      [tenantId, subjectId, folderIds],
    );
  }
}
