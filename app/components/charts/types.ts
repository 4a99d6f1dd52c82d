// Chart data as the pages build it (plain, serialisable): one series per line, bar group or area.
export type ChartKind = "line" | "bar" | "stackedBar" | "stackedArea" | "spark";

export interface ChartSeries {
  name: string;
  points: { key: string; value: number | null }[];
  color?: string;
  /** Drawn as the comparison (dashed, muted) series. */
  comparison?: boolean;
}
