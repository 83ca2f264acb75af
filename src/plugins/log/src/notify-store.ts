// The notify server's entries (db_tars.t_server_notifys of tarsnotify, framework.md 2.8) in the kit's store, and the
// command derivation: REPORT entries take their severity from the message text, NOTIFY entries from their level.
// Retention is per server and runs with each insert: the newest `keep` entries of an App.Server stay. Kysely's
// builders only, times epoch ms, ids max+1 inside the insert's transaction (docs/store.md).
import {randomUUID} from 'node:crypto';

import {type Store, type StoreMigrations, type StoreOptions, openStore} from '@tars-ts/kit/store';

/** ReportType (NotifyF.tars). */
export const REPORT = 0;
export const NOTIFY = 1;

/** The official severities, as the `command` column holds them. */
export type NotifyCommand = '[alarm]' | '[error]' | '[warn]' | '[normal]';

/**
 * The command of an entry: a REPORT's from its text ("[alarm]", then "[error]", "[warn]", and "[fail]" counting as
 * "[error]", else "[normal]"); a NOTIFY's from its level (2 error, 1 warn, else normal).
 */
export function notifyCommand(type: number, level: number, message: string): NotifyCommand {
  if (type === NOTIFY) return level === 2 ? '[error]' : level === 1 ? '[warn]' : '[normal]';
  if (message.includes('[alarm]')) return '[alarm]';
  if (message.includes('[error]')) return '[error]';
  if (message.includes('[warn]')) return '[warn]';
  if (message.includes('[fail]')) return '[error]';
  return '[normal]';
}

/** The set name, area and group of "name.area.group"; empty strings when it has another shape. */
export function splitSet(set: string): {name: string; area: string; group: string} {
  const parts = set.split('.');
  if (parts.length !== 3) return {name: '', area: '', group: ''};
  return {name: parts[0]!, area: parts[1]!, group: parts[2]!};
}

/** One entry as the daemon takes it. */
export interface NotifyInput {
  type: number;
  level: number;
  app: string;
  server: string;
  set: string;
  container: string;
  message: string;
  threadId: string;
  nodeName: string;
}

/** One stored entry. */
export interface NotifyRow {
  id: number;
  time: number;
  app: string;
  server: string;
  container: string;
  serverId: string;
  nodeName: string;
  threadId: string;
  setName: string;
  setArea: string;
  setGroup: string;
  command: NotifyCommand;
  message: string;
  type: number;
}

/** Which entries: all filters optional. */
export interface NotifyFilter {
  app?: string;
  server?: string;
  command?: string;
  since?: number;
  afterId?: number;
  /** The newest N, returned oldest first. */
  limit: number;
}

interface NotifysTable {
  id: number;
  notifytime: number;
  application: string;
  server_name: string;
  container_name: string;
  server_id: string;
  node_name: string;
  thread_id: string;
  set_name: string;
  set_area: string;
  set_group: string;
  command: string;
  result: string;
  report_type: number;
}

/** One row: the store's id (store-id.ts says what it is for). */
interface StoreIdTable {
  id: string;
}

interface NotifyDB {
  server_notifys: NotifysTable;
  store_id: StoreIdTable;
}

