export { IdentityGraph } from './graph.ts';
export { linksOf, type IdentityLink } from './links.ts';
