-- The item catalog: what importers can infer (and what shops send). Latest row per item wins.
-- shard: cityHash64(item_id)
CREATE TABLE IF NOT EXISTS ${db}.items
(
    item_id      String,
    title        String,
    title_en     String,
    category     String,
    category_id  String,
    brand        String,
    price        Nullable(Float64),
    currency     LowCardinality(String),
    launched_at  Nullable(DateTime64(3, 'UTC')),
    attributes   String CODEC(ZSTD(3)),
    source       LowCardinality(String),
    updated_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY item_id;
