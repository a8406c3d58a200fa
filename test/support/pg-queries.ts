/**
 * Counts what this process sends to PostgreSQL through the `pg` driver: every `Client#query` is
 * one round trip (pg sends a query's Parse/Bind/Execute/Sync together and waits for the answer),
 * whichever pool or client it went through. Used to pin how many round trips an operation costs:
 * unlike timings, a count is the same on a loaded machine and a quiet one.
 */
import pg from 'pg';

export interface RecordedQuery {
  /** The SQL text (or the name of a prepared statement). */
  text: string;
  /** The statement's name when it was sent as a named (prepared) statement. */
  name?: string;
  /** The parameters it was sent with. */
  values?: unknown[];
}

export interface QueryRecorder {
  /** Everything sent since the recorder was installed or last reset. */
  readonly queries: RecordedQuery[];
  reset(): void;
  /** Runs `work` and returns what it sent (only what it sent: the list is reset first). */
  during<T>(work: () => Promise<T>): Promise<{ result: T; queries: RecordedQuery[] }>;
  uninstall(): void;
}

type QueryFn = (...args: unknown[]) => unknown;

/** Wraps pg.Client.prototype.query for this process until `uninstall()`. */
export function recordQueries(): QueryRecorder {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  const queries: RecordedQuery[] = [];
  proto.query = function recorded(this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === 'string') queries.push({ text: first, ...(Array.isArray(second) ? { values: second } : {}) });
    else if (first && typeof first === 'object' && 'text' in first) {
      const config = first as { text: string; name?: string; values?: unknown[] };
      queries.push({ text: config.text, ...(config.name ? { name: config.name } : {}), ...(config.values ? { values: config.values } : {}) });
    }
    return original.apply(this, args);
  };
  return {
    queries,
    reset() {
      queries.length = 0;
    },
    async during(work) {
      queries.length = 0;
      const result = await work();
      return { result, queries: queries.splice(0) };
    },
    uninstall() {
      proto.query = original;
    },
  };
}
