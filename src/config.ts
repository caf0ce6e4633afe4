import { z } from 'zod';
import { DEFAULT_WORKSPACE, WORKSPACE_NAME } from './workspaces.ts';

/**
 * The one configuration object. Built once at start-up from the environment plus command-line flags
 * (flags win) and passed down; nothing else in the program reads process.env.
 */
export const configSchema = z.object({
  /** where the embedded stores, keys and credentials live; one process holds it at a time */
  dataDir: z.string().min(1),
  /** the address `serve` listens on */
  host: z.string().min(1).default('127.0.0.1'),
  /** the port `serve` listens on (0: any free port) */
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** structured (pino) log level */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** what `serve` runs: api (HTTP, never scheduled jobs), worker (scheduled jobs when elected; ops endpoints only), all */
  role: z.enum(['api', 'worker', 'all']).default('all'),
  /** this node's name in job_runs and in the leader's Postgres session (default host:pid) */
  nodeName: z.string().regex(/^[\w.:@-]{1,100}$/, 'must be letters, digits and . : @ - _ (at most 100)').optional(),
  /** the shops this installation serves besides `default`, each with its own stores and keys (docs/workspaces.md); comma-separated */
  workspaces: z.array(z.string().regex(WORKSPACE_NAME, 'must be a lower-case letter then letters and digits (at most 32)')
    .refine((w) => w !== DEFAULT_WORKSPACE, 'default is always there; list only the others'))
    .refine((ws) => new Set(ws).size === ws.length, 'names a workspace twice').default([]),
  /** the workspace a command acts on: `default` or one of HX_WORKSPACES */
  workspace: z.string().default(DEFAULT_WORKSPACE),
  /** the analytical store: embedded chdb in the data dir unless a ClickHouse server is given */
  clickhouse: z.object({
    /** a ClickHouse server (http://host:8123) instead of embedded chdb */
    url: z.url().optional(),
    /** the server's user */
    user: z.string().default('default'),
    /** the server's password */
    password: z.string().default(''),
    /** the database Huaxiang's tables live in */
    database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('huaxiang'),
    /** a ClickHouse cluster name: migrations run ON CLUSTER with ReplicatedMergeTree and Distributed tables (docs/deploy.md) */
    cluster: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be a plain identifier').optional(),
  }),
  /** a Postgres server (postgres://…) instead of embedded PGlite */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** an admin secret key for /api/* (else one is made on first start and kept in the data dir) */
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** an ingestion write key (else one is made on first start and kept in the data dir) */
  writeKey: z.string().min(8, 'must be at least 8 characters').optional(),
  /** the 32-byte master key (base64) that wraps the PII data keys (else master.key in the data dir, made on first start) */
  masterKey: z
    .string()
    .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  /** the shop's time zone: dates, hours and weekdays in tags and analytics are read in it */
  timezone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone like Asia/Shanghai').default('Asia/Shanghai'),
  /** the tag engine */
  tags: z.object({
    /** minutes between scheduled full builds (0: only on demand and at start when none exists) */
    buildEveryMinutes: z.number().int().min(0).default(60),
    /** the live refresher gathers changed people for this long before recomputing their tags */
    refreshDelayMs: z.number().int().min(0).default(100),
  }).default({ buildEveryMinutes: 60, refreshDelayMs: 100 }),
  /** the segment engine */
  segments: z.object({
    /** minutes between whole re-evaluations of dynamic segments (live changes apply within a second) */
    evaluateEveryMinutes: z.number().int().min(0).default(15),
  }).default({ evaluateEveryMinutes: 15 }),
  /** points, tiers and coupons (docs/loyalty.md) */
  loyalty: z.object({
    /** earned points expire this many months after they were earned (0: never) */
    expiryMonths: z.number().int().min(0).max(120).default(12),
    /** the rolling window of points or GMV that decides a member's tier */
    tierWindowDays: z.number().int().min(1).max(3650).default(365),
    /** the earner gathers people with new events for this long before crediting them */
    earnDelayMs: z.number().int().min(0).default(200),
  }).default({ expiryMonths: 12, tierWindowDays: 365, earnDelayMs: 200 }),
  /** message channels (docs/channels.md); secrets come only from the environment */
  channels: z.object({
    /** the address people reach this server at: tracked links, the open pixel and unsubscribe links point here */
    publicUrl: z.url().default('http://127.0.0.1:8080'),
    /** a shop product page, `{itemId}` replaced (links of recommended products in messages) */
    productUrl: z.string().includes('{itemId}', { message: 'must contain {itemId}' }).optional(),
    /** e-mail over SMTP */
    email: z.object({
      /** smtp://user:pass@host:port or smtps://… (nodemailer's connection URL) */
      smtpUrl: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
      /** the From header of campaign e-mail */
      from: z.string().min(3).default('Huaxiang <no-reply@localhost>'),
    }).prefault({}),
    /** Aliyun SMS (SendSms) */
    sms: z.object({
      /** the SendSms endpoint */
      url: z.url().default('https://dysmsapi.aliyuncs.com/'),
      /** the AccessKey id */
      accessKeyId: z.string().optional(),
      /** the AccessKey secret (signs requests) */
      accessKeySecret: z.string().optional(),
      /** the approved SMS signature (签名) */
      signName: z.string().optional(),
      /** the approved template code the message text fills */
      templateCode: z.string().optional(),
    }).prefault({}),
    /** JPush push API v3 */
    push: z.object({
      /** the push endpoint */
      url: z.url().default('https://api.jpush.cn/v3/push'),
      /** the JPush app key */
      appKey: z.string().optional(),
      /** the JPush master secret */
      masterSecret: z.string().optional(),
      /** send to the production APNs environment */
      production: z.boolean().default(false),
    }).prefault({}),
    /** the generic signed webhook */
    webhook: z.object({
      /** where deliveries are POSTed */
      url: z.url().optional(),
      /** the HMAC-SHA256 signing secret */
      secret: z.string().min(16, 'must be at least 16 characters').optional(),
    }).prefault({}),
  }).prefault({}),
  /** campaign guard rails and delivery (docs/campaigns.md) */
  campaigns: z.object({
    /** at most this many messages per person per channel within the cap window (0: no cap) */
    capPerChannel: z.number().int().min(0).default(2),
    /** at most this many messages per person across all channels and campaigns within the cap window (0: no cap) */
    capAll: z.number().int().min(0).default(4),
    /** the rolling window of both caps, in hours */
    capWindowHours: z.number().int().min(1).max(24 * 90).default(24),
    /** quiet hours in each person's time zone, `start-end` in whole hours (`22-8`: 22:00 to 08:00); `off` for none */
    quietHours: z.string().regex(/^(off|([01]?\d|2[0-3])-([01]?\d|2[0-3]))$/, 'must be like 22-8 or off').default('22-8'),
    /** messages per second per channel, overriding the adapter's own rate (`email=50,sms=20`) */
    rates: z.record(z.string(), z.number().positive()).default({}),
    /** messages handed to channel adapters at once */
    concurrency: z.number().int().min(1).max(1000).default(32),
    /** retryable failures are retried this many times (backoff doubling from retryBaseMs) before the message fails */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** the first retry's delay; each later one doubles it */
    retryBaseMs: z.number().int().min(1).default(30_000),
  }).prefault({}),
  /** privacy-preserving analytics (docs/privacy.md) */
  privacy: z.object({
    /** breakdown groups with fewer people than this are left out of reports (k-anonymity; 0 or 1: keep all) */
    minGroupSize: z.number().int().min(0).max(1000).default(0),
    /** the field classification (HX_PRIVACY_FIELDS: JSON, or the path of a JSON file; docs/privacy.md, "Field classification") */
    fields: z.object({
      /** trait name → `pii` (encrypted, matched by hash when an email or phone), `sensitive` (masked on display) or `ordinary` */
      traits: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'must be a trait name'), z.enum(['pii', 'sensitive', 'ordinary'])).default({}),
      /** top-level event property name → `pii` (encrypted, kept masked), `sensitive` (masked on display) or `ordinary` */
      properties: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'must be a property name'), z.enum(['pii', 'sensitive', 'ordinary'])).default({}),
      /** personal data detected in a field nobody classified: `encrypt` (whole values; text around one masked), `mask`, or `drop` the field */
      detected: z.enum(['encrypt', 'mask', 'drop']).default('encrypt'),
    }).strict().prefault({}),
    /** differential-privacy noise for aggregate reports shared outside the team (docs/privacy.md, "Differential privacy") */
    dp: z.object({
      /** the privacy budget ε of one noisy answer, split over the cells one person can change (smaller: more noise) */
      epsilon: z.number().positive().max(10).default(1),
      /** every answer of the noisy reports is noisy, whether or not the request asks (`noise=true`) */
      always: z.boolean().default(false),
      /** the most GMV (in the shop's currency) one person adds to one cell of a noisy report; more is clipped */
      gmvClip: z.number().positive().default(5000),
      /** the most orders one person adds to one cell of a noisy report; more are clipped */
      ordersClip: z.number().int().positive().default(10),
    }).prefault({}),
    /** where sensitive attributes may not be used (HX_FAIRNESS_POLICY: JSON, or the path of a JSON file; default: docs/privacy.md, "Transparency and fairness") */
    fairness: z.object({
      /** per tag purpose: the sensitive attributes its tags must not read (a purpose left out may read any) */
      tagPurposes: z.object({
        /** sensitive attributes analytics tags must not read */
        analytics: z.array(z.enum(['gender', 'age', 'age_band', 'birthday', 'city_tier'])).optional(),
        /** sensitive attributes personalisation tags must not read */
        personalization: z.array(z.enum(['gender', 'age', 'age_band', 'birthday', 'city_tier'])).optional(),
        /** sensitive attributes marketing tags must not read */
        marketing: z.array(z.enum(['gender', 'age', 'age_band', 'birthday', 'city_tier'])).optional(),
      }).strict(),
      /** the sensitive attributes a campaign's audience rule must not select on */
      campaignAudiences: z.array(z.enum(['gender', 'age', 'age_band', 'birthday', 'city_tier'])),
    }).strict().optional(),
  }).prefault({}),
  /** days each data class is kept before the daily retention job removes it (0: kept until deleted; docs/privacy.md, "Retention") */
  retention: z.object({
    /** raw behaviour events (none by default: a shop importing years of history chooses its own period) */
    eventsDays: z.number().int().min(0).default(0),
    /** rejected messages with their payload */
    deadLettersDays: z.number().int().min(0).default(90),
    /** dated copies of full builds' tag values */
    tagSnapshotsDays: z.number().int().min(0).default(400),
    /** segment entries and exits */
    segmentChangesDays: z.number().int().min(0).default(400),
    /** delivered or abandoned segment webhooks */
    webhookDeliveriesDays: z.number().int().min(0).default(30),
  }).prefault({}),
  /** the HTTP API's browser and rate rules (docs/api-keys.md) */
  http: z.object({
    /** origins allowed to call /api/* from a browser (comma-separated in HX_CORS_ORIGINS); ingestion /v1/* accepts any origin, as browser SDKs need */
    corsOrigins: z.array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be * or an origin like https://shop.example.com')).default([]),
    /** requests per minute per secret key on /api/* (0: no limit) */
    apiRatePerMinute: z.number().int().min(0).default(3000),
    /** requests per minute per write key on /v1/* (0: no limit) */
    ingestRatePerMinute: z.number().int().min(0).default(120_000),
    /** behind a load balancer: take the client address from X-Forwarded-For (per-IP limits, masked IPs) */
    trustProxy: z.boolean().default(false),
  }).prefault({}),
  /** dashboard sign-in sessions, the hx_session cookie (docs/api-keys.md#dashboard-sessions) */
  sessions: z.object({
    /** a session ends this many hours after sign-in, however active */
    hours: z.number().int().min(1).max(24 * 30).default(12),
    /** … or after this many minutes without a request */
    idleMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
  }).prefault({}),
  /** the ingestion API and its writer (docs/ingestion.md) */
  ingest: z.object({
    /** a larger message is rejected (400) */
    maxMessageBytes: z.number().int().positive().default(32 * 1024),
    /** a larger request body is refused (413) */
    maxBatchBytes: z.number().int().positive().default(500 * 1024),
    /** the writer flushes when this many rows wait … */
    flushRows: z.number().int().positive().default(20_000),
    /** … or when the oldest waiting row is this old */
    flushDelayMs: z.number().int().min(0).default(15),
    /** rows waiting beyond this answer 503 + Retry-After instead of growing memory */
    maxQueuedRows: z.number().int().positive().default(200_000),
    /** timestamps further ahead than this (after clock-skew correction) are rejected */
    maxFutureMs: z.number().int().positive().default(24 * 3600 * 1000),
  }),
});

export type Config = z.infer<typeof configSchema>;

// reading the environment and flags into a Config (src/configEnv.ts); re-exported so callers import one module
export { ConfigError, configEnvNames, loadConfig, testConfig, type Flags } from './configEnv.ts';
