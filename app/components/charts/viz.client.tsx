// The only module that imports @shopify/polaris-viz (≈124 KB gzip with d3 and react-spring, and
// it cannot render on the server): loaded by Chart.tsx with a dynamic import after the page
// has painted, so neither the server render nor Largest Contentful Paint waits for it.
import "@shopify/polaris-viz/build/esm/styles.css";
import { BarChart, LineChart, PolarisVizProvider, SparkLineChart, StackedAreaChart } from "@shopify/polaris-viz";
import type { ChartKind, ChartSeries } from "./types";

export interface VizProps {
  kind: ChartKind;
  data: ChartSeries[];
  xFormat?: (value: string) => string;
  yFormat?: (value: number) => string;
  accessibilityLabel: string;
}

export default function Viz({ kind, data, xFormat, yFormat, accessibilityLabel }: VizProps) {
  // polaris-viz expects option objects (an undefined one breaks its bar chart).
  const x = xFormat ? { labelFormatter: (v: string | number | null) => xFormat(String(v ?? "")) } : {};
  const y = yFormat ? { labelFormatter: (v: string | number | null) => yFormat(Number(v ?? 0)) } : {};
  // Keys left out rather than undefined: an explicit `color: undefined` breaks the bar chart's gradients.
  const series = data.map((s) => ({
    name: s.name,
    data: s.points.map((p) => ({ key: p.key, value: p.value })),
    ...(s.color ? { color: s.color } : {}),
    ...(s.comparison ? { isComparison: true } : {}),
  }));
  let chart;
  if (kind === "spark") chart = <SparkLineChart data={series} accessibilityLabel={accessibilityLabel} isAnimated={false} />;
  else if (kind === "bar") chart = <BarChart data={series} xAxisOptions={x} yAxisOptions={y} isAnimated={false} showLegend={data.length > 1} />;
  else if (kind === "stackedBar") chart = <BarChart data={series} type="stacked" xAxisOptions={x} yAxisOptions={y} isAnimated={false} />;
  else if (kind === "stackedArea") chart = <StackedAreaChart data={series} xAxisOptions={x} yAxisOptions={y} isAnimated={false} />;
  else chart = <LineChart data={series} xAxisOptions={x} yAxisOptions={y} isAnimated={false} />;
  return <PolarisVizProvider>{chart}</PolarisVizProvider>;
}
