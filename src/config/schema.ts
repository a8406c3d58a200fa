/**
 * The configuration schema: the single source of truth for every key an operator may write.
 *
 * Key names here are part of the product (operators' files and acceptance tests rely on them), so a
 * rename is a breaking change. Defaults live next to their keys so the README's reference can be
 * checked against this one file.
 */
import { z } from 'zod';
import { CALLBACK_TOKEN_PATTERN, ENCODING_AES_KEY_PATTERN } from '../wecom/events/secrets.js';
import { brandingSchema } from './branding-schema.js';
import { localizedText } from './localized.js';

/** A connection identifier names the connection in URLs and stored identities: it must never change meaning. */
export const CONNECTION_IDENTIFIER = /^[a-z0-9-]{1,31}$/;

/** Claims the groups claim must not shadow. */
const RESERVED_CLAIMS = new Set([
  'sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'at_hash', 'c_hash',
  'name', 'preferred_username', 'picture', 'gender', 'updated_at', 'email', 'email_verified', 'phone_number',
  'wecom_corpid', 'wecom_userid', 'department', 'main_department', 'position',
]);

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an absolute http(s) URL',
  });

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
    /** Milliseconds for one HTTP call to WeCom, connect to last byte. */
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  })
  .strict();

const associationSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('off') }).strict(),
  z
    .object({
      mode: z.literal('match'),
      fields: z.array(z.enum(['username', 'email', 'phone_number'])).min(1),
    })
    .strict(),
  z.object({ mode: z.literal('bind') }).strict(),
]);

const connectionSchema = z
  .object({
    identifier: z
      .string()
      .regex(CONNECTION_IDENTIFIER, 'must be 1-31 characters of lowercase letters, digits and "-"'),
    /** The login button's text: one string, or `{ "zh-CN": "…", "en": "…" }`. */
    displayName: localizedText(64),
    corpId: z.string().regex(/^[A-Za-z0-9]{4,64}$/, 'must be the Corp ID shown in WeCom admin (e.g. ww0123456789abcdef)'),
    agentId: z
      .union([z.string().regex(/^\d{1,10}$/), z.number().int().nonnegative()])
      .transform((value) => String(value)),
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
        encodingAESKey: z
          .string()
          .regex(ENCODING_AES_KEY_PATTERN, 'must be the EncodingAESKey from WeCom admin: 43 letters and digits'),
      })
      .strict()
      .optional(),
    /** A refresh re-checks the member with WeCom when our last good look is older than this. */
    revalidateAfterSeconds: z.number().int().min(0).max(86_400).default(900),
    /** How long past the last good look refreshes keep working while WeCom cannot be reached. */
    revalidateGraceSeconds: z.number().int().min(0).max(30 * 86_400).default(86_400),
    /** Minutes between sweeps that re-check every linked member with WeCom; 0 turns the sweep off. */
    reconcileIntervalMinutes: z.number().int().min(0).max(7 * 24 * 60).default(60),
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

/**
 * PostgreSQL: the driver for several replicas sharing one database. `schema` lets several
 * deployments (or test runs) share one database; it is created at start-up when missing.
 */
const postgresStorageSchema = z
  .object({
    driver: z.literal('postgres'),
    url: z
      .string()
      .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol), {
        message: 'must be a postgres:// or postgresql:// connection URL (use "${DATABASE_URL}" to read it from the environment)',
      }),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be 1-63 lowercase letters, digits and "_", not starting with a digit')
      .default('public'),
    /** Connections each replica keeps open to the database. */
    poolSize: z.number().int().min(1).max(100).default(10),
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
    simulator: simulatorSchema.default(simulatorSchema.parse({})),
    demo: demoSchema.default(demoSchema.parse({})),
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
