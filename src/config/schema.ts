/**
 * The configuration schema: the single source of truth for every key an operator may write.
 *
 * Key names here are part of the product (operators' files and acceptance tests rely on them), so a
 * rename is a breaking change. Defaults live next to their keys so the README's reference can be
 * checked against this one file.
 */
import { parse as parseConnectionString } from 'pg-connection-string';
import { z } from 'zod';
import { CALLBACK_TOKEN_PATTERN, ENCODING_AES_KEY_PATTERN } from '../wecom/index.js';
import { templateProblem } from '../accounts/email-fallback.js';
import { brandingSchema } from './branding-schema.js';
import { POSTGRES_SCHEMA_NAME } from '../storage/postgres/sql.js';
import { MATCH_FIELDS } from '../model/index.js';
import { PROTOCOL_CLAIMS, SCOPE_CLAIMS } from '../oidc/claims.js';
import { localizedText } from './localized.js';

/** A connection identifier names the connection in URLs and stored identities: it must never change meaning. */
export const CONNECTION_IDENTIFIER = /^[a-z0-9-]{1,31}$/;

/** Claims the groups claim must not shadow. */
const RESERVED_CLAIMS: ReadonlySet<string> = new Set([...PROTOCOL_CLAIMS, ...Object.values(SCOPE_CLAIMS).flat()]);

const httpUrl = z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
  message: 'must be an absolute http(s) URL',
});

/** WeCom's domain verification file names: `WW_verify_` then WeCom's code, `.txt` (see web/verification-files.ts). */
export const VERIFICATION_FILE_NAME = /^WW_verify_[A-Za-z0-9]{1,64}\.txt$/;

/** WeCom's base URLs; only ever changed to point at a proxy or (automatically) the simulator. */
const wecomSchema = z
  .object({
    apiBase: httpUrl.default('https://qyapi.weixin.qq.com'),
    qrLoginBase: httpUrl.default('https://login.work.weixin.qq.com'),
    oauthBase: httpUrl.default('https://open.weixin.qq.com'),
    /**
     * Show WeCom's embedded QR panel (its JS SDK, served from our origin) as the PC login page's main
     * content, for the first offered connection. Default on; with the simulator, the simulator's
     * stand-in panel is shown instead of WeCom's (nothing leaves the machine).
     */
    embeddedPanel: z.boolean().optional(),
    /**
     * Milliseconds one WeCom call may take in all, connect to last byte, including its one retry
     * after a transport failure (5xx, reset, malformed answer, timeout).
     */
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /**
     * An http(s) proxy for every call to WeCom's API (e.g. the egress whose IP is in the app's
     * 企业可信IP); credentials may be in the URL. Without it HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply.
     */
    proxy: httpUrl.optional(),
    /**
     * WeCom's trusted-domain check fetches `/<name>` at the issuer host's root; we answer each
     * configured name with its content as text/plain. Names of WeCom's shape only.
     */
    verificationFiles: z
      .record(z.string(), z.string().regex(/^[\x21-\x7e]{1,256}$/, "must be the file's content WeCom shows (1-256 printable characters, no spaces)"))
      .superRefine((files, ctx) => {
        // Checked here, not as the record's key schema, whose failure zod reports without our message.
        for (const name of Object.keys(files)) {
          if (!VERIFICATION_FILE_NAME.test(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: 'must be a WeCom verification file name like "WW_verify_AbC123.txt"' });
          }
        }
      })
      .default({}),
    /** Milliseconds to open the connection (TCP and TLS); failing here proves nothing was sent. */
    connectTimeoutMs: z.number().int().min(50).max(60_000).default(1_500),
    /** Milliseconds from the request sent to WeCom's answer starting; a hang costs this, not the budget. */
    responseTimeoutMs: z.number().int().min(50).max(60_000).default(2_500),
  })
  .strict();

/**
 * What anonymous visitors can make us store. Every `/auth` request stores an Interaction for half
 * an hour, and every start of a WeCom login a login state (the embedded panel's is derived, not
 * stored, until it is used); past these counts the oldest is deleted, so a flood costs bounded
 * memory and disk. Finished sign-ins leave the count at once.
 */
