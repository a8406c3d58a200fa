/**
 * Holds the running oidc-provider and replaces it when the signing keys change.
 *
 * oidc-provider takes its keys at construction, so a key rotation means a new Provider instance.
 * That is cheap and safe: every piece of state (sessions, grants, codes, tokens) lives in storage,
 * not in the instance. Each server checks the stored key ring now and then (and at once when the
 * admin socket rotates keys), so every replica follows a rotation within one check interval.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import type { Logger } from '../log.js';
import type { KeyStore } from '../storage/types.js';
import { CachedDocuments } from './cached-documents.js';
import { hasExpiredKeys, jwksOf, loadKeyRing, retireExpiredKeys, type KeyRing, type SigningJwk } from './keys.js';

/** How often a server looks for a rotated key ring. Rotation steps are hours apart; this is plenty. */
export const KEY_CHECK_INTERVAL_MS = 30_000;

export class ProviderHost {
  #provider: Provider;
  #mounted: Koa.Middleware;
  #version: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #documents: CachedDocuments;

  constructor(
    private readonly build: (jwks: { keys: SigningJwk[] }) => Provider,
    private readonly basePath: string,
    ring: KeyRing,
    private readonly keys: KeyStore,
    private readonly log: Logger,
    private readonly trustProxy: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.#provider = build(jwksOf(ring));
    this.#mounted = this.mountProvider();
    this.#version = ring.version;
    this.#documents = new CachedDocuments(basePath);
  }

  /** The provider to use for this request (a rotation may replace it between requests). */
  get current(): Provider {
    return this.#provider;
  }

  /** The mounted provider, for the Koa app; follows replacements, and precomputes discovery and JWKS. */
  middleware(): Koa.Middleware {
    return (ctx, next) => this.#documents.serve(ctx, () => this.#mounted(ctx, next));
  }

  /** Answers discovery or JWKS from the precomputed copy, before Koa; false when it cannot. */
  serveCachedDocument(req: IncomingMessage, res: ServerResponse): boolean {
    return this.#documents.serveRaw(req, res, this.trustProxy);
  }

  /** Loads the stored key ring, drops retiring keys whose tokens have expired, and reloads if it changed. */
  async reloadKeys(): Promise<boolean> {
    const nowSeconds = Math.floor(this.now() / 1000);
    let ring = await loadKeyRing(this.keys, nowSeconds);
    if (hasExpiredKeys(ring, nowSeconds)) ring = await retireExpiredKeys(this.keys, nowSeconds);
    if (ring.version === this.#version) return false;
    this.#provider = this.build(jwksOf(ring));
    this.#mounted = this.mountProvider();
    this.#version = ring.version;
    this.#documents.clear();
    this.log.info('signing keys changed; provider reloaded', { version: ring.version, kids: jwksOf(ring).keys.map((key) => key.kid) });
    return true;
  }

  startWatching(intervalMs = KEY_CHECK_INTERVAL_MS): void {
    this.#timer = setInterval(() => {
      this.reloadKeys().catch((error: Error) => this.log.error('could not check the signing keys', { message: error.message }));
    }, intervalMs);
    this.#timer.unref();
  }

  stopWatching(): void {
    clearInterval(this.#timer);
  }

  private mountProvider(): Koa.Middleware {
    return this.basePath ? mount(this.basePath, this.#provider) : mount(this.#provider);
  }
}
