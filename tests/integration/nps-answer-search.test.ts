// The NPS page's answer search, on both backends: what the merchant types is found literally, in
// any case. Prisma's `contains` is an ILIKE pattern, where `%` and `_` would be wildcards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAnswers } from "~/models/nps.server";
import { submitStorefrontAnswer } from "~/services/nps.server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "nps-search-test.myshopify.com";
const COMMENTS = ["50% off was great", "5000 thanks", "snake_case fan", "snakeXcase fan", "Back\\slash"];

describe.each(BACKENDS)("NPS answer search on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  const search = async (text: string) => {
    const { rows, total } = await listAnswers(ctx.db.prisma, SHOP, {
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z"),
      minScore: 0,
      maxScore: 10,
      search: text,
      take: 10,
      skip: 0,
    });
    return { comments: rows.map((r) => r.comment).sort(), total };
  };

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    await ctx.db.prisma.$executeRawUnsafe(
      `INSERT INTO "Shop" (domain, currency, "ianaTimezone", "updatedAt") VALUES ($1, 'EUR', 'Europe/Paris', now())`,
      SHOP,
    );
    // Anonymous answers: no throttling by shopper.
    for (const [i, comment] of COMMENTS.entries()) {
      await submitStorefrontAnswer(ctx.db.prisma, SHOP, {
        customerShopifyId: null,
        body: { score: i + 3, comment },
        optedOut: false,
        now: new Date(Date.UTC(2026, 5, 1 + i)),
      });
    }
  });
  afterAll(async () => {
    await ctx?.cleanup();
  });

  it("finds `%`, `_` and `\\` literally, in any case", async () => {
    expect(await search("50%")).toEqual({ comments: ["50% off was great"], total: 1 });
    expect(await search("E_C")).toEqual({ comments: ["snake_case fan"], total: 1 });
    expect(await search("k\\s")).toEqual({ comments: ["Back\\slash"], total: 1 });
    expect(await search("FAN")).toEqual({ comments: ["snakeXcase fan", "snake_case fan"], total: 2 });
    expect(await search("%")).toEqual({ comments: ["50% off was great"], total: 1 });
  });
});
