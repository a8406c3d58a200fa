/**
 * The client_ids this process saw fail client authentication at /token recently. Only for these
 * does a token request reserve a failure point before it is answered (see rate-limits.ts), so a
 * client that never fails pays no statement for it. In process memory and bounded: an evicted or
 * forgotten client_id only falls back to counting after the answer, which the shared count still
 * locks out, a batch of parallel guesses later.
 */
import QuickLRU from 'quick-lru';

/** quick-lru keeps up to twice this many; a flood of made-up client_ids costs at most that. */
const REMEMBERED = 10_000;

export class SuspectClients {
  private readonly until = new QuickLRU<string, number>({ maxSize: REMEMBERED });

  /**
   * @param rememberMs how long after its last failure a client_id stays suspect: the failure
   * window and the lock-out together, so that guesses waiting out a lock-out are suspect too
   */
  constructor(private readonly rememberMs: number) {}

  has(clientId: string): boolean {
    const until = this.until.get(clientId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(clientId);
    return false;
  }

  /** A failed client authentication (or a refused reservation) of `clientId`, now. */
  failed(clientId: string): void {
    this.until.set(clientId, Date.now() + this.rememberMs);
  }
}
