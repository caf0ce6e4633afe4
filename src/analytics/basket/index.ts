/** Market-basket analysis: association rules over pairs and triples, and "bought together" per item (docs/analytics-baskets.md). */
export {
  basketRules, boughtTogether, minCountOf, BASKET_DEFAULTS, RULE_SORTS,
  type BasketRuleOptions, type BasketRules, type BasketRule, type FrequentPair, type RuleSort, type BoughtTogetherOptions, type BoughtTogether,
} from './rules.ts';
export { BASKET_LEVELS, type BasketLevel } from './sql.ts';
