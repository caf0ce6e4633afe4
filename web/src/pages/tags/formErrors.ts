import { ApiError } from '../../api.ts';

/** A rejected save: the server's message, and which form fields it names (from `error.details[].path`). */
export interface FormError {
  message: string;
  issues: { field: string; path: string; message: string }[];
}

/** `body.spec.stat.event` → field `spec`, path `spec.stat.event`. */
function fieldOf(path: string): { field: string; path: string } {
  const p = path.replace(/^body\./, '');
  return { field: p.split('.')[0] ?? p, path: p };
}

export function formError(e: unknown): FormError {
  if (!(e instanceof ApiError)) return { message: e instanceof Error ? e.message : String(e), issues: [] };
  const issues: FormError['issues'] = [];
  if (Array.isArray(e.details)) {
    for (const d of e.details as { path?: unknown; message?: unknown }[]) {
      if (typeof d?.path !== 'string') continue;
      const at = fieldOf(d.path);
      // a message may repeat its own path ("spec.stat.of: …"): keep it once
      issues.push({ ...at, message: String(d.message ?? '').replace(new RegExp(`^(body\\.)?${at.path.replace(/[.$]/g, '\\$&')}: `), '') });
    }
  } else {
    // no details: the message itself may start with the field path ("spec.stat.event: …")
    for (const part of e.message.split('; ')) {
      const m = /^([\w.]+): (.*)$/.exec(part);
      if (m) issues.push({ ...fieldOf(m[1]!), message: m[2]! });
    }
  }
  return { message: e.message, issues };
}

/** The messages about one form field, as "path: message" lines. */
export function issuesFor(err: FormError | null, field: string): string[] {
  return (err?.issues ?? []).filter((i) => i.field === field).map((i) => (i.path === field ? i.message : `${i.path}: ${i.message}`));
}
