import { join } from 'node:path';
import { openPostgresDriver } from './postgresDriver';
import type { Repository } from './repository';
import { openSqliteDriver } from './sqliteDriver';
import { SqlRepository } from './sqlRepository';

/** PostgreSQL when `databaseUrl` is given, else the SQLite file `<home>/jointflow.db`. */
export async function openRepository(options: {
  home: string;
  databaseUrl?: string;
}): Promise<Repository> {
  const driver =
    options.databaseUrl !== undefined && options.databaseUrl !== ''
      ? openPostgresDriver(options.databaseUrl)
      : openSqliteDriver(join(options.home, 'jointflow.db'));
  try {
    return await SqlRepository.open(driver);
  } catch (error) {
    await driver.close().catch(() => {});
    throw error;
  }
}
