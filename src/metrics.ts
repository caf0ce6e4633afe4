import { Histogram, type Registry } from 'prom-client';

/**
 * Metrics several modules share, made once per registry: `hx_build_seconds{job}` — how long each
 * recomputation of derived data takes (the tag build, segment evaluation, model training).
 */
export function buildSeconds(registry: Registry | undefined): Histogram<'job'> | null {
  if (!registry) return null;
  const name = 'hx_build_seconds';
  return (
    (registry.getSingleMetric(name) as Histogram<'job'> | undefined) ??
    new Histogram({
      name,
      help: 'duration of recomputing derived data, by job (tags: full tag build; segments: re-evaluating every dynamic segment; recommend: model training)',
      labelNames: ['job'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    })
  );
}

/** Times `work` into `hx_build_seconds{job}` (when a registry is given); resolves to its result. */
export async function timedBuild<T>(registry: Registry | undefined, job: string, work: () => Promise<T>): Promise<T> {
  const end = buildSeconds(registry)?.startTimer({ job });
  try {
    return await work();
  } finally {
    end?.();
  }
}
