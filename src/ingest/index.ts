export { runPipeline, type PipelineInput, type PipelineOutput, type Rejection } from './pipeline.ts';
export { BatchingWriter, OverloadedError, type WriteOutcome } from './writer.ts';
export { ingestMetrics, type IngestMetrics } from './metrics.ts';
export type { DeadLetter } from './deadLetter.ts';
