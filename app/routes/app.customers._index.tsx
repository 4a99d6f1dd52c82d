import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useLocation, useNavigate, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Banner,
  Button,
  Card,
  EmptySearchResult,
  IndexTable,
  InlineGrid,
  InlineStack,
  Link,
  Page,
  Select,
  Text,
  TextField,
  useIndexResourceState,
  type IndexTableProps,
} from "@shopify/polaris";
import { useState } from "react";
import { RouteError, useLocaleHref, useToast, withLocale } from "~/components/adminShell";
import { parseCustomerQuery, RISK_BANDS, type CustomerSort, type RiskBand } from "~/domain/customerList";
import { segmentText, useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDate, formatMoney, formatNumber, formatPercent } from "~/lib/format";
import { listCustomers } from "~/services/customers.server";
import { getSegmentKeys } from "~/services/settings.server";

export const meta: MetaFunction = () => [{ title: "Rapport · Customers" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const query = parseCustomerQuery(new URL(request.url).searchParams);
  const [list, segments] = await Promise.all([listCustomers(shop, query), getSegmentKeys(shop)]);
  return { ...list, segments, query: { filter: query.filter, sort: query.sort, dir: query.dir } };
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

/** Sortable columns: heading index → metric. */
const SORT_COLUMNS: Partial<Record<number, CustomerSort>> = { 3: "frequency", 4: "monetary", 5: "predictedClv12m", 6: "pAlive", 7: "lastOrderAt" };
const riskTone = { high: "critical", medium: "warning", low: "success" } as const;

/** Downloads a CSV through fetch (App Bridge adds the session token in the Shopify admin). */
async function downloadCsv(url: string, filename: string) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`export failed: ${response.status}`);
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(href);
}