const migrations: StoreMigrations = {
  '0001_server_notifys': {
    async up(db) {
      await db.schema.createTable('server_notifys')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('notifytime', 'bigint', (c) => c.notNull())
        .addColumn('application', 'text', (c) => c.notNull())
        .addColumn('server_name', 'text', (c) => c.notNull())
        .addColumn('container_name', 'text', (c) => c.notNull())
        .addColumn('server_id', 'text', (c) => c.notNull())
        .addColumn('node_name', 'text', (c) => c.notNull())
        .addColumn('thread_id', 'text', (c) => c.notNull())
        .addColumn('set_name', 'text', (c) => c.notNull())
        .addColumn('set_area', 'text', (c) => c.notNull())
        .addColumn('set_group', 'text', (c) => c.notNull())
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('report_type', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('server_notifys_server').on('server_notifys')
        .columns(['application', 'server_name', 'id']).execute();
    },
  },
  // The id instances sharing this store report alike (LogDaemonStats.notifyStore), made once with the store: the
  // migration runs once per store, under its lock, however many daemons open it at once.
  '0002_store_id': {
    async up(db) {
      await db.schema.createTable('store_id').addColumn('id', 'text', (c) => c.primaryKey()).execute();
      await db.insertInto('store_id').values({id: randomUUID()}).execute();
    },
  },
};

/** The longest message kept (the official column is a text; a flood of megabyte messages is cut). */
export const MAX_MESSAGE = 16_384;

/** The notify entries of one daemon. */
export class NotifyStore {
  private constructor(private readonly store: Store<NotifyDB>, readonly keep: number,
    private readonly clock: () => number,
    /** The store's id, kept in it (random, made with the store): equal for every daemon sharing the store. */
    readonly id: string) {}

  /**
   * Opens (creates) the store at `where`: a `StoreOptions` (what the daemon host resolves: SQLite in the data
   * directory, or `--db` PostgreSQL), or a SQLite file's path; `keep` entries per server are kept (0: all).
   * Its {@link id} is the store's own: every daemon that opens the same store gets the same one.
   */
  static async open(where: StoreOptions | string, keep: number, clock: () => number = Date.now): Promise<NotifyStore> {
    const store = await openStore<NotifyDB>(typeof where === 'string' ? {kind: 'sqlite', file: where} : where,
      migrations);
    try {
      const row = await store.db.selectFrom('store_id').select('id').executeTakeFirstOrThrow();
      return new NotifyStore(store, keep, clock, row.id);
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  get where(): string {
    return this.store.where;
  }

  /** Stores one entry (command derived), then drops that server's entries past the newest `keep`. */
  async add(input: NotifyInput): Promise<NotifyRow> {
    const set = splitSet(input.set);
    const message = input.message.length > MAX_MESSAGE ? `${input.message.slice(0, MAX_MESSAGE)} ...[truncated]`
      : input.message;
    const time = this.clock();
    return this.store.transaction(async (trx) => {
      const last = await trx.selectFrom('server_notifys').select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      const id = Number(last?.id ?? 0) + 1;
      const row: NotifysTable = {id, notifytime: time, application: input.app, server_name: input.server,
        container_name: input.container, server_id: `${input.app}.${input.server}_${input.nodeName}`,
        node_name: input.nodeName, thread_id: input.threadId, set_name: set.name, set_area: set.area,
        set_group: set.group, command: notifyCommand(input.type, input.level, input.message), result: message,
        report_type: input.type};
      await trx.insertInto('server_notifys').values(row).execute();
      if (this.keep > 0) {
        const edge = await trx.selectFrom('server_notifys').select('id')
          .where('application', '=', input.app).where('server_name', '=', input.server)
          .orderBy('id', 'desc').offset(this.keep).limit(1).executeTakeFirst();
        if (edge) {
          await trx.deleteFrom('server_notifys').where('application', '=', input.app)
            .where('server_name', '=', input.server).where('id', '<=', edge.id).execute();
        }
      }
      return toRow(row);
    });
  }

  /** The newest `limit` entries matching, oldest first. */
  async list(filter: NotifyFilter): Promise<NotifyRow[]> {
    let q = this.store.db.selectFrom('server_notifys').selectAll();
    if (filter.app) q = q.where('application', '=', filter.app);
    if (filter.server) q = q.where('server_name', '=', filter.server);
    if (filter.command) q = q.where('command', '=', filter.command);
    if (filter.since) q = q.where('notifytime', '>=', filter.since);
    if (filter.afterId) q = q.where('id', '>', filter.afterId);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.reverse().map(toRow);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

function toRow(r: NotifysTable): NotifyRow {
  return {id: Number(r.id), time: Number(r.notifytime), app: r.application, server: r.server_name,
    container: r.container_name, serverId: r.server_id, nodeName: r.node_name, threadId: r.thread_id,
    setName: r.set_name, setArea: r.set_area, setGroup: r.set_group, command: r.command as NotifyCommand,
    message: r.result, type: r.report_type};
}
