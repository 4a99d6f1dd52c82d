import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisEn from "@shopify/polaris/locales/en.json" with { type: "json" };
import polarisFr from "@shopify/polaris/locales/fr.json" with { type: "json" };
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { detectLocale, translate, type Locale } from "~/i18n";
import { login } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

type LoginErrors = { shop?: string };

function loginErrorMessage(errors: { shop?: unknown } | undefined, locale: Locale): LoginErrors {
  if (!errors?.shop) return {};
  return { shop: translate(locale, "login.invalidShop") };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = detectLocale(request);
  return json({ locale, errors: loginErrorMessage(await login(request), locale) });
}

export async function action({ request }: ActionFunctionArgs) {
  const locale = detectLocale(request);
  return json({ errors: loginErrorMessage(await login(request), locale) });
}

export default function Auth() {
  const { locale, errors: loaderErrors } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const errors = actionData?.errors ?? loaderErrors;
  return (
    <PolarisAppProvider i18n={locale === "fr" ? polarisFr : polarisEn}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h2">
                {translate(locale, "app.name")}
              </Text>
              <TextField
                type="text"
                name="shop"
                label={translate(locale, "login.shopDomain")}
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={errors.shop}
              />
              <Button submit>{translate(locale, "login.submit")}</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
