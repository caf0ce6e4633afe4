import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from './config.ts';
import { IdentityGraph } from './identity/index.ts';
import { BatchingWriter, ingestMetrics, type IngestMetrics } from './ingest/index.ts';
import { AuditLog } from './privacy/audit.ts';
import { setClassification } from './privacy/classification.ts';
import { ConsentMinimiser } from './privacy/minimise.ts';
import { openKeyring, type Keyring } from './privacy/keyring.ts';
import { personPseudonym } from './privacy/persons.ts';
import { Privacy } from './privacy/index.ts';
import { lockDataDir } from './store/lock.ts';
import { OlapStore } from './store/olap/index.ts';
import { openOltp, type OltpStore } from './store/oltp/index.ts';
import { SegmentEngine } from './segments/index.ts';
import { prepareIdentityJoin } from './identity/engineMap.ts';
import { TagEngine } from './tags/index.ts';
import { sentBy } from './tags/live.ts';
import { RecommendEngine } from './recommend/index.ts';
import { LoyaltyEngine, loyaltyErasable } from './loyalty/index.ts';
import { CampaignEngine, JourneyEngine } from './campaigns/index.ts';
import { JobRunner, leadershipFor, nodeName } from './jobs/index.ts';
import { DEFAULT_WORKSPACE, olapOptions, workspacePlaces, type WorkspacePlaces } from './workspaces.ts';

/** Everything a command needs, opened once: both stores, the keyring, the identity graph, the writer. */
export interface Runtime {
  config: Config;
  /** the workspace this runtime serves and where its data lives (src/workspaces.ts) */
  workspace: WorkspacePlaces;
  /** in the default workspace's runtime under `serve`: the other workspaces' runtimes open in this process */
  others: Runtime[];
  log: Logger;
  olap: OlapStore;
  oltp: OltpStore;
  keyring: Keyring;
  /** the append-only audit log (src/privacy/audit.ts) */
  audit: AuditLog;
  identity: IdentityGraph;
  writer: BatchingWriter;
  registry: Registry;
  metrics: IngestMetrics;
  tags: TagEngine;
  segments: SegmentEngine;
  /** recommendation models and serving (src/recommend/) */
  recommend: RecommendEngine;
  /** points ledger, earning rules, member tiers, coupons (src/loyalty/) */
  loyalty: LoyaltyEngine;
  /** data-subject rights: export, rectification, erasure over every registered store (src/privacy/) */
  privacy: Privacy;
  /** campaigns, audiences, delivery (src/campaigns/) */
  campaigns: CampaignEngine;
  /** event-triggered journeys (src/campaigns/journeys/) */
  journeys: JourneyEngine;
  /** deployment-wide scheduled work, run on the elected leader only (src/jobs/; `serve` starts it) */
  jobs: JobRunner;
  lock: ReturnType<typeof lockDataDir>;
  close(): Promise<void>;
}

/**
 * Opens the runtime of `opts.workspace` (default: the config's). `opts.over` is a runtime already open in
 * this process: the new one shares its data-dir lock and ClickHouse connection, and closing it leaves them
 * to that one (`serve` opens every workspace this way, src/cli/serve.ts).
 */
