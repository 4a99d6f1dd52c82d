import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useLocation, useNavigate, useRevalidator, useRouteError } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  List,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { RouteError, useToast } from "~/components/adminShell";
import type { MessageRef } from "~/domain/messageRef";
import type { SegmentRule } from "~/domain/rfm";
import { messageText, segmentText, useLocale, useT, type MessageKey } from "~/i18n";
import { requireAdmin } from "~/lib/adminAuth.server";
import { formatDateTime, formatMoney, formatNumber } from "~/lib/format";
import { recomputeStatus, startRecompute, type RecomputeStatus } from "~/services/recompute.server";
import { deleteSpendMonth, getSettingsPage, previewRules, resetRules, saveAnalysisHour, saveRules, saveSpend } from "~/services/settings.server";

export const meta: MetaFunction = () => [{ title: "Rapport · Settings" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return { ...(await getSettingsPage(shop)), recompute: recomputeStatus(shop) };
}

function parseJson(text: FormDataEntryValue | null): unknown {
  try {
    return typeof text === "string" ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "preview") return { intent, ...(await previewRules(shop, parseJson(form.get("rules")))) };
  if (intent === "save") {
    const result = await saveRules(shop, parseJson(form.get("rules")));
    if (result.ok) startRecompute(shop);
    return { intent, ...result };
  }
  if (intent === "reset") {
    await resetRules(shop);
    startRecompute(shop);
    return { intent, ok: true as const, problems: [] as MessageRef[] };
  }
  if (intent === "spend") {
    const result = await saveSpend(shop, String(form.get("text") ?? ""));
    return { intent, ...result };
  }
  if (intent === "deleteSpend") {
    await deleteSpendMonth(shop, String(form.get("month") ?? ""));
    return { intent, ok: true as const, problems: [] as MessageRef[] };
  }
  if (intent === "schedule") return { intent, ...(await saveAnalysisHour(shop, form.get("hour"))) };
  return { intent: "unknown", ok: false as const, problems: [] as MessageRef[] };
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

const SCORES = ["1", "2", "3", "4", "5"].map((v) => ({ label: v, value: v }));

function Problems({ title, problems }: { title: string; problems: MessageRef[] }) {
  const locale = useLocale();
  if (!problems.length) return null;
  return (
    <Banner tone="critical" title={title}>
      <List type="bullet">
        {problems.map((p, i) => (
          <List.Item key={i}>{messageText(locale, p)}</List.Item>
        ))}
      </List>
    </Banner>
  );
}

/** Starts a recompute and polls it (one fetcher: its data is always the latest status); reloads the page's data when it ends. */
function useRecompute(initial: RecomputeStatus) {
  const fetcher = useFetcher<RecomputeStatus>();
  const revalidator = useRevalidator();
  const toast = useToast();
  const t = useT();
  const status = fetcher.data ?? initial;
  const running = status.state === "running";
  const wasRunning = useRef(running);
  // Poll while a run is in progress, one request at a time (an overlapping load would abort the previous one).
  const idle = fetcher.state === "idle";
  useEffect(() => {
    if (!running || !idle) return;
    const timer = setTimeout(() => fetcher.load("/app/settings/recompute"), 700);
    return () => clearTimeout(timer);
    // The next poll is due when the last one has answered.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running, idle, fetcher.data]);
  useEffect(() => {
    if (running) {
      wasRunning.current = true;
      return;
    }
    if (!wasRunning.current) return;
    wasRunning.current = false;
    toast(status.state === "failed" ? t("settings.recomputeFailed") : t("settings.recomputed"), { error: status.state === "failed" });
    revalidator.revalidate();
    // Once per run's end.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running]);
  return { status, start: () => fetcher.submit(null, { method: "post", action: "/app/settings/recompute" }) };
}

function RecomputeProgress({ status }: { status: RecomputeStatus }) {
  const t = useT();
  if (status.state !== "running") return null;
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm">
        {t("settings.recomputing", { done: Math.min(status.done + 1, status.total), total: status.total })}
      </Text>
      <ProgressBar progress={Math.round((status.done / status.total) * 100)} size="small" />
    </BlockStack>
  );
}

function RulesEditor({ data, recompute }: { data: Data; recompute: ReturnType<typeof useRecompute> }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  // The page keys this editor by the stored table, so a save or reset starts it afresh.
  const [rules, setRules] = useState<SegmentRule[]>(data.rules);
  const preview = useFetcher<typeof action>();
  const save = useFetcher<typeof action>();
  useEffect(() => {
    if (save.state === "idle" && save.data?.ok && (save.data.intent === "save" || save.data.intent === "reset")) {
      toast(t(save.data.intent === "save" ? "settings.saved" : "settings.resetDone"));
      recompute.start();
    }
    // One toast per answer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [save.state, save.data]);

  const update = (i: number, change: (rule: SegmentRule) => SegmentRule) => setRules((rs) => rs.map((r, j) => (j === i ? change(r) : r)));
  const move = (i: number, by: number) =>
    setRules((rs) => {
      const next = [...rs];
      const [rule] = next.splice(i, 1);
      next.splice(i + by, 0, rule);
      return next;
    });
  const submit = (fetcher: typeof preview, intent: string) => fetcher.submit({ intent, rules: JSON.stringify(rules) }, { method: "post" });
  const problems = (save.data && !save.data.ok ? save.data.problems : null) ?? (preview.data && !preview.data.ok ? preview.data.problems : []);
  const counts = preview.data && "counts" in preview.data && preview.data.counts ? preview.data.counts : null;
  const storedBy = new Map(data.stored.map((s) => [s.segment, s.customers]));

  const scoreCell = (i: number, dim: "r" | "f" | "m", bound: "min" | "max", boundLabel: MessageKey) => (
    <Select
      label={t("settings.scoreLabel", { bound: t(boundLabel), row: i + 1 })}
      labelHidden
      options={SCORES}
      value={String(rules[i][dim][bound])}
      onChange={(v) => update(i, (r) => ({ ...r, [dim]: { ...r[dim], [bound]: Number(v) } }))}
    />
  );

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("settings.rules")}
        </Text>
        <Text as="p" tone="subdued">
          {t("settings.rulesHelp")}
        </Text>
        <Text as="p" fontWeight="semibold">
          {data.custom ? t("settings.rulesCustom") : t("settings.rulesDefault")}
        </Text>
        <Problems title={t("settings.problemsTitle")} problems={problems} />
        <div style={{ overflowX: "auto" }}>
          <table className="rapport-rules">
            <thead>
              <tr>
                {(
                  [
                    "settings.order",
                    "settings.key",
                    "settings.name",
                    "settings.rMin",
                    "settings.rMax",
                    "settings.fMin",
                    "settings.fMax",
                    "settings.mMin",
                    "settings.mMax",
                  ] as MessageKey[]
                ).map((k) => (
                  <th key={k} scope="col">
                    {t(k)}
                  </th>
                ))}
                <th scope="col">
                  <span className="rapport-visually-hidden">{t("settings.delete")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>
                    <TextField
                      label={t("settings.keyLabel", { row: i + 1 })}
                      labelHidden
                      value={rule.key}
                      onChange={(v) => update(i, (r) => ({ ...r, key: v }))}
                      autoComplete="off"
                    />
                  </td>
                  <td>{segmentText(locale, rule.key)}</td>
                  <td>{scoreCell(i, "r", "min", "settings.rMin")}</td>
                  <td>{scoreCell(i, "r", "max", "settings.rMax")}</td>
                  <td>{scoreCell(i, "f", "min", "settings.fMin")}</td>
                  <td>{scoreCell(i, "f", "max", "settings.fMax")}</td>
                  <td>{scoreCell(i, "m", "min", "settings.mMin")}</td>
                  <td>{scoreCell(i, "m", "max", "settings.mMax")}</td>
                  <td>
                    <ButtonGroup variant="segmented">
                      <Button size="slim" disabled={i === 0} onClick={() => move(i, -1)} accessibilityLabel={t("settings.moveUp", { row: i + 1 })}>
                        ↑
                      </Button>
                      <Button
                        size="slim"
                        disabled={i === rules.length - 1}
                        onClick={() => move(i, 1)}
                        accessibilityLabel={t("settings.moveDown", { row: i + 1 })}
                      >
                        ↓
                      </Button>
                      <Button
                        size="slim"
                        tone="critical"
                        onClick={() => setRules((rs) => rs.filter((_, j) => j !== i))}
                        accessibilityLabel={t("settings.remove", { row: i + 1 })}
                      >
                        ×
                      </Button>
                    </ButtonGroup>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <InlineStack gap="200">
          <Button onClick={() => setRules((rs) => [...rs, { key: "", r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } }])}>
            {t("settings.addRule")}
          </Button>
          <Button onClick={() => submit(preview, "preview")} loading={preview.state !== "idle"}>
            {t("settings.preview")}
          </Button>
          <Button
            variant="primary"
            onClick={() => submit(save, "save")}
            loading={save.state !== "idle"}
            disabled={recompute.status.state === "running"}
          >
            {t("settings.save")}
          </Button>
          <Button
            variant="plain"
            onClick={() => save.submit({ intent: "reset" }, { method: "post" })}
            disabled={!data.custom || recompute.status.state === "running"}
          >
            {t("settings.reset")}
          </Button>
        </InlineStack>
        <RecomputeProgress status={recompute.status} />
        {counts ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("settings.previewTitle")}
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              {t("settings.previewHelp")}
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric", "numeric"]}
              headings={[t("settings.name"), t("settings.now"), t("settings.withEdits")]}
              rows={counts.map((c) => [
                segmentText(locale, c.segment),
                formatNumber(storedBy.get(c.segment) ?? 0, locale),
                formatNumber(c.customers, locale),
              ])}
            />
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function SpendCard({ data }: { data: Data }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const fetcher = useFetcher<typeof action>();
  const [month, setMonth] = useState("");
  const [amount, setAmount] = useState("");
  const [text, setText] = useState("");
  const money = (v: string | null) => (v === null ? "—" : formatMoney(v, data.shop.currency, locale));
  // A saved entry empties the form (state adjusted while rendering the new answer).
  const [answered, setAnswered] = useState(fetcher.data);
  if (fetcher.data !== answered) {
    setAnswered(fetcher.data);
    if (fetcher.data?.ok && fetcher.data.intent === "spend") {
      setMonth("");
      setAmount("");
      setText("");
    }
  }
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data?.ok) return;
    if (fetcher.data.intent === "spend") toast(t("settings.spendSaved", { count: "saved" in fetcher.data ? fetcher.data.saved : 0 }));
    else if (fetcher.data.intent === "deleteSpend") toast(t("settings.spendDeleted"));
    // One toast per answer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.state, fetcher.data]);
  const problems = fetcher.data && !fetcher.data.ok && fetcher.data.intent === "spend" ? fetcher.data.problems : [];
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("settings.spend")}
        </Text>
        <Text as="p" tone="subdued">
          {t("settings.spendHelp", { currency: data.shop.currency })}
        </Text>
        <Problems title={t("settings.spendProblems")} problems={problems} />
        <FormLayout>
          <FormLayout.Group condensed>
            <TextField label={t("settings.month")} type="month" value={month} onChange={setMonth} autoComplete="off" placeholder="2026-01" />
            <TextField
              label={t("settings.amount")}
              type="text"
              inputMode="decimal"
              value={amount}
              onChange={setAmount}
              autoComplete="off"
              suffix={data.shop.currency}
            />
          </FormLayout.Group>
          <Button
            onClick={() => fetcher.submit({ intent: "spend", text: `${month},${amount}` }, { method: "post" })}
            loading={fetcher.state !== "idle"}
          >
            {t("settings.addSpend")}
          </Button>
          <TextField
            label={t("settings.pasteLabel")}
            value={text}
            onChange={setText}
            multiline={4}
            autoComplete="off"
            helpText={t("settings.pasteHelp")}
            monospaced
          />
          <Button onClick={() => fetcher.submit({ intent: "spend", text }, { method: "post" })} disabled={!text.trim()}>
            {t("settings.pasteSubmit")}
          </Button>
        </FormLayout>
        {data.spend.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("settings.spendEmpty")}
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "numeric", "text"]}
            headings={[t("settings.month"), t("settings.amount"), ""]}
            rows={[...data.spend].reverse().map((s) => [
              s.month,
              money(s.amount),
              <Button
                key={s.month}
                variant="plain"
                tone="critical"
                onClick={() => fetcher.submit({ intent: "deleteSpend", month: s.month }, { method: "post" })}
                accessibilityLabel={t("settings.deleteMonth", { month: s.month })}
              >
                {t("settings.delete")}
              </Button>,
            ])}
          />
        )}
        {data.cac.length ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("settings.cacTitle")}
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              {t("settings.cacHelp")}
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric"]}
              headings={[t("settings.range"), t("settings.amount"), t("settings.newCustomers"), t("settings.cac")]}
              rows={data.cac.map((c) => [
                t(`settings.range.${c.rangeKind}` as MessageKey),
                money(c.spend),
                formatNumber(c.newCustomers, locale),
                money(c.cac),
              ])}
            />
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** The nightly analysis hour: a whole hour of the shop's time zone, saved on its own. */
function ScheduleHour({ hour, timeZone }: { hour: number; timeZone: string }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const fetcher = useFetcher<typeof action>();
  const [value, setValue] = useState(String(hour));
  // Hours as the viewer writes them ("03:00", "3:00 AM"): a fixed UTC date, formatted in UTC.
  const label = (h: number) =>
    new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", { timeStyle: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2026, 0, 15, h)));
  const saved = fetcher.state === "idle" && fetcher.data?.intent === "schedule" && fetcher.data.ok;
  useEffect(() => {
    if (saved) toast(t("settings.scheduleSaved"));
  }, [saved, toast, t]);
  const problems = fetcher.data?.intent === "schedule" && !fetcher.data.ok ? fetcher.data.problems : [];
  const current = saved && fetcher.data && "hour" in fetcher.data && typeof fetcher.data.hour === "number" ? fetcher.data.hour : hour;
  return (
    <BlockStack gap="200">
      <Text as="p">{t("settings.scheduleNightly", { time: label(current) })}</Text>
      <InlineStack gap="200" blockAlign="end">
        <Select
          label={t("settings.scheduleHourLabel", { zone: timeZone })}
          options={Array.from({ length: 24 }, (_, h) => ({ label: label(h), value: String(h) }))}
          value={value}
          onChange={setValue}
          error={problems.length ? problems.map((p) => messageText(locale, p)).join(" ") : undefined}
        />
        <Button
          onClick={() => fetcher.submit({ intent: "schedule", hour: value }, { method: "post" })}
          loading={fetcher.state !== "idle"}
          disabled={value === String(current)}
        >
          {t("settings.scheduleSave")}
        </Button>
      </InlineStack>
    </BlockStack>
  );
}

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const navigate = useNavigate();
  const { pathname, search } = useLocation();
  const recompute = useRecompute(data.recompute);
  const changeLanguage = (value: string) => {
    const params = new URLSearchParams(search);
    params.set("locale", value);
    navigate(`${pathname}?${params}`);
  };
  return (
    <Page title={t("settings.title")}>
      <style>{`.rapport-rules{border-collapse:collapse;width:100%}.rapport-rules th,.rapport-rules td{padding:4px 6px;text-align:left;white-space:nowrap}.rapport-rules th{font-weight:600}.rapport-rules td:nth-child(2){min-width:11rem}.rapport-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`}</style>
      <Layout>
        <Layout.Section>
          <RulesEditor data={data} recompute={recompute} />
        </Layout.Section>
        <Layout.Section>
          <SpendCard data={data} />
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("settings.language")}
                </Text>
                <Select
                  label={t("settings.languageLabel")}
                  options={[
                    { label: "English", value: "en" },
                    { label: "Français", value: "fr" },
                  ]}
                  value={locale}
                  onChange={changeLanguage}
                />
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("settings.languageHelp")}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("settings.schedule")}
                </Text>
                <ScheduleHour hour={data.analysisHour} timeZone={data.shop.timeZone} />
                <Text as="p">{t("settings.scheduleSync")}</Text>
                <Text as="p" tone="subdued">
                  {data.analysedAt
                    ? t("settings.lastRun", { date: formatDateTime(data.analysedAt, locale, data.shop.timeZone) })
                    : t("settings.neverRun")}
                </Text>
                <InlineStack>
                  <Button onClick={recompute.start} loading={recompute.status.state === "running"}>
                    {t("settings.recompute")}
                  </Button>
                </InlineStack>
                <RecomputeProgress status={recompute.status} />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} />;
}
