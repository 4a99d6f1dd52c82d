// Empty and error states shared by the insight pages.
import { Card, EmptyState, Page } from "@shopify/polaris";
import { useT } from "~/i18n";

export function NoAnalysisYet({ title }: { title: string }) {
  const t = useT();
  return (
    <Page title={title}>
      <Card>
        <EmptyState heading={t("insights.emptyHeading")} image="" action={{ content: t("insights.emptyAction"), url: "/app/data" }}>
          <p>{t("insights.emptyBody")}</p>
        </EmptyState>
      </Card>
    </Page>
  );
}
