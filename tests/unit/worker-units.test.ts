import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { describe, expect, it } from "vitest";
import { backoffDelay, groupEvents } from "~/jobs/webhookWorker.server";
import { CachedSessionStorage } from "~/lib/cachedSessionStorage.server";
import type { ClaimedEvent } from "~/models/webhookEvent.server";

const event = (id: number, topic: string, shop = "a.myshopify.com"): ClaimedEvent => ({
  id,
  topic,
  shop,
  eventId: `e${id}`,
  payload: {},
  attempts: 1,
  triggeredAt: null,
  receivedAt: new Date(0),
});

describe("groupEvents", () => {
  it("groups consecutive create/update events of one kind and shop, keeps everything else alone and in order", () => {
    const groups = groupEvents([
      event(1, "customers/create"),
      event(2, "customers/update"),
      event(3, "orders/create"),
      event(4, "orders/updated"),
      event(5, "refunds/create"),
      event(6, "orders/create"),
      event(7, "orders/create", "b.myshopify.com"),
      event(8, "orders/delete"),
      event(9, "orders/delete"),
    ]);
    expect(groups.map((g) => [g.family, g.events.map((e) => e.id)])).toEqual([
      ["customers", [1, 2]],
      ["orders", [3, 4]],
      [null, [5]],
      ["orders", [6]],
      ["orders", [7]],
      [null, [8]],
      [null, [9]],
    ]);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base delay, is capped, and jitters within ±20 %", () => {
    expect(backoffDelay(1, 10_000, 3_600_000, () => 0.5)).toBe(10_000);
    expect(backoffDelay(4, 10_000, 3_600_000, () => 0.5)).toBe(80_000);
    expect(backoffDelay(30, 10_000, 3_600_000, () => 0.5)).toBe(3_600_000);
    expect(backoffDelay(2, 10_000, 3_600_000, () => 0)).toBe(16_000);
    expect(backoffDelay(2, 10_000, 3_600_000, () => 1)).toBe(24_000);
  });
});

describe("CachedSessionStorage", () => {
  function fakeStorage() {
    const rows = new Map<string, Session>();
    const calls = { load: 0 };
    const storage: SessionStorage = {
      async storeSession(s) {
        rows.set(s.id, s);
        return true;
      },
      async loadSession(id) {
        calls.load++;
        return rows.get(id);
      },
      async deleteSession(id) {
        return rows.delete(id);
      },
      async deleteSessions(ids) {
        ids.forEach((id) => rows.delete(id));
        return true;
      },
      async findSessionsByShop(shop) {
        return [...rows.values()].filter((s) => s.shop === shop);
      },
    };
    return { storage, calls, rows };
  }

  it("serves repeated reads from memory until the TTL, and sees its own writes at once", async () => {
    const { storage, calls } = fakeStorage();
    let now = 0;
    const cached = new CachedSessionStorage(storage, 5_000, () => now);
    expect(await cached.loadSession("offline_a")).toBeUndefined();
    expect(await cached.loadSession("offline_a")).toBeUndefined();
    expect(calls.load).toBe(1);

    const session = new Session({ id: "offline_a", shop: "a.myshopify.com", state: "s", isOnline: false, accessToken: "t" });
    await cached.storeSession(session);
    expect((await cached.loadSession("offline_a"))?.accessToken).toBe("t");
    expect(calls.load).toBe(2);

    await cached.deleteSession("offline_a");
    expect(await cached.loadSession("offline_a")).toBeUndefined();
    now = 6_000;
    await cached.loadSession("offline_a");
    expect(calls.load).toBe(4);
  });
});
