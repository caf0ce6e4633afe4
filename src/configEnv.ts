import fs from 'node:fs';
import path from 'node:path';
import { configSchema, type Config } from './config.ts';
import { DEFAULT_WORKSPACE } from './workspaces.ts';

/**
 * The configuration read from the HX_* environment (CONTRACT.md) and the command-line flags (flags win),
 * checked against the schema in src/config.ts. Nothing else in the program reads process.env.
 */

export interface Flags {
  data?: string;
  port?: string | number;
  host?: string;
  logLevel?: string;
  role?: string;
  workspace?: string;
}

/** Reads the HX_* environment (CONTRACT.md) and the flags into a checked Config; throws a readable error. */
export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const raw = {
    dataDir: path.resolve(flags.data ?? env.HX_DATA_DIR ?? '.huaxiang'),
    host: flags.host ?? env.HX_HOST,
    port: flags.port ?? env.HX_PORT,
    logLevel: flags.logLevel ?? env.HX_LOG_LEVEL,
    role: flags.role ?? (env.HX_ROLE || undefined),
    nodeName: env.HX_NODE_NAME || undefined,
    workspaces: env.HX_WORKSPACES ? env.HX_WORKSPACES.split(',').map((w) => w.trim()).filter(Boolean) : undefined,
    workspace: flags.workspace ?? (env.HX_WORKSPACE || undefined),
    clickhouse: {
      url: env.HX_CLICKHOUSE_URL || undefined,
      user: env.HX_CLICKHOUSE_USER || undefined,
      password: env.HX_CLICKHOUSE_PASSWORD ?? undefined,
      database: env.HX_CLICKHOUSE_DATABASE || undefined,
      cluster: env.HX_CLICKHOUSE_CLUSTER || undefined,
    },
    databaseUrl: env.HX_DATABASE_URL || undefined,
    adminToken: env.HX_ADMIN_TOKEN || undefined,
    writeKey: env.HX_WRITE_KEY || undefined,
    masterKey: env.HX_MASTER_KEY || undefined,
    timezone: env.HX_TIMEZONE || undefined,
    tags: { buildEveryMinutes: env.HX_TAG_BUILD_MINUTES === undefined ? undefined : Number(env.HX_TAG_BUILD_MINUTES) },
    loyalty: {
      expiryMonths: env.HX_POINTS_EXPIRY_MONTHS === undefined ? undefined : Number(env.HX_POINTS_EXPIRY_MONTHS),
      tierWindowDays: env.HX_TIER_WINDOW_DAYS === undefined ? undefined : Number(env.HX_TIER_WINDOW_DAYS),
    },
    channels: {
      publicUrl: env.HX_PUBLIC_URL || undefined,
      productUrl: env.HX_PRODUCT_URL || undefined,
      email: { smtpUrl: env.HX_SMTP_URL || undefined, from: env.HX_EMAIL_FROM || undefined },
      sms: { url: env.HX_SMS_URL || undefined, accessKeyId: env.HX_SMS_KEY || undefined, accessKeySecret: env.HX_SMS_SECRET || undefined, signName: env.HX_SMS_SIGN_NAME || undefined, templateCode: env.HX_SMS_TEMPLATE || undefined },
      push: { url: env.HX_PUSH_URL || undefined, appKey: env.HX_PUSH_KEY || undefined, masterSecret: env.HX_PUSH_SECRET || undefined, production: env.HX_PUSH_PRODUCTION === undefined ? undefined : env.HX_PUSH_PRODUCTION === 'true' },
      webhook: { url: env.HX_WEBHOOK_URL || undefined, secret: env.HX_WEBHOOK_SECRET || undefined },
    },
    campaigns: {
      capPerChannel: env.HX_CAMPAIGN_CAP_CHANNEL === undefined ? undefined : Number(env.HX_CAMPAIGN_CAP_CHANNEL),
      capAll: env.HX_CAMPAIGN_CAP_ALL === undefined ? undefined : Number(env.HX_CAMPAIGN_CAP_ALL),
      capWindowHours: env.HX_CAMPAIGN_CAP_WINDOW_HOURS === undefined ? undefined : Number(env.HX_CAMPAIGN_CAP_WINDOW_HOURS),
      quietHours: env.HX_CAMPAIGN_QUIET_HOURS || undefined,
      rates: env.HX_CAMPAIGN_RATES ? Object.fromEntries(env.HX_CAMPAIGN_RATES.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k!.trim(), Number(v)])) : undefined,
      concurrency: env.HX_CAMPAIGN_CONCURRENCY === undefined ? undefined : Number(env.HX_CAMPAIGN_CONCURRENCY),
      maxAttempts: env.HX_CAMPAIGN_MAX_ATTEMPTS === undefined ? undefined : Number(env.HX_CAMPAIGN_MAX_ATTEMPTS),
    },
    privacy: { minGroupSize: env.HX_MIN_GROUP_SIZE === undefined ? undefined : Number(env.HX_MIN_GROUP_SIZE), fields: jsonSetting('HX_PRIVACY_FIELDS', env.HX_PRIVACY_FIELDS),
      dp: { epsilon: num(env.HX_DP_EPSILON), always: env.HX_DP_ALWAYS === undefined ? undefined : env.HX_DP_ALWAYS === 'true' || env.HX_DP_ALWAYS === '1', gmvClip: num(env.HX_DP_GMV_CLIP), ordersClip: num(env.HX_DP_ORDERS_CLIP) },
      fairness: jsonSetting('HX_FAIRNESS_POLICY', env.HX_FAIRNESS_POLICY) },
    retention: {
      eventsDays: num(env.HX_RETENTION_EVENTS_DAYS), deadLettersDays: num(env.HX_RETENTION_DEAD_LETTERS_DAYS), tagSnapshotsDays: num(env.HX_RETENTION_TAG_SNAPSHOTS_DAYS),
      segmentChangesDays: num(env.HX_RETENTION_SEGMENT_CHANGES_DAYS), webhookDeliveriesDays: num(env.HX_RETENTION_WEBHOOK_DELIVERIES_DAYS),
    },
    http: {
      corsOrigins: env.HX_CORS_ORIGINS ? env.HX_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : undefined,
      apiRatePerMinute: env.HX_API_RATE_PER_MINUTE === undefined ? undefined : Number(env.HX_API_RATE_PER_MINUTE),
      ingestRatePerMinute: env.HX_INGEST_RATE_PER_MINUTE === undefined ? undefined : Number(env.HX_INGEST_RATE_PER_MINUTE),
      trustProxy: env.HX_TRUST_PROXY === undefined ? undefined : env.HX_TRUST_PROXY === 'true' || env.HX_TRUST_PROXY === '1',
    },
    sessions: {
      hours: env.HX_SESSION_HOURS === undefined ? undefined : Number(env.HX_SESSION_HOURS),
      idleMinutes: env.HX_SESSION_IDLE_MINUTES === undefined ? undefined : Number(env.HX_SESSION_IDLE_MINUTES),
    },
    ingest: {},
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ConfigError(`configuration: ${describePath(first.path)} ${first.message}`);
  }
  return checkWorkspace(parsed.data);
}

