export { assignArm, bucket, type Arm } from './assign.ts';
export { armStats, uplift, Z95, type ArmStats, type Uplift } from './stats.ts';
export { ExperimentExistsError, ExperimentStore, type Experiment, type ExperimentArm } from './store.ts';
export { experimentResults, personOutcomes, summarise, METRICS, type ExperimentResults, type PersonOutcome } from './results.ts';