export async function openRuntime(config: Config, opts: { command: string; log?: Logger; workspace?: string; over?: Runtime }): Promise<Runtime> {
  const places = workspacePlaces(config, opts.workspace ?? config.workspace);
  const log = (opts.log ?? opts.over?.log ?? pino({ level: config.logLevel })).child(places.name === DEFAULT_WORKSPACE ? {} : { workspace: places.name });
  const owned = !opts.over;
  const lock = opts.over?.lock ?? lockDataDir(config.dataDir, { command: opts.command });
  // the field classification in force for this process: the protect step and masking read it
  setClassification(config.privacy.fields);
  try {
    const olap = opts.over
      ? await OlapStore.over(opts.over.olap, places.olapDatabase)
      : await OlapStore.open(olapOptions(config, places));
    const oltp = await openOltp({ url: places.databaseUrl, dataDir: places.dir, schema: places.pgSchema });
    // one master key for the installation; each workspace's data keys are its own, kept in its own store
    const keyring = await openKeyring(oltp, config.dataDir, config.masterKey);
    const audit = new AuditLog(oltp, personPseudonym(keyring));
    const identity = new IdentityGraph(oltp, olap);
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'hx_' });
    const metrics = ingestMetrics(registry);
    const writer = new BatchingWriter(olap, identity, config.ingest, metrics);
    const tags = new TagEngine({ olap, oltp, log, registry }, config);
    await tags.init();
    writer.onStored = (ids, flush) => tags.live.changed(ids, sentBy(flush.rows, flush.relinked));
    const identityJoin = await prepareIdentityJoin(olap);
    const segments = new SegmentEngine({ olap, oltp, tags, keyring, timezone: config.timezone, log, registry, identityJoin });
    tags.live.onRefreshed = (r) => segments.refreshPersons(r);
    const recommend = new RecommendEngine({ olap, oltp, identity, log, registry });
    await recommend.init();
    // models live in the memory of each node that serves them, so every serving node trains its own
    if ((opts.command === 'serve' || opts.command === 'demo') && config.role !== 'worker') recommend.schedule();
    const segmentsHook = tags.live.onRefreshed;
    tags.live.onRefreshed = async (r) => {
      await segmentsHook?.(r);
      await recommend.profilesChanged(r.persons);
    };
    const loyalty = new LoyaltyEngine({ olap, oltp, log, audit, timezone: config.timezone, config: config.loyalty, segmentMembers: async (id) => (await segments.store.get(id), segments.memberIds(id)) });
    const earlierHook = writer.onStored;
    writer.onStored = (ids, flush) => {
      earlierHook?.(ids, flush);
      loyalty.changed(ids);
    };
    const privacy = new Privacy({ config, log, olap, oltp, keyring, identity, audit, writer, tags });
    await privacy.init();
    // rows of erased persons are dropped; those of persons without analytics consent minimised (src/privacy/minimise.ts)
    const minimiser = new ConsentMinimiser(olap);
    writer.keep = async (rows) => minimiser.apply(await privacy.tombstones.keep(rows));
    privacy.registry.register(loyaltyErasable(oltp));
    const campaigns = new CampaignEngine({ config, log, olap, oltp, keyring, audit, segments, tags, identity, writer, recommend, loyalty, registry });
    await campaigns.init();
    const journeys = new JourneyEngine(campaigns);
    await journeys.init();
    writer.onRows = (rows) => journeys.triggered(rows);
    segments.onChange = (id, change) => journeys.segmentChanged(id, change);
    // loyalty maintenance, retention, the campaign and journey clocks and the other deployment-wide
    // schedules run on the elected leader: src/jobs/schedule.ts, started by `serve` (src/cli/serve.ts)
    const jobs = new JobRunner({ oltp, log, registry, leadership: leadershipFor({ url: places.databaseUrl, oltp, node: nodeName(config.nodeName), log, key: places.leaderLock }) });
    // the recommendation engine listens after every other listener set above
    const storedHook = writer.onStored;
    writer.onStored = (ids, flush) => {
      storedHook?.(ids, flush);
      recommend.changed(ids);
    };
    return {
      config, workspace: places, others: [], log, olap, oltp, keyring, audit, identity, writer, registry, metrics, tags, segments, recommend, loyalty, privacy, campaigns, journeys, jobs, lock,
      async close() {
        await jobs.stop();
        await journeys.stop();
        await campaigns.stop();
        await writer.close();
        await journeys.idle(); // the triggers of the last flush
        await tags.stop();
        await segments.stop();
        await recommend.stop();
        await loyalty.stop();
        await privacy.retention.stop();
        await olap.close();
        await oltp.close();
        if (owned) lock.release();
      },
    };
  } catch (err) {
    if (owned) lock.release();
    throw err;
  }
}