/** The workspace a command names must be one the installation has. */
function checkWorkspace(config: Config): Config {
  if (config.workspace !== DEFAULT_WORKSPACE && !config.workspaces.includes(config.workspace)) {
    const have = [DEFAULT_WORKSPACE, ...config.workspaces].join(', ');
    throw new ConfigError(`configuration: workspace (--workspace / HX_WORKSPACE) '${config.workspace}' is not one of this installation's workspaces (${have}; HX_WORKSPACES lists the others)`);
  }
  return config;
}

export const configEnvNames: Record<string, string> = {
  'clickhouse.url': 'HX_CLICKHOUSE_URL',
  'clickhouse.database': 'HX_CLICKHOUSE_DATABASE',
  'clickhouse.cluster': 'HX_CLICKHOUSE_CLUSTER',
  databaseUrl: 'HX_DATABASE_URL',
  adminToken: 'HX_ADMIN_TOKEN',
  writeKey: 'HX_WRITE_KEY',
  masterKey: 'HX_MASTER_KEY',
  port: '--port / HX_PORT',
  host: '--host / HX_HOST',
  dataDir: '--data / HX_DATA_DIR',
  timezone: 'HX_TIMEZONE',
  'http.corsOrigins': 'HX_CORS_ORIGINS',
  'privacy.minGroupSize': 'HX_MIN_GROUP_SIZE',
  'privacy.fields': 'HX_PRIVACY_FIELDS',
  'privacy.dp.epsilon': 'HX_DP_EPSILON',
  'privacy.dp.always': 'HX_DP_ALWAYS',
  'privacy.dp.gmvClip': 'HX_DP_GMV_CLIP',
  'privacy.dp.ordersClip': 'HX_DP_ORDERS_CLIP',
  'privacy.fairness': 'HX_FAIRNESS_POLICY',
  'retention.eventsDays': 'HX_RETENTION_EVENTS_DAYS',
  'retention.deadLettersDays': 'HX_RETENTION_DEAD_LETTERS_DAYS',
  'retention.tagSnapshotsDays': 'HX_RETENTION_TAG_SNAPSHOTS_DAYS',
  'retention.segmentChangesDays': 'HX_RETENTION_SEGMENT_CHANGES_DAYS',
  'retention.webhookDeliveriesDays': 'HX_RETENTION_WEBHOOK_DELIVERIES_DAYS',
  'http.apiRatePerMinute': 'HX_API_RATE_PER_MINUTE',
  'http.ingestRatePerMinute': 'HX_INGEST_RATE_PER_MINUTE',
  role: '--role / HX_ROLE',
  nodeName: 'HX_NODE_NAME',
  workspaces: 'HX_WORKSPACES',
  workspace: '--workspace / HX_WORKSPACE',
  'tags.buildEveryMinutes': 'HX_TAG_BUILD_MINUTES',
  'loyalty.expiryMonths': 'HX_POINTS_EXPIRY_MONTHS',
  'loyalty.tierWindowDays': 'HX_TIER_WINDOW_DAYS',
  'campaigns.capPerChannel': 'HX_CAMPAIGN_CAP_CHANNEL',
  'campaigns.capAll': 'HX_CAMPAIGN_CAP_ALL',
  'campaigns.capWindowHours': 'HX_CAMPAIGN_CAP_WINDOW_HOURS',
  'campaigns.quietHours': 'HX_CAMPAIGN_QUIET_HOURS',
  'campaigns.rates': 'HX_CAMPAIGN_RATES',
  'campaigns.concurrency': 'HX_CAMPAIGN_CONCURRENCY',
  'campaigns.maxAttempts': 'HX_CAMPAIGN_MAX_ATTEMPTS',
  'channels.publicUrl': 'HX_PUBLIC_URL',
  'channels.productUrl': 'HX_PRODUCT_URL',
  'channels.email.smtpUrl': 'HX_SMTP_URL',
  'channels.email.from': 'HX_EMAIL_FROM',
  'channels.sms.url': 'HX_SMS_URL',
  'channels.push.url': 'HX_PUSH_URL',
  'channels.webhook.url': 'HX_WEBHOOK_URL',
  'channels.webhook.secret': 'HX_WEBHOOK_SECRET',
  'channels.sms.accessKeyId': 'HX_SMS_KEY',
  'channels.sms.accessKeySecret': 'HX_SMS_SECRET',
  'channels.sms.signName': 'HX_SMS_SIGN_NAME',
  'channels.sms.templateCode': 'HX_SMS_TEMPLATE',
  'channels.push.appKey': 'HX_PUSH_KEY',
  'channels.push.masterSecret': 'HX_PUSH_SECRET',
  'channels.push.production': 'HX_PUSH_PRODUCTION',
  'clickhouse.user': 'HX_CLICKHOUSE_USER',
  'clickhouse.password': 'HX_CLICKHOUSE_PASSWORD',
  logLevel: '--log-level / HX_LOG_LEVEL',
  'http.trustProxy': 'HX_TRUST_PROXY',
  'sessions.hours': 'HX_SESSION_HOURS',
  'sessions.idleMinutes': 'HX_SESSION_IDLE_MINUTES',
};

