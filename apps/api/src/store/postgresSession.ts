import pg from 'pg';
import type { Coordination } from './sqlDriver';

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
const RECONNECT_MS = 1_000;

/**
 * One long-lived PostgreSQL connection per API process for what a pooled connection cannot do:
 * session-level advisory locks (the watchdog's leadership ends with the session, so a dead
 * process hands it over by itself) and LISTEN. A lost connection is opened again after a second
 * and its channels listened to again; the locks are then taken again by whoever asks first.
 */
export class PostgresSession implements Coordination {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly held = new Set<number>();
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();
  private closed = false;

  constructor(private readonly connectionString: string) {}

  async tryHold(key: number): Promise<boolean> {
    try {
      const client = await this.connect();
      if (this.held.has(key)) return true;
      const result = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS held',
        [key],
      );
      if (result.rows[0]?.held === true && this.client === client) this.held.add(key);
      return this.held.has(key);
    } catch {
      return false;
    }
  }

  listen(channel: string, onPayload: (payload: string) => void): () => void {
    if (!CHANNEL.test(channel)) throw new Error(`"${channel}" is not a channel name`);
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
      const client = this.client;
      if (client !== undefined) void client.query(`LISTEN ${channel}`).catch(() => {});
    }
    set.add(onPayload);
    void this.connect().catch(() => this.scheduleReconnect());
    return () => {
      set.delete(onPayload);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    await client?.end().catch(() => {});
  }

  private connect(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the session is closed'));
    if (this.client !== undefined) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    client.on('notification', (message) => {
      for (const listener of this.listeners.get(message.channel) ?? []) {
        listener(message.payload ?? '');
      }
    });
    try {
      await client.connect();
      // Channel names were checked against CHANNEL: never text from a request.
      for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('the session is closed');
    }
    this.client = client;
    return client;
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.held.clear();
    void client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.listeners.size === 0) return;
    setTimeout(() => {
      void this.connect().catch(() => this.scheduleReconnect());
    }, RECONNECT_MS).unref();
  }
}
