import { Foundation1764057600000 } from './1764057600000-Foundation';

/** Every migration, oldest first. Listed explicitly so the same list runs from source, dist and tests. */
export const MIGRATIONS = [Foundation1764057600000];
