-- Recommendation feedback: "not interested" in an item or a category, and dislikes. Served from memory
-- (src/recommend/engine.ts loads it at start and applies new rows at once); kept here so it outlives
-- restarts and retraining. Training runs are recorded in model_runs (model = 'recommend').
CREATE TABLE recommend_feedback (
  id          bigserial PRIMARY KEY,
  person_id   text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('dislike', 'not_interested')),
  item_id     text,
  category    text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (item_id IS NOT NULL OR category IS NOT NULL)
);
CREATE INDEX recommend_feedback_person ON recommend_feedback (person_id);
