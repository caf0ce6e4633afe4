-- Who each campaign run reached or held out, for measuring it (src/campaigns/results.ts): one row per
-- (campaign, run, person) written when the audience is resolved, control included, so conversions of
-- the treated and the control are counted by the same query over events.
-- shard: cityHash64(person_id)
CREATE TABLE IF NOT EXISTS ${db}.campaign_assignments
(
    campaign_id   String,
    run_id        String,
    person_id     String,
    user_id       String,
    arm           LowCardinality(String),
    assigned_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (campaign_id, run_id, person_id);
