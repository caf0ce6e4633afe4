/** What a pipeline step returns: the value to pass on, or a rejection that names the field. */
export type StepResult<T> = { ok: true; value: T } | { ok: false; path: string; message: string };

export const ok = <T>(value: T): StepResult<T> => ({ ok: true, value });
export const reject = (path: string, message: string): StepResult<never> => ({ ok: false, path, message });