const limitsSchema = z
  .object({
    pendingInteractions: z.number().int().min(100).max(1_000_000).default(5_000),
    pendingLoginStates: z.number().int().min(100).max(1_000_000).default(5_000),
  })
  .strict();

/** `points` requests per `durationSeconds`, per key (a client IP or a client_id). */
const rateSchema = (points: number, durationSeconds: number) =>
  z
    .object({
      points: z.number().int().min(1).max(10_000_000).default(points),
      durationSeconds: z.number().int().min(1).max(86_400).default(durationSeconds),
    })
    .strict()
    .default({ points, durationSeconds });

/**
 * Rate limits, per client IP (behind `trustProxy`, the address our proxy reports) and at /token per
 * client_id. Over a limit the answer is 429 with Retry-After. The defaults are far above what a
 * company's sign-in peak needs (50 sign-ins a second through one NAT address uses about a quarter
 * of them) and far below what a script sends. With PostgreSQL the counts are shared by replicas.
 */
const rateLimitsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** GET/POST /auth and its resume step (two per sign-in). */
    auth: rateSchema(2_000, 10),
    /** The interaction pages and forms under /interaction (two or three per sign-in). */
    interaction: rateSchema(2_000, 10),
    /** WeCom's callback into /interaction/…/callback (one per sign-in). */
    callback: rateSchema(1_000, 10),
    /** POST /token per client IP. */
    token: rateSchema(2_000, 10),
    /** POST /token per client_id. */
    tokenPerClient: rateSchema(2_000, 10),
    /** Failed client authentications per client_id before it is locked out for `lockoutSeconds`. */
    clientAuthFailures: z
      .object({
        points: z.number().int().min(1).max(10_000).default(20),
        durationSeconds: z.number().int().min(1).max(86_400).default(60),
        lockoutSeconds: z.number().int().min(1).max(86_400).default(60),
      })
      .strict()
      .default({ points: 20, durationSeconds: 60, lockoutSeconds: 60 }),
  })
  .strict();

const associationSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('off') }).strict(),
  z
    .object({
      mode: z.literal('match'),
      fields: z.array(z.enum(MATCH_FIELDS)).min(1),
    })
    .strict(),
  z.object({ mode: z.literal('bind') }).strict(),
]);