function describePath(p: PropertyKey[]): string {
  const key = p.map(String).join('.');
  // a setting inside one variable's JSON is named by the variable and the path within it
  for (let i = p.length - 1; i > 0; i--) {
    const env = configEnvNames[p.slice(0, i).map(String).join('.')];
    if (env && !configEnvNames[key]) return `${env} ${p.slice(i).map(String).join('.')}:`;
  }
  return configEnvNames[key] ?? key;
}

/** A number setting from the environment (undefined when unset, so the default applies; NaN fails the check). */
const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

/** A JSON setting: inline JSON (starting with `{`) or the path of a JSON file. */
function jsonSetting(name: string, value: string | undefined): unknown {
  if (!value) return undefined;
  let source = value;
  if (!value.trimStart().startsWith('{')) {
    try {
      source = fs.readFileSync(value, 'utf8');
    } catch (err) {
      throw new ConfigError(`configuration: ${name} cannot read ${value}: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (err) {
    throw new ConfigError(`configuration: ${name} is not valid JSON: ${(err as Error).message}`);
  }
}

export class ConfigError extends Error {}

/** A config for tests and tools: defaults plus overrides, without reading the environment. */
export function testConfig(overrides: Partial<Config> & { dataDir: string }): Config {
  return checkWorkspace(configSchema.parse({ clickhouse: {}, ingest: {}, ...overrides }));
}
