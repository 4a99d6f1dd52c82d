// A chart that renders on the client only: the server (and the first paint) get a box of the
// final size, so nothing moves when the chart arrives; polaris-viz loads after mount
// (viz.client.tsx). Every chart carries its data as a table: visually hidden for screen
// readers, or shown with the "Show as table" toggle.
import { BlockStack, Button, DataTable, InlineStack, Text } from "@shopify/polaris";
import { useEffect, useState, type ComponentType } from "react";
import { useT } from "~/i18n";
import type { ChartKind, ChartSeries } from "./types";
import type { VizProps } from "./viz.client";

let vizModule: Promise<{ default: ComponentType<VizProps> }> | null = null;
function loadViz() {
  vizModule ??= import("./viz.client");
  return vizModule;
}

export interface ChartTable {
  headings: string[];
  rows: (string | number)[][];
  /** Numeric columns are right-aligned. */
  numeric?: boolean[];
}

export interface ChartProps {
  kind: ChartKind;
  /** What the chart shows, one sentence (also the table's caption). */
  title: string;
  data: ChartSeries[];
  height: number;
  table: ChartTable;
  xFormat?: (value: string) => string;
  yFormat?: (value: number) => string;
  /** Sparklines have no toggle: their figure is printed next to them. */
  toggle?: boolean;
}

export function Chart({ kind, title, data, height, table, xFormat, yFormat, toggle = true }: ChartProps) {
  const t = useT();
  const [Viz, setViz] = useState<ComponentType<VizProps> | null>(null);
  const [asTable, setAsTable] = useState(false);
  useEffect(() => {
    let live = true;
    // After the first paint: the chart never delays Largest Contentful Paint.
    const start = () =>
      void loadViz().then((m) => {
        if (live) setViz(() => m.default);
      });
    const idle = typeof window.requestIdleCallback === "function" ? window.requestIdleCallback(start, { timeout: 300 }) : window.setTimeout(start, 0);
    return () => {
      live = false;
      if (typeof window.cancelIdleCallback === "function") window.cancelIdleCallback(idle);
      else window.clearTimeout(idle);
    };
  }, []);
  const hiddenTable = <DataTableView title={title} table={table} hidden />;
  if (kind === "spark") {
    return (
      <div style={{ height, width: "100%" }} aria-hidden="true" {...{ inert: "" }}>
        {Viz ? <Viz kind="spark" data={data} accessibilityLabel={title} /> : null}
      </div>
    );
  }
  return (
    <BlockStack gap="200">
      {toggle ? (
        <InlineStack align="end">
          <Button variant="plain" onClick={() => setAsTable(!asTable)} ariaExpanded={asTable}>
            {asTable ? t("charts.showChart") : t("charts.showTable")}
          </Button>
        </InlineStack>
      ) : null}
      {asTable ? (
        <DataTableView title={title} table={table} />
      ) : (
        <>
          {/* The drawing is for the eye only (the table below carries the data): hidden from assistive
              technology and out of the tab order (`inert`; React 18 passes it through as a string). */}
          <div style={{ height, width: "100%" }} data-chart-ready={Viz ? "true" : "false"} aria-hidden="true" {...{ inert: "" }}>
            {Viz ? <Viz kind={kind} data={data} xFormat={xFormat} yFormat={yFormat} accessibilityLabel={title} /> : <ChartPlaceholder />}
          </div>
          {hiddenTable}
        </>
      )}
    </BlockStack>
  );
}

function ChartPlaceholder() {
  return <div style={{ height: "100%", borderRadius: 8, background: "var(--p-color-bg-surface-secondary)" }} />;
}

const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: "hidden",
  clip: "rect(0, 0, 0, 0)",
  whiteSpace: "nowrap",
  border: 0,
} as const;

function DataTableView({ title, table, hidden = false }: { title: string; table: ChartTable; hidden?: boolean }) {
  if (hidden) {
    return (
      <table style={visuallyHidden}>
        <caption>{title}</caption>
        <thead>
          <tr>
            {table.headings.map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, c) =>
                c === 0 ? (
                  <th key={c} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={c}>{cell}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm" tone="subdued">
        {title}
      </Text>
      <DataTable
        columnContentTypes={table.headings.map((_, i) => (table.numeric ? (table.numeric[i] ? "numeric" : "text") : i === 0 ? "text" : "numeric"))}
        headings={table.headings}
        rows={table.rows}
      />
    </BlockStack>
  );
}
