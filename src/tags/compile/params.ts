/**
 * Typed query parameters. Every literal in a tag definition becomes `{pN:Type}` in the SQL text and a
 * value here, so nothing a user typed is ever spliced into a statement.
 */
export class Params {
  readonly values: Record<string, unknown> = {};
  private n = 0;

  constructor(private readonly prefix = 'p') {}

  add(value: unknown, type: string): string {
    const name = `${this.prefix}${this.n++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }

  str(v: string): string {
    return this.add(v, 'String');
  }

  num(v: number): string {
    return this.add(v, 'Float64');
  }

  strs(v: readonly string[]): string {
    return this.add([...v], 'Array(String)');
  }

  nums(v: readonly number[]): string {
    return this.add([...v], 'Array(Float64)');
  }

  /** a scalar from JSON: its SQL type follows its JS type */
  scalar(v: string | number | boolean): string {
    return typeof v === 'string' ? this.str(v) : this.num(typeof v === 'boolean' ? Number(v) : v);
  }
}
