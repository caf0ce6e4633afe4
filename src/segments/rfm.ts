import type { OlapStore } from '../store/olap/index.ts';

export const RFM_CLASSES = [
  'important_value', 'important_develop', 'important_keep', 'important_winback',
  'general_value', 'general_develop', 'general_keep', 'general_winback',
] as const;

export interface RfmView {
  buyers: number;
  classes: { class: string; count: number; share: number; gmv: number; gmvShare: number; avgR: number; avgF: number; avgM: number }[];
  /** how people moved between classes from the previous full build's snapshot to the current values */
  movement: { from: string; to: string; count: number }[];
  previousBuild: string | null;
}

/** The eight RFM classes with counts and spend share, and movement between classes since the last build. */
export async function rfmView(olap: OlapStore): Promise<RfmView> {
  const db = olap.db;
  const classes = await olap.query<{ c: string; n: number; gmv: number; r: number; f: number; m: number }>(
    `SELECT c.value_str AS c, count() AS n, sum(ifNull(g.value_num, 0)) AS gmv,
            avg(r.value_num) AS r, avg(f.value_num) AS f, avg(m.value_num) AS m
     FROM (SELECT person_id, value_str FROM ${db}.tag_values FINAL WHERE tag_code = 'rfm_class') AS c
     LEFT JOIN (SELECT person_id, value_num FROM ${db}.tag_values FINAL WHERE tag_code = 'gmv_365d') AS g ON g.person_id = c.person_id
     LEFT JOIN (SELECT person_id, value_num FROM ${db}.tag_values FINAL WHERE tag_code = 'rfm_r') AS r ON r.person_id = c.person_id
     LEFT JOIN (SELECT person_id, value_num FROM ${db}.tag_values FINAL WHERE tag_code = 'rfm_f') AS f ON f.person_id = c.person_id
     LEFT JOIN (SELECT person_id, value_num FROM ${db}.tag_values FINAL WHERE tag_code = 'rfm_m') AS m ON m.person_id = c.person_id
     GROUP BY c`,
  );
  const builds = await olap.query<{ build_id: string }>(
    `SELECT build_id FROM ${db}.tag_snapshots WHERE tag_code = 'rfm_class' GROUP BY build_id ORDER BY max(snapshot_date) DESC, build_id DESC LIMIT 2`,
  );
  const previous = builds[1]?.build_id ?? null;
  const movement = previous
    ? await olap.query<{ from: string; to: string; n: number }>(
        `SELECT s.value_str AS from, v.value_str AS to, count() AS n
         FROM (SELECT person_id, value_str FROM ${db}.tag_snapshots WHERE tag_code = 'rfm_class' AND build_id = {b:String}) AS s
         JOIN (SELECT person_id, value_str FROM ${db}.tag_values FINAL WHERE tag_code = 'rfm_class') AS v ON v.person_id = s.person_id
         WHERE s.value_str != v.value_str GROUP BY from, to ORDER BY n DESC`,
        { b: previous },
      )
    : [];
  const buyers = classes.reduce((s, c) => s + Number(c.n), 0);
  const gmv = classes.reduce((s, c) => s + Number(c.gmv), 0);
  const by = new Map(classes.map((c) => [c.c, c]));
  return {
    buyers,
    classes: RFM_CLASSES.map((k) => {
      const c = by.get(k);
      const n = Number(c?.n ?? 0);
      const g = Number(c?.gmv ?? 0);
      const round = (x: number | undefined) => Math.round(Number(x ?? 0) * 100) / 100;
      return { class: k, count: n, share: buyers ? n / buyers : 0, gmv: Math.round(g * 100) / 100, gmvShare: gmv ? g / gmv : 0, avgR: round(c?.r), avgF: round(c?.f), avgM: round(c?.m) };
    }),
    movement: movement.map((m) => ({ from: m.from, to: m.to, count: Number(m.n) })),
    previousBuild: previous,
  };
}
