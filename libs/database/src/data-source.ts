// The TypeORM CLI entry: `npm run migration:run` / `migration:revert` use DATABASE_URL.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must be set to run migrations from the CLI');

export default new DataSource(dataSourceOptions({ url, poolSize: 2, applicationName: 'iam-migrations' }));
