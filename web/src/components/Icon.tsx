/** Line icons for the navigation (24×24, stroked with the text colour). */
const paths: Record<string, string[]> = {
  overview: ['M3 3h7v9H3z', 'M14 3h7v5h-7z', 'M14 12h7v9h-7z', 'M3 16h7v5H3z'],
  profiles: ['M12 4a4 4 0 1 1 0 8a4 4 0 1 1 0-8z', 'M4 21c1.5-4 4.5-6 8-6s6.5 2 8 6'],
  tags: ['M3 12V3h9l9 9-9 9z', 'M7.5 6a1.5 1.5 0 1 1 0 3a1.5 1.5 0 1 1 0-3z'],
  analytics: ['M3 17l6-6 4 4 8-8', 'M15 7h6v6'],
  segments: ['M9 4.5a3.5 3.5 0 1 1 0 7a3.5 3.5 0 1 1 0-7z', 'M2.5 20c1-3.5 3.5-5.5 6.5-5.5s5.5 2 6.5 5.5', 'M16 4.5a3.5 3.5 0 0 1 0 7', 'M18 14.8c2 .8 3.2 2.6 3.8 5.2'],
  recommendations: ['M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3 6.4 20.2l1.1-6.2L3 9.6l6.2-.9z'],
  campaigns: ['M22 2L11 13', 'M22 2l-7 20-4-9-9-4z'],
  loyalty: ['M20 12v9H4v-9', 'M2 7h20v5H2z', 'M12 21V7', 'M12 7H7.5a2.5 2.5 0 1 1 0-5C11 2 12 7 12 7z', 'M12 7h4.5a2.5 2.5 0 1 0 0-5C13 2 12 7 12 7z'],
  privacy: ['M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z', 'M9 12l2 2 4-4'],
  transparency: ['M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z', 'M12 9a3 3 0 1 1 0 6a3 3 0 1 1 0-6z'],
};

export function Icon({ name }: { name: string }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {(paths[name] ?? []).map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
