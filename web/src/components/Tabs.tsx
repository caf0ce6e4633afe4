import { navigate } from '../router.ts';

/**
 * A row of tabs that are links, followed through the client router. `active` is the tab drawn as selected;
 * `current` the one that is the page itself (`aria-current`) — they differ on a page under a tab, such as
 * one segment under the list.
 */
export function Tabs<T extends string>(p: { tabs: readonly T[]; label: string; active: T | null; current: T | null; path(tab: T): string; name(tab: T): string }) {
  return (
    <nav className="tabs" aria-label={p.label}>
      {p.tabs.map((x) => (
        <a
          key={x}
          href={p.path(x)}
          className={`tab${x === p.active ? ' active' : ''}`}
          aria-current={x === p.current ? 'page' : undefined}
          data-tab={x}
          onClick={(e) => {
            e.preventDefault();
            navigate(p.path(x));
          }}
        >
          {p.name(x)}
        </a>
      ))}
    </nav>
  );
}
