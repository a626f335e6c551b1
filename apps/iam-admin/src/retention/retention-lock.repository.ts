import { Injectable } from '@nestjs/common';
import { QueryRunner } from 'typeorm';

const RETENTION_LOCK_KEY = 76_437_648;

/** The session advisory lock that lets one IAM instance at a time run the retention job. */
@Injectable()
export class RetentionLockRepository {
  async tryLock(session: QueryRunner): Promise<boolean> {
    const [{ locked }] = await session.query(`SELECT pg_try_advisory_lock($1) AS locked`, [
      RETENTION_LOCK_KEY,
    ]);
    return locked;
  }

  async unlock(session: QueryRunner): Promise<void> {
    await session.query(`SELECT pg_advisory_unlock($1)`, [RETENTION_LOCK_KEY]);
  }
}
