// The stat daemon's store: the official 5-minute rows of tarsstat (tars_stat_*) and tarsproperty (tars_property_*)
// in the kit's store (Kysely over SQLite by default). One table each instead of one per hour: a row carries its
// slot as epoch ms (`slot`, the slot's start) next to the official f_date / f_tflag. Queries use Kysely's builders
// only, so that the same code runs on SQLite and on PostgreSQL (`--db`; docs/store.md).
import {type Kysely, type Store, type StoreMigrations, type StoreOptions, openStore} from '@tars-ts/kit/store';

import {
  type StatCounters, type StatKey, type StatSide, intervalText, mergeCounters, parseIntervalText, statKeyString,
} from './aggregate.js';
import {type PropKey, type PropValues, mergeValue, propKeyString} from './property.js';

interface StatRowsTable {
  slot: number;
  f_date: string;
  f_tflag: string;
  side: string;
  master_name: string;
  slave_name: string;
  interface_name: string;
  master_ip: string;
  slave_ip: string;
  slave_port: number;
  return_value: number;
  slave_set_name: string;
  slave_set_area: string;
  slave_set_id: string;
  tars_version: string;
  succ_count: number;
  timeout_count: number;
  exce_count: number;
  interv_count: string;
  total_time: number;
  ave_time: number;
  maxrsp_time: number;
  minrsp_time: number;
}

interface PropRowsTable {
  slot: number;
  f_date: string;
  f_tflag: string;
  master_name: string;
  master_ip: string;
  property_name: string;
  set_name: string;
  set_area: string;
  set_id: string;
  policy: string;
  /** The mergeable form (an Avg is `sum=count`); see property.ts displayValue. */
  value: string;
}

/**
 * One row per minute an instance added to the store, written in the same transaction as the minute's rows: what
 * lets a query that gathers the unwritten minutes of several instances leave out those written since
 * ({@link StatStore.readGathered}).
 */
interface WrittenTable {
  /** The writing instance's id (new at each start of a daemon). */
  instance: string;
  /** The minute's start, epoch ms. */
  minute: number;
}

export interface StatDB {
  stat_rows: StatRowsTable;
  prop_rows: PropRowsTable;
  stat_written: WrittenTable;
}

const STAT_PK = ['slot', 'side', 'master_name', 'slave_name', 'interface_name', 'master_ip', 'slave_ip', 'slave_port',
  'return_value', 'slave_set_name', 'slave_set_area', 'slave_set_id', 'tars_version'] as const;
const PROP_PK = ['slot', 'master_name', 'master_ip', 'property_name', 'set_name', 'set_area', 'set_id', 'policy'] as const;