const connectionSchema = z
  .object({
    identifier: z.string().regex(CONNECTION_IDENTIFIER, 'must be 1-31 characters of lowercase letters, digits and "-"'),
    /** The login button's text: one string, or `{ "zh-CN": "…", "en": "…" }`. */
    displayName: localizedText(64),
    corpId: z.string().regex(/^[A-Za-z0-9]{4,64}$/, 'must be the Corp ID shown in WeCom admin (e.g. ww0123456789abcdef)'),
    agentId: z.union([z.string().regex(/^\d{1,10}$/), z.number().int().nonnegative()]).transform((value) => String(value)),
    secret: z.string().min(1, 'must not be empty (use "${WECOM_SECRET}" to read it from the environment)'),
    loginOnly: z.boolean().default(false),
    association: associationSchema.default({ mode: 'off' }),
    /**
     * Inside the WeCom client: `silent` (snsapi_base, no QR, no prompt), `privateinfo`
     * (snsapi_privateinfo: WeCom asks the member to share email, mobile, avatar and gender, which
     * later sign-ins keep), or `off` (always the QR code).
     */
    inClient: z.enum(['silent', 'privateinfo', 'off']).default('silent'),
    /**
     * WeCom's contact-change callbacks (接收事件服务器), served at `{issuer}/wecom/events/{identifier}`:
     * the Token and EncodingAESKey set in WeCom's admin console for that URL.
     */
    events: z
      .object({
        token: z.string().regex(CALLBACK_TOKEN_PATTERN, 'must be the Token from WeCom admin: 1-32 letters and digits'),
        encodingAESKey: z.string().regex(ENCODING_AES_KEY_PATTERN, 'must be the EncodingAESKey from WeCom admin: 43 letters and digits'),
      })
      .strict()
      .optional(),
    /** A refresh re-checks the member with WeCom when our last good look is older than this. */
    revalidateAfterSeconds: z.number().int().min(0).max(86_400).default(900),
    /** How long past the last good look refreshes keep working while WeCom cannot be reached. */
    revalidateGraceSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
    /** Minutes between sweeps that re-check every linked member with WeCom; 0 turns the sweep off. */
    reconcileIntervalMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    /**
     * An address made from the userid for members WeCom gives no e-mail (see accounts/email-fallback.ts):
     * used only when there is neither an address from WeCom nor an imported one.
     */
    emailFallback: z
      .object({
        template: z.string().superRefine((template, ctx) => {
          const problem = templateProblem(template);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
        /** Assert templated addresses as verified: only when the corp really delivers mail there. */
        verified: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();

interface ParsedClient {
  client_id: string;
  first_party?: boolean;
  connections?: string[];
  client_name?: string;
  client_name_localized?: { 'zh-CN'?: string; en?: string };
  [metadata: string]: unknown;
}

/**
 * OIDC client metadata is validated by oidc-provider itself at start-up (see oidc/clients.ts); here we
 * only check the shape we need to find a client and report problems by its id.
 */
const clientSchema = z
  .object({
    client_id: z.string().min(1),
    first_party: z.boolean().optional(),
    /**
     * `minimal` (default, as OIDC Core says): the ID token carries only sub, amr and the protocol
     * claims, the rest is at userinfo. `scopes`: every claim of the granted scopes is in the ID token
     * too, for apps that read the ID token only (Kubernetes, Argo CD, Auth.js).
     */
    id_token_claims: z.enum(['minimal', 'scopes']).optional(),
    /** The connections this client offers (by identifier); all of them when absent. */
    connections: z.array(z.string()).min(1).optional(),
    /** A string, or `{ "zh-CN": "…", "en": "…" }` (oidc-provider gets one string; see client-metadata.ts). */
    client_name: localizedText(128).optional(),
  })
  .catchall(z.unknown())
  .transform(({ client_name: name, ...client }): ParsedClient =>
    typeof name === 'object'
      ? { ...client, client_name: name['zh-CN'] ?? name.en, client_name_localized: name }
      : { ...client, ...(name === undefined ? {} : { client_name: name }) },
  );

const simulatorAppSchema = z
  .object({
    corpId: z.string().min(1),
    agentId: z.union([z.string(), z.number()]).transform((value) => String(value)),
    secret: z.string().min(1),
    /** When set, API calls from any other IP answer 60020, as WeCom's "trusted IP" setting does. */
    trustedIps: z.array(z.string()).optional(),
    /**
     * Apps created before 2022-06-20 still get avatar, gender, mobile, email and biz_mail from
     * user/get; newer apps do not. Default: a new app, as every app created today is.
     */
    legacyContactFields: z.boolean().default(false),
  })
  .strict();

const simulatorSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The simulator is a development tool; it refuses a non-loopback issuer unless this is set. */
    allowNonLoopbackIssuer: z.boolean().default(false),
    /**
     * Likewise a `listen.host` other than localhost, 127.0.0.0/8 or ::1 (0.0.0.0 and :: included):
     * the issuer may be loopback while the listener still answers the whole network.
     */
    allowNonLoopbackListen: z.boolean().default(false),
    /** Corp apps the simulator hosts; by default one per configured connection, with its secret. */
    apps: z.array(simulatorAppSchema).optional(),
  })
  .strict();

const demoSchema = z
  .object({
    enabled: z.boolean().default(false),
    port: z.number().int().min(0).max(65535).default(3001),
    clientId: z.string().default('demo'),
  })
  .strict();

function parsesAsConnectionString(value: string): boolean {
  try {
    parseConnectionString(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL: the driver for several replicas sharing one database. `schema` lets several
 * deployments (or test runs) share one database; it is created at start-up when missing.
 */
const postgresStorageSchema = z
  .object({
    driver: z.literal('postgres'),
    // Judged by the parser the driver itself uses, so libpq's forms all pass, e.g. a Unix socket
    // as `postgres://user@/db?host=/var/run/postgresql` (an empty host, which WHATWG URL refuses).
    url: z.string().refine((value) => /^postgres(ql)?:\/\//.test(value) && parsesAsConnectionString(value), {
      message: 'must be a postgres:// or postgresql:// connection URL (use "${DATABASE_URL}" to read it from the environment)',
    }),
    schema: z.string().regex(POSTGRES_SCHEMA_NAME, 'must be 1-63 lowercase letters, digits and "_", not starting with a digit').default('public'),
    /** Connections each replica keeps open to the database. */
    poolSize: z.number().int().min(1).max(100).default(10),
  })
  .strict();

/**
 * The Prometheus exposition at /metrics: on the main listener by default; with `listen`, only on
 * that address (e.g. a private interface), so it need not be public.
 */
const metricsSchema = z
  .object({
    enabled: z.boolean().default(true),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    issuer: httpUrl.refine((value) => !URL.canParse(value) || (!new URL(value).search && !new URL(value).hash), {
      message: 'must not contain a query or fragment',
    }),
    listen: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 3000 }),
    /** Trust X-Forwarded-* from a TLS-terminating proxy in front of us. */
    trustProxy: z.boolean().default(false),
    storage: z
      .discriminatedUnion('driver', [
        z.object({ driver: z.literal('lowdb'), path: z.string().min(1).default('./data/db.json') }).strict(),
        postgresStorageSchema,
      ])
      .default({ driver: 'lowdb', path: './data/db.json' }),
    /** Secrets that sign cookies; generated and persisted in storage when absent. First one signs. */
    cookieKeys: z.array(z.string().min(32, 'must be at least 32 characters')).min(1).optional(),
    clients: z.array(clientSchema).default([]),
    /**
     * The claim (under the `wecom` scope) that carries the member's department names. RPs differ:
     * Grafana, GitLab and Argo CD can each be told which claim to read; `groups` is the common one.
     */
    groupsClaim: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/, 'must be a claim name (letters, digits, _ . : -)')
      .refine((name) => !RESERVED_CLAIMS.has(name), { message: 'must not be a standard or already used claim name' })
      .default('groups'),
    connections: z.array(connectionSchema).min(1, 'configure at least one WeCom connection'),
    wecom: wecomSchema.default(wecomSchema.parse({})),
    limits: limitsSchema.default(limitsSchema.parse({})),
    rateLimits: rateLimitsSchema.default(rateLimitsSchema.parse({})),
    simulator: simulatorSchema.default(simulatorSchema.parse({})),
    demo: demoSchema.default(demoSchema.parse({})),
    /** On SIGTERM/SIGINT, how long requests already running may take to finish before they are cut. */
    shutdownGraceSeconds: z.number().min(0).max(3600).default(10),
    metrics: metricsSchema.default(metricsSchema.parse({})),
    /** The company's name, logo, colour and footer on every page (see branding-schema.ts). */
    branding: brandingSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.connections.forEach((connection, index) => {
      if (seen.has(connection.identifier)) {
        ctx.addIssue({
          code: 'custom',
          path: ['connections', index, 'identifier'],
          message: `"${connection.identifier}" is used by more than one connection; identifiers must be unique`,
        });
      }
      seen.add(connection.identifier);
    });
    const clientIds = new Set<string>();
    config.clients.forEach((client, index) => {
      client.connections?.forEach((identifier, position) => {
        if (!seen.has(identifier)) {
          ctx.addIssue({
            code: 'custom',
            path: ['clients', index, 'connections', position],
            message: `"${identifier}" is not a configured connection identifier`,
          });
        }
      });
      if (clientIds.has(client.client_id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clients', index, 'client_id'],
          message: `"${client.client_id}" is used by more than one client`,
        });
      }
      clientIds.add(client.client_id);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type ConnectionConfig = Config['connections'][number];
export type ClientConfig = Config['clients'][number];
export type WeComEndpoints = Config['wecom'];
export type SimulatorApp = z.infer<typeof simulatorAppSchema>;
export type RateLimitsConfig = Config['rateLimits'];
