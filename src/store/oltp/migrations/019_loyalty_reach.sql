-- Influence is estimated from the shares that could have worked (the recipient came through the link, or
-- was active in the shop around the share): how many there were, per sharer (src/loyalty/social/).
ALTER TABLE loyalty_influence ADD COLUMN reached integer NOT NULL DEFAULT 0;
