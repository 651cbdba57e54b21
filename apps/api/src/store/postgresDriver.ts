import pg from 'pg';
import { PostgresSession } from './postgresSession';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sqlDriver';

const INT8_OID = 20;

/** Rewrites `?` placeholders to `$n` (the statements never hold a literal `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
      const result = await client.query(numbered(sql), [...params]);
      return result.rows as SqlRow[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      const result = await client.query(numbered(sql), [...params]);
      return result.rowCount ?? 0;
    },
    async exec(sql: string): Promise<void> {
      // No parameters: pg sends it as one simple-protocol query, which may hold many statements.
      await client.query(sql);
    },
  };
}

/** A pool against `DATABASE_URL`; BIGINT columns come back as numbers (all our ints fit). */
export function openPostgresDriver(connectionString: string): SqlDriver {
  const pool = new pg.Pool({
    connectionString,
    max: 5,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (error) => console.error(`postgres pool: ${error.message}`));
  const direct = executor(pool);
  const session = new PostgresSession(connectionString);
  return {
    kind: 'postgres',
    coordination: session,
    all: direct.all,
    run: direct.run,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    exec: direct.exec,
    async close() {
      await session.close();
      await pool.end();
    },
  };
}
