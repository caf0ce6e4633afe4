export { loadWorld, type SandboxWorld, type Shopper, type CatalogItem } from './world.ts';
export { simulate, categoryCode, type ArmTruth, type Delivery, type SimAssignment, type Simulation } from './model.ts';
export { Sandbox, sandboxApp, startSandbox, type RunningSandbox, type SandboxOptions, type SettleReport } from './server.ts';
