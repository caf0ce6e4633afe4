/** The search the user came from, so "back" on a profile returns to those results. */
let last = '/profiles';

export function rememberSearch(path: string): void {
  last = path;
}

export function lastSearch(): string {
  return last;
}
