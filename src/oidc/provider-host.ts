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
import type { Logger } from '../observability/log.js';
import type { KeyStore } from '../model/index.js';
import { CachedDocuments } from './cached-documents.js';
import { hasExpiredKeys, jwksOf, loadKeyRing, retireExpiredKeys, type KeyRing, type SigningJwk } from './keys.js';

/** How often a server looks for a rotated key ring. Rotation steps are hours apart; this is plenty. */
export const KEY_CHECK_INTERVAL_MS = 30_000;

/** Builds a provider for a set of signing keys (the configuration it uses is the builder's). */
export type ProviderBuilder = (jwks: { keys: SigningJwk[] }) => Provider;

/** A provider built for a new configuration, not yet in use. */
export interface PreparedProvider {
  readonly provider: Provider;
  /** Makes it the current provider, from the next request on (synchronously, so atomically). */
  adopt(): void;
}

export class ProviderHost {
  #provider: Provider;
  #mounted: Koa.Middleware;
  #version: number;
  #jwks: { keys: SigningJwk[] };
  #timer: NodeJS.Timeout | undefined;
  readonly #documents: CachedDocuments;

  constructor(
    private build: ProviderBuilder,
    private readonly basePath: string,
    ring: KeyRing,
    private readonly keys: KeyStore,
    private readonly log: Logger,
    private readonly trustProxy: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.#jwks = jwksOf(ring);
    this.#provider = build(this.#jwks);
    this.#mounted = this.mountProvider();
    this.#version = ring.version;
    this.#documents = new CachedDocuments(basePath);
  }

  /** For readiness: the provider has at least one signing key. */
  get hasSigningKeys(): boolean {
    return this.#jwks.keys.length > 0;
  }

  /**
   * Builds a provider from `build` (a reloaded configuration) with the current keys, for the caller
   * to check before `adopt` swaps it in. A key rotation in between is not lost: adopt rebuilds.
   */
  prepare(build: ProviderBuilder): PreparedProvider {
    const version = this.#version;
    const provider = build(this.#jwks);
    return {
      provider,
      adopt: () => {
        this.build = build;
        this.#provider = version === this.#version ? provider : build(this.#jwks);
        this.#mounted = this.mountProvider();
        this.#documents.clear();
      },
    };
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
    this.#jwks = jwksOf(ring);
    this.#provider = this.build(this.#jwks);
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