/** Forward-only; never edit a released one. */
export const STAT_MIGRATIONS: StoreMigrations = {
  '0001_stat': {
    up: async (db) => {
      let stat = db.schema.createTable('stat_rows')
        .addColumn('slot', 'bigint', (c) => c.notNull())
        .addColumn('f_date', 'text', (c) => c.notNull())
        .addColumn('f_tflag', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull());
      for (const col of ['master_name', 'slave_name', 'interface_name', 'master_ip', 'slave_ip']) {
        stat = stat.addColumn(col, 'text', (c) => c.notNull());
      }
      stat = stat.addColumn('slave_port', 'integer', (c) => c.notNull())
        .addColumn('return_value', 'integer', (c) => c.notNull());
      for (const col of ['slave_set_name', 'slave_set_area', 'slave_set_id', 'tars_version']) {
        stat = stat.addColumn(col, 'text', (c) => c.notNull());
      }
      await stat.addColumn('succ_count', 'bigint', (c) => c.notNull())
        .addColumn('timeout_count', 'bigint', (c) => c.notNull())
        .addColumn('exce_count', 'bigint', (c) => c.notNull())
        .addColumn('interv_count', 'text', (c) => c.notNull())
        .addColumn('total_time', 'bigint', (c) => c.notNull())
        .addColumn('ave_time', 'double precision', (c) => c.notNull())
        .addColumn('maxrsp_time', 'integer', (c) => c.notNull())
        .addColumn('minrsp_time', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('stat_rows_pk', [...STAT_PK] as never)
        .execute();
      await db.schema.createTable('prop_rows')
        .addColumn('slot', 'bigint', (c) => c.notNull())
        .addColumn('f_date', 'text', (c) => c.notNull())
        .addColumn('f_tflag', 'text', (c) => c.notNull())
        .addColumn('master_name', 'text', (c) => c.notNull())
        .addColumn('master_ip', 'text', (c) => c.notNull())
        .addColumn('property_name', 'text', (c) => c.notNull())
        .addColumn('set_name', 'text', (c) => c.notNull())
        .addColumn('set_area', 'text', (c) => c.notNull())
        .addColumn('set_id', 'text', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('prop_rows_pk', [...PROP_PK])
        .execute();
    },
  },
  '0002_written': {
    up: async (db) => {
      await db.schema.createTable('stat_written')
        .addColumn('instance', 'text', (c) => c.notNull())
        .addColumn('minute', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('stat_written_pk', ['instance', 'minute'])
        .execute();
      // Purged by the minute, like the rows by the slot.
      await db.schema.createIndex('stat_written_minute').on('stat_written').column('minute').execute();
    },
  },
};

/** A minute as one instance wrote it: recorded with its rows, see {@link StatStore.readGathered}. */
export interface WrittenMinute {
  readonly instance: string;
  readonly minute: number;
}

/** The key of a {@link WrittenMinute} in the set {@link StatStore.readGathered} answers. */
export function writtenKey(instance: string, minute: number): string {
  return `${instance}\0${minute}`;
}

/** A stored stat row, read back. */
export interface StoredStat {
  readonly slot: number;
  readonly key: StatKey;
  readonly counters: StatCounters;
}

/** A stored property row, read back (one policy). */
export interface StoredProp {
  readonly slot: number;
  readonly key: PropKey;
  readonly policy: string;
  readonly value: string;
}

/** What to read. */
export interface ReadRange {
  /** Slots starting at or after this (ms). */
  readonly since: number;
  /** Slots starting before this (ms). */
  readonly until: number;
}

/**
 * The official date and time flag of a 5-minute slot: tarsstat labels a slot by the time its buffer is switched,
 * i.e. the slot's end, in local time, and writes a full hour as the previous hour with minute 60 (09:00 -> "0860").
 */
export function timeFlag(slotStart: number, slotMs: number): {date: string; tflag: string} {
  const end = slotStart + slotMs;
  const onHour = end % 3_600_000 === 0;
  const d = new Date(onHour ? end - 60_000 : end);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const minute = onHour ? '60' : pad(d.getMinutes());
  return {date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, tflag: `${pad(d.getHours())}${minute}`};
}

const BATCH = 500;
const STREAM_CHUNK = 1000;

/**
 * The rows of a slot's query, `chunk` at a time as SQLite's driver hands them out (`stream`), or read at once on
 * PostgreSQL (`execute`). better-sqlite3 is synchronous: a whole read of a big slot would hold the event loop, so it
 * is streamed, with a pause for I/O every chunk. Kysely's stream() on PostgreSQL needs pg-cursor (not a dependency);
 * pg reads the answer as it arrives, between other I/O, so one read holds nothing up there. (Pages with OFFSET or
 * keyed pages were measured: 3 to 15 times slower on PostgreSQL for a 100,000-row slot.)
 */
function slotRows<R>(kind: Store<StatDB>['kind'], query: {stream(chunkSize: number): AsyncIterableIterator<R>;
  execute(): Promise<R[]>}): AsyncIterable<R> | Promise<R[]> {
  return kind === 'sqlite' ? query.stream(STREAM_CHUNK) : query.execute();
}

/**
 * Lets the event loop run (sockets, timers). better-sqlite3 is synchronous and Kysely's promises over it resolve as
 * microtasks, so without this a write of a big minute would hold every connection for its whole length.
 */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The stat daemon's open store. */
export class StatStore {
  private constructor(readonly store: Store<StatDB>) {}

  /**
   * Opens (creating and migrating) the store at `where`: a `StoreOptions` (what the daemon host resolves: SQLite in
   * the data directory, or `--db` PostgreSQL), or a SQLite file's path (':memory:' for tests).
   */
  static async open(where: StoreOptions | string): Promise<StatStore> {
    return new StatStore(await openStore<StatDB>(typeof where === 'string' ? {kind: 'sqlite', file: where} : where,
      STAT_MIGRATIONS));
  }

  get where(): string {
    return this.store.where;
  }

  /**
   * Adds one closed minute into its 5-minute slot `slot` (length `slotMs`), in one transaction: each row is merged
   * with the slot's row of the same key as the live tables merge (counts added, max of max, min of non-zero min,
   * buckets added; properties by policy). Either the whole minute is in the store afterwards or none of it.
   *
   * Several instances share one store (PostgreSQL, `--db`): each adds the minutes it took into the same rows. The
   * read-merge-write is exact across processes because the store's transactions run one at a time (the kit's
   * transaction takes SQLite's write lock, or PostgreSQL's advisory lock of the store's schema, at BEGIN): a writer
   * reads the slot only once the previous writer has committed, so no increment is lost and none is counted twice,
   * and a concurrent writer waits instead of failing. (An SQL `+` upsert cannot merge the histogram text nor the
   * property policies portably; one row per key and slot keeps the official table shape.)
   *
   * `written`, when given, is recorded in the same transaction ({@link readGathered}).
   */
  async addMinute(slot: number, slotMs: number, stats: Iterable<{key: StatKey; value: StatCounters}>,
    props: Iterable<{key: PropKey; value: PropValues}>, written?: WrittenMinute): Promise<void> {
    const {date, tflag} = timeFlag(slot, slotMs);
    await this.store.transaction(async (trx) => {
      if (written) {
        await trx.insertInto('stat_written').values({instance: written.instance, minute: written.minute})
          .onConflict((oc) => oc.columns(['instance', 'minute']).doNothing()).execute();
      }
      // Streamed on SQLite, with a pause for I/O every chunk, as the writes below: a big slot does not hold the event
      // loop (slotRows).
      const kept = new Map<string, StatCounters>();
      for await (const row of await slotRows(this.store.kind,
        trx.selectFrom('stat_rows').selectAll().where('slot', '=', slot))) {
        const stored = statOf(row);
        kept.set(statKeyString(stored.key), stored.counters);
        if (kept.size % STREAM_CHUNK === 0) await yieldToIo();
      }
      const statRows: StatRowsTable[] = [];
      for (const {key, value} of stats) {
        const had = kept.get(statKeyString(key));
        const c = had ? mergeCounters(had, value) : value;
        statRows.push({slot, f_date: date, f_tflag: tflag, side: key.side, master_name: key.masterName,
          slave_name: key.slaveName, interface_name: key.interfaceName, master_ip: key.masterIp,
          slave_ip: key.slaveIp, slave_port: key.slavePort, return_value: key.returnValue,
          slave_set_name: key.slaveSetName, slave_set_area: key.slaveSetArea, slave_set_id: key.slaveSetID,
          tars_version: key.tarsVersion, succ_count: c.count, timeout_count: c.timeoutCount, exce_count: c.execCount,
          interv_count: intervalText(c.intervals), total_time: c.totalRspTime,
          ave_time: c.count > 0 ? Math.max(1, c.totalRspTime / c.count) : 0, maxrsp_time: c.maxRspTime,
          minrsp_time: c.minRspTime});
      }
      for (let i = 0; i < statRows.length; i += BATCH) {
        await trx.insertInto('stat_rows').values(statRows.slice(i, i + BATCH))
          .onConflict((oc) => oc.columns([...STAT_PK]).doUpdateSet((eb) => ({
            succ_count: eb.ref('excluded.succ_count'), timeout_count: eb.ref('excluded.timeout_count'),
            exce_count: eb.ref('excluded.exce_count'), interv_count: eb.ref('excluded.interv_count'),
            total_time: eb.ref('excluded.total_time'), ave_time: eb.ref('excluded.ave_time'),
            maxrsp_time: eb.ref('excluded.maxrsp_time'), minrsp_time: eb.ref('excluded.minrsp_time')})))
          .execute();
        await yieldToIo();
      }

      const keptProps = new Map<string, string>();
      for await (const row of await slotRows(this.store.kind,
        trx.selectFrom('prop_rows').selectAll().where('slot', '=', slot))) {
        keptProps.set(`${propKeyString(propKeyOf(row))}\0${row.policy}`, row.value);
        if (keptProps.size % STREAM_CHUNK === 0) await yieldToIo();
      }
      const propRows: PropRowsTable[] = [];
      for (const {key, value} of props) {
        for (const [policy, v] of value) {
          const had = keptProps.get(`${propKeyString(key)}\0${policy}`);
          propRows.push({slot, f_date: date, f_tflag: tflag, master_name: key.moduleName, master_ip: key.ip,
            property_name: key.propertyName, set_name: key.setName, set_area: key.setArea, set_id: key.setID, policy,
            value: had === undefined ? v : mergeValue(policy, had, v)});
        }
      }
      for (let i = 0; i < propRows.length; i += BATCH) {
        await trx.insertInto('prop_rows').values(propRows.slice(i, i + BATCH))
          .onConflict((oc) => oc.columns([...PROP_PK]).doUpdateSet((eb) => ({value: eb.ref('excluded.value')})))
          .execute();
        await yieldToIo();
      }
    });
  }

  /** Stat rows of the slots in `range`, oldest first. */
  async readStats(range: ReadRange): Promise<StoredStat[]> {
    const rows = await this.store.db.selectFrom('stat_rows').selectAll().where('slot', '>=', range.since)
      .where('slot', '<', range.until).orderBy('slot').execute();
    return rows.map(statOf);
  }

  /** Property rows of the slots in `range`, oldest first. */
  async readProps(range: ReadRange): Promise<StoredProp[]> {
    const rows = await this.store.db.selectFrom('prop_rows').selectAll().where('slot', '>=', range.since)
      .where('slot', '<', range.until).orderBy('slot').execute();
    return rows.map(propOf);
  }

  /**
   * The stat rows (`stats`) or property rows of `range` together with the minutes recorded as written (from
   * `minutesSince` on), consistent with each other: a minute's rows and its record are both in the answer or neither,
   * even while other instances write. Read without holding up the writers: the records, then the rows, then the
   * records' count again; a write commits its rows and its record at once, so an unchanged count means that no write
   * committed in between and the rows match the records read first (a write committed after the rows were read is
   * in neither; records are deleted only past the retention, long before any minute an instance still holds). When
   * writes keep landing in between (a write a minute per instance: rare), it tries again, and the
   * third time reads in one transaction, which excludes the writes for its length (they wait, never fail).
   */
  async readGathered<K extends 'stats' | 'props'>(kind: K, range: ReadRange, minutesSince: number):
    Promise<{rows: K extends 'stats' ? StoredStat[] : StoredProp[]; written: Set<string>}> {
    type Rows = K extends 'stats' ? StoredStat[] : StoredProp[];
    const read = async (db: Kysely<StatDB>): Promise<{rows: Rows; written: Set<string>; count: () => Promise<number>}> => {
      const done = await db.selectFrom('stat_written').select(['instance', 'minute'])
        .where('minute', '>=', minutesSince).execute();
      const written = new Set(done.map((r) => writtenKey(r.instance, Number(r.minute))));
      const rows = kind === 'stats'
        ? (await db.selectFrom('stat_rows').selectAll().where('slot', '>=', range.since)
          .where('slot', '<', range.until).orderBy('slot').execute()).map(statOf)
        : (await db.selectFrom('prop_rows').selectAll().where('slot', '>=', range.since)
          .where('slot', '<', range.until).orderBy('slot').execute()).map(propOf);
      const count = async (): Promise<number> => Number((await db.selectFrom('stat_written')
        .select((eb) => eb.fn.countAll<number>().as('n')).where('minute', '>=', minutesSince)
        .executeTakeFirstOrThrow()).n);
      return {rows: rows as Rows, written, count};
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const {rows, written, count} = await read(this.store.db);
      if (await count() === written.size) return {rows, written};
      this.gatherRetries++;
    }
    return this.store.transaction(async (trx) => {
      const {rows, written} = await read(trx);
      return {rows, written};
    });
  }

  /** How many times {@link readGathered} read again because a write landed in between (tests, figures). */
  gatherRetries = 0;

  /**
   * Deletes every row of a slot that started before `before`, and the records of minutes written before it;
   * returns how many rows. Harmless when several instances purge at once: each delete takes what is left.
   */
  async purge(before: number): Promise<number> {
    const a = await this.store.db.deleteFrom('stat_rows').where('slot', '<', before).executeTakeFirst();
    const b = await this.store.db.deleteFrom('prop_rows').where('slot', '<', before).executeTakeFirst();
    await this.store.db.deleteFrom('stat_written').where('minute', '<', before).execute();
    return Number(a.numDeletedRows) + Number(b.numDeletedRows);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

function statOf(r: StatRowsTable): StoredStat {
  return {
    slot: Number(r.slot),
    key: {side: r.side as StatSide, masterName: r.master_name, slaveName: r.slave_name,
      interfaceName: r.interface_name, masterIp: r.master_ip, slaveIp: r.slave_ip, slavePort: Number(r.slave_port),
      returnValue: Number(r.return_value), slaveSetName: r.slave_set_name, slaveSetArea: r.slave_set_area,
      slaveSetID: r.slave_set_id, tarsVersion: r.tars_version},
    counters: {count: Number(r.succ_count), timeoutCount: Number(r.timeout_count), execCount: Number(r.exce_count),
      totalRspTime: Number(r.total_time), maxRspTime: Number(r.maxrsp_time), minRspTime: Number(r.minrsp_time),
      intervals: parseIntervalText(r.interv_count)},
  };
}

function propOf(r: PropRowsTable): StoredProp {
  return {slot: Number(r.slot), key: propKeyOf(r), policy: r.policy, value: r.value};
}

function propKeyOf(r: PropRowsTable): PropKey {
  return {moduleName: r.master_name, ip: r.master_ip, propertyName: r.property_name, setName: r.set_name,
    setArea: r.set_area, setID: r.set_id};
}
