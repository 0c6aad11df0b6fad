import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';

/** What one asking for a turn got: a slot (when concurrency is limited) and how long to wait before sending. */
export interface Turn {
  /** The concurrency slot now held; -1 when the connection has no concurrency limit. */
  slot: number;
  /** Milliseconds until the request may start (the rate's spacing, or a 429's pause). */
  waitMs: number;
}

/** The database's clock, once per statement, in epoch milliseconds. */
const NOW = sql<number>`(extract(epoch from statement_timestamp()) * 1000)::double precision`;

/**
 * The shared request budget of each connection (PostgreSQL only: SQLite serves one process, which keeps
 * its budget in memory). Every operation is one statement, so its cost is one round trip and its
 * atomicity the row lock: a turn is the connection's `next_at` moved on by the spacing — booked, not
 * polled for, so callers in every process queue in order — and a concurrency slot is a leased row.
 */
export class RateLimitRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates the connection's row and its slot rows (more when its concurrency grew); harmless when present. */
  async prepare(connection: string, slots: number): Promise<void> {
    await sql`insert into rate_limits (connection, next_at, paused_until) values (${connection}, 0, 0)
      on conflict (connection) do nothing`.execute(this.db);
    if (slots > 0)
      await sql`insert into rate_limit_leases (connection, slot, holder, expires_at)
        select ${connection}, g, null, 0 from generate_series(0, ${slots - 1}::int) g
        on conflict (connection, slot) do nothing`.execute(this.db);
  }

  /**
   * Takes up to `count` free slots (of the first `slots`, unheld or with a lapsed lease) and books as
   * many turns, one spacing apart, in the same statement: the callers of one process waiting together
   * cost one round trip. Returns what it got, in turn order — none when every slot is held — and how
   * many slots it left free. Without a concurrency limit (`slots` undefined) only the turns are booked.
   */
  async take(
    connection: string,
    o: { holder: string; slots?: number; spacingMs: number; leaseMs: number; count?: number },
  ): Promise<{ turns: Turn[]; free: number }> {
    const count = Math.max(1, o.count ?? 1);
    const turns = (slots: number[], first: number) =>
      slots.map((slot, i) => ({ slot, waitMs: Math.max(0, first + i * o.spacingMs) }));
    if (o.slots === undefined)
      return {
        turns: turns(
          Array.from({ length: count }, () => -1),
          await this.book(connection, o.spacingMs, count),
        ),
        free: Number.POSITIVE_INFINITY,
      };
    // Without a rate there is no turn to move, only a pause to respect: reading it spares every
    // request of every process a write to the connection's one row.
    const turn =
      o.spacingMs > 0
        ? sql`update rate_limits r
            set next_at = greatest(r.next_at, clock.now, r.paused_until) + ${o.spacingMs}::double precision * (select count(*) from lease)
            from clock
            where r.connection = ${connection} and exists (select 1 from lease)
            returning r.next_at - ${o.spacingMs}::double precision * (select count(*) from lease) - clock.now as wait`
        : sql`select r.paused_until - clock.now as wait from rate_limits r, clock
            where r.connection = ${connection}`;
    const { rows } = await sql<{ slots: number[] | null; wait: number | null; free: number }>`
      with clock as (select ${NOW} as now),
      free as (
        select slot from rate_limit_leases
        where connection = ${connection} and slot < ${o.slots}
          and (holder is null or expires_at < (select now from clock))
        order by slot limit ${count}
        for update skip locked
      ),
      lease as (
        update rate_limit_leases l set holder = ${o.holder}, expires_at = clock.now + ${o.leaseMs}
        from clock, free
        where l.connection = ${connection} and l.slot = free.slot
        returning l.slot
      ),
      turn as (${turn})
      select (select array_agg(slot order by slot) from lease) as slots, (select wait from turn) as wait,
        -- The statement's snapshot: the slots free before it, less those it took.
        (select count(*) from rate_limit_leases
          where connection = ${connection} and slot < ${o.slots}
            and (holder is null or expires_at < (select now from clock)))::int
          - (select count(*) from lease)::int as free`.execute(this.db);
    const row = rows[0];
    const free = Math.max(0, Number(row?.free ?? 0));
    if (!row?.slots?.length) return { turns: [], free };
    return { turns: turns(row.slots.map(Number), row.wait ?? 0), free };
  }

  /**
   * Books the next `count` turns only (a request that already holds its slot, booking again after a
   * pause); returns the wait before the first, the others following one spacing apart.
   */
  async book(connection: string, spacingMs: number, count = 1): Promise<number> {
    if (spacingMs <= 0) {
      const { rows } = await sql<{ wait: number }>`select paused_until - ${NOW} as wait from rate_limits
        where connection = ${connection}`.execute(this.db);
      return Math.max(0, rows[0]?.wait ?? 0);
    }
    const { rows } = await sql<{ wait: number }>`
      with clock as (select ${NOW} as now)
      update rate_limits r set next_at = greatest(r.next_at, clock.now, r.paused_until) + ${spacingMs * count}
      from clock
      where r.connection = ${connection}
      returning r.next_at - ${spacingMs * count} - clock.now as wait`.execute(this.db);
    return Math.max(0, rows[0]?.wait ?? 0);
  }

  /** Gives slots back, those this holder still has (a lapsed lease may have passed to someone else). */
  async release(connection: string, slots: readonly number[], holder: string): Promise<void> {
    await sql`update rate_limit_leases set holder = null, expires_at = 0
      where connection = ${connection} and slot = any(${[...slots]}::int[]) and holder = ${holder}`.execute(
      this.db,
    );
  }

  /** Extends the leases of slots whose requests are still running. */
  async renew(connection: string, holder: string, slots: readonly number[], leaseMs: number): Promise<void> {
    await sql`update rate_limit_leases set expires_at = ${NOW} + ${leaseMs}
      where connection = ${connection} and holder = ${holder} and slot = any(${[...slots]}::int[])`.execute(
      this.db,
    );
  }

  /** Gives back everything this holder has (it is closing). */
  async releaseAll(holder: string): Promise<void> {
    await sql`update rate_limit_leases set holder = null, expires_at = 0 where holder = ${holder}`.execute(
      this.db,
    );
  }

  /** Nobody on the connection starts a request before `ms` from now (the system answered 429). */
  async pause(connection: string, ms: number): Promise<void> {
    await sql`insert into rate_limits (connection, next_at, paused_until) values (${connection}, 0, ${NOW} + ${ms})
      on conflict (connection) do update
      set paused_until = greatest(rate_limits.paused_until, excluded.paused_until)`.execute(this.db);
  }

  /** Slots held now, by connection (for diagnostics and tests). */
  async held(connection: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from rate_limit_leases
      where connection = ${connection} and holder is not null and expires_at >= ${NOW}`.execute(this.db);
    return rows[0]?.n ?? 0;
  }
}