export default function Customers() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const { search } = useLocation();
  const href = useLocaleHref();
  const toast = useToast();
  const { shop, customers, query } = data;
  const money = (amount: string | null) => (amount === null ? "—" : formatMoney(amount, shop.currency, locale));
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(customers, {
    resourceIDResolver: (c) => c.id,
  });
  const loading = navigation.state === "loading" && navigation.location.pathname === "/app/customers";

  /** This page's URL with some parameters changed; a new filter or sort starts from the first page. */
  const urlWith = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    next.delete("after");
    next.delete("before");
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "") next.delete(key);
      else next.set(key, value);
    }
    const qs = next.toString();
    return `/app/customers${qs ? `?${qs}` : ""}`;
  };

  const exportCsv = async (ids?: string[]) => {
    const exportParams = new URLSearchParams(params);
    exportParams.delete("after");
    exportParams.delete("before");
    if (ids) exportParams.set("ids", ids.join(","));
    try {
      await downloadCsv(`/app/customers/export?${exportParams}`, "customers.csv");
      toast(t("customers.exported"));
      if (ids) clearSelection();
    } catch {
      toast(t("customers.exportFailed"), { error: true });
    }
  };

  const sortIndex = Number(Object.entries(SORT_COLUMNS).find(([, sort]) => sort === query.sort)?.[0] ?? 7);
  const onSort: IndexTableProps["onSort"] = (index, direction) => {
    const sort = SORT_COLUMNS[index];
    if (sort) navigate(urlWith({ sort, dir: direction === "ascending" ? "asc" : "desc" }));
  };
  const filtered = Object.keys(query.filter).length > 0;
  const subtitle = data.capped
    ? t("customers.subtitleCapped", { total: data.total })
    : data.withoutOrders > 0
      ? t("customers.subtitleWithout", { total: data.total, without: data.withoutOrders })
      : t("customers.subtitle", { total: data.total });

  const rows = customers.map((c, index) => (
    <IndexTable.Row id={c.id} key={c.id} position={index} selected={selectedResources.includes(c.id)}>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Link url={`/app/customers/${c.id}`} monochrome removeUnderline dataPrimaryLink>
            <Text as="span" fontWeight="semibold">
              {c.name ?? c.email ?? t("customers.noName")}
            </Text>
          </Link>
          {c.name && c.email ? (
            <Text as="span" variant="bodySm" tone="subdued">
              {c.email}
            </Text>
          ) : null}
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {c.segment ? (
          <Badge>{segmentText(locale, c.segment)}</Badge>
        ) : (
          <Text as="span" tone="subdued">
            {t("customers.noOrders")}
          </Text>
        )}
      </IndexTable.Cell>
      <IndexTable.Cell>{c.r === null ? "—" : `${c.r} · ${c.f} · ${c.m}`}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {c.orders === null ? "—" : formatNumber(c.orders, locale)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {money(c.revenue)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {money(c.predictedClv)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {c.pAlive === null ? (
          "—"
        ) : (
          <InlineStack gap="100" blockAlign="center" wrap={false}>
            <Text as="span" numeric>
              {formatPercent(c.pAlive * 100, locale, 0)}
            </Text>
            {c.risk ? <Badge tone={riskTone[c.risk]}>{t(`customers.risk.${c.risk}` as MessageKey)}</Badge> : null}
          </InlineStack>
        )}
      </IndexTable.Cell>
      <IndexTable.Cell>{c.lastOrderAt ? formatDate(c.lastOrderAt, locale, shop.timeZone) : "—"}</IndexTable.Cell>
    </IndexTable.Row>
  ));

  const emptyState = filtered ? (
    <EmptySearchResult title={t("customers.emptyTitle")} description={t("customers.emptyFiltered")} withIllustration />
  ) : (
    <EmptySearchResult title={t("customers.emptyTitle")} description={t("customers.emptyShop")} withIllustration />
  );

  return (
    <Page
      title={t("customers.title")}
      subtitle={subtitle}
      primaryAction={{ content: t("customers.export"), onAction: () => void exportCsv(), disabled: customers.length === 0 }}
      fullWidth
    >
      <BlockStack gap="400">
        {data.analysedAt === null && customers.length > 0 ? <Banner tone="info">{t("customers.notAnalysed")}</Banner> : null}
        {query.filter.r !== undefined && query.filter.f !== undefined ? (
          <Banner tone="info" onDismiss={() => navigate(urlWith({ r: null, f: null }))}>
            {t("customers.cell", { r: query.filter.r, f: query.filter.f })}
          </Banner>
        ) : null}
        <Card padding="0">
          <Box padding="400">
            <FilterBar key={search} data={data} clearUrl={href("/app/customers")} />
          </Box>
          <IndexTable
            resourceName={{ singular: t("customers.resourceSingular"), plural: t("customers.resourcePlural") }}
            itemCount={customers.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            promotedBulkActions={[{ content: t("customers.exportSelected"), onAction: () => void exportCsv(selectedResources) }]}
            loading={loading}
            emptyState={emptyState}
            sortable={[false, false, false, true, true, true, true, true]}
            sortColumnIndex={sortIndex}
            sortDirection={query.dir === "asc" ? "ascending" : "descending"}
            onSort={onSort}
            headings={[
              { title: t("customers.col.customer") },
              { title: t("customers.col.segment") },
              { title: t("customers.col.rfm") },
              { title: t("customers.col.orders"), alignment: "end" },
              { title: t("customers.col.revenue"), alignment: "end" },
              { title: t("customers.col.clv"), alignment: "end" },
              { title: t("customers.col.pAlive") },
              { title: t("customers.col.lastOrder") },
            ]}
            pagination={{
              hasPrevious: Boolean(data.previous),
              hasNext: Boolean(data.next),
              onPrevious: () => data.previous && navigate(withLocale(urlWithCursor(params, "before", data.previous), search)),
              onNext: () => data.next && navigate(withLocale(urlWithCursor(params, "after", data.next), search)),
              accessibilityLabels: { previous: t("customers.previous"), next: t("customers.next") },
            }}
          >
            {rows}
          </IndexTable>
        </Card>
      </BlockStack>
    </Page>
  );
}

function urlWithCursor(params: URLSearchParams, side: "after" | "before", cursor: string) {
  const next = new URLSearchParams(params);
  next.delete("after");
  next.delete("before");
  next.set(side, cursor);
  return `/app/customers?${next}`;
}

/** Search and filters: a plain GET form (works before the page's script loads). */
function FilterBar({ data, clearUrl }: { data: Data; clearUrl: string }) {
  const t = useT();
  const locale = useLocale();
  const [params] = useSearchParams();
  const f = data.query.filter;
  const [values, setValues] = useState({
    q: f.q ?? "",
    segment: f.segment ?? "",
    risk: f.risk ?? "",
    clvMin: f.clvMin ?? "",
    clvMax: f.clvMax ?? "",
    from: f.from ?? "",
    to: f.to ?? "",
  });
  const set = (name: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [name]: value }));
  const segmentOptions = [
    { label: t("customers.anySegment"), value: "" },
    ...data.segments.map((key) => ({ label: segmentText(locale, key), value: key })),
  ];
  const riskOptions = [
    { label: t("customers.anyRisk"), value: "" },
    ...(Object.keys(RISK_BANDS) as RiskBand[]).map((band) => ({ label: t(`customers.risk.${band}` as MessageKey), value: band })),
  ];
  const kept = ["sort", "dir", "locale", "r", "f"].filter((name) => params.get(name));
  return (
    <Form method="get" action="/app/customers" role="search">
      {kept.map((name) => (
        <input key={name} type="hidden" name={name} value={params.get(name)!} />
      ))}
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="end" wrap={false}>
          <div style={{ flex: 1 }}>
            <TextField
              label={t("customers.search")}
              name="q"
              value={values.q}
              onChange={set("q")}
              placeholder={t("customers.searchPlaceholder")}
              autoComplete="off"
              clearButton
              onClearButtonClick={() => set("q")("")}
            />
          </div>
          <Button submit variant="primary">
            {t("customers.apply")}
          </Button>
          <Button url={clearUrl}>{t("customers.clear")}</Button>
        </InlineStack>
        <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 6 }} gap="200">
          <Select label={t("customers.segment")} name="segment" options={segmentOptions} value={values.segment} onChange={set("segment")} />
          <Select label={t("customers.risk")} name="risk" options={riskOptions} value={values.risk} onChange={set("risk")} helpText={undefined} />
          <TextField
            label={t("customers.clvMin")}
            name="clvMin"
            type="number"
            min={0}
            value={values.clvMin}
            onChange={set("clvMin")}
            autoComplete="off"
            prefix={data.shop.currency}
          />
          <TextField
            label={t("customers.clvMax")}
            name="clvMax"
            type="number"
            min={0}
            value={values.clvMax}
            onChange={set("clvMax")}
            autoComplete="off"
            prefix={data.shop.currency}
          />
          <TextField label={t("customers.lastOrderFrom")} name="from" type="date" value={values.from} onChange={set("from")} autoComplete="off" />
          <TextField label={t("customers.lastOrderTo")} name="to" type="date" value={values.to} onChange={set("to")} autoComplete="off" />
        </InlineGrid>
        <Text as="p" variant="bodySm" tone="subdued">
          {t("customers.riskHelp")}
        </Text>
      </BlockStack>
    </Form>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} />;
}
