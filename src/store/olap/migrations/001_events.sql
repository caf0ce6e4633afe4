-- Behaviour events: one row per accepted Segment message.
-- Sorted by (distinct_id, timestamp) so one person's timeline is a primary-key range read;
-- partitioned by month so time-bounded analytics prune whole parts. Hot e-commerce fields are
-- typed columns; everything else stays in the properties/context JSON text.
-- ReplacingMergeTree on the sorting key (which ends in message_id) is a backstop for duplicates
-- that slip past the writer's messageId check (e.g. two API nodes racing on one retry).
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.events
(
    message_id          String,
    type                LowCardinality(String),
    event               LowCardinality(String),
    distinct_id         String,
    anonymous_id        String,
    user_id             String,
    timestamp           DateTime64(3, 'UTC'),
    original_timestamp  DateTime64(3, 'UTC'),
    sent_at             Nullable(DateTime64(3, 'UTC')),
    received_at         DateTime64(3, 'UTC'),
    session_id          String,
    product_id          String,
    order_id            String,
    category            String,
    brand               String,
    price               Nullable(Float64),
    quantity            Nullable(UInt32),
    revenue             Nullable(Float64),
    discount            Nullable(Float64),
    coupon              String,
    currency            LowCardinality(String),
    query               String,
    rating              Nullable(UInt8),
    share_to            String,
    products            Array(Tuple(product_id String, category String, brand String, price Float64, quantity UInt32)),
    page_url            String,
    page_path           String,
    referrer            String,
    utm_source          LowCardinality(String),
    utm_medium          LowCardinality(String),
    utm_campaign        String,
    device_type         LowCardinality(String),
    os_name             LowCardinality(String),
    locale              LowCardinality(String),
    timezone            LowCardinality(String),
    ip_masked           String,
    user_agent          String,
    library             LowCardinality(String),
    properties          String CODEC(ZSTD(3)),
    context             String CODEC(ZSTD(3)),
    traits              String CODEC(ZSTD(3)),
    pii                 String CODEC(ZSTD(3)),
    email_hash          String,
    phone_hash          String,
    previous_id         String,
    group_id            String,
    write_key_id        LowCardinality(String),
    INDEX idx_message_id message_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_order_id order_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (distinct_id, timestamp, message_id)
SETTINGS index_granularity = 8192;

-- Messages that failed validation, kept with the reason so nothing a client sent is silently lost.
-- shard: cityHash64(request_id)
CREATE TABLE IF NOT EXISTS ${db}.dead_letters
(
    received_at   DateTime64(3, 'UTC'),
    request_id    String,
    source        LowCardinality(String),
    batch_index   Int32,
    message_id    String,
    reason        String,
    details       String,
    payload       String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (received_at, request_id, batch_index)
TTL toDateTime(received_at) + INTERVAL 90 DAY;

-- The identity map mirrored from Postgres (the source of truth for merges) so analytics can resolve
-- any anonymousId/userId to its person with a join. Latest version wins.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.person_ids
(
    distinct_id   String,
    person_id     String,
    version       UInt64,
    is_deleted    UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY distinct_id;
