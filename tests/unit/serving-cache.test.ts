// The serving caches' rules with a hand-moved clock: entries live the TTL, a write forgets them at
// once, a read that a write overlapped is not kept, concurrent misses share one read, and a
// shop's rows expire together and are read again in one go.
import { describe, expect, it } from "vitest";
import { invalidateServing, ShopCache, ShopRowsCache } from "~/lib/servingCache.server";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("ShopCache", () => {
  it("keeps a value for the TTL, per database client and shop, and forgets it on a write", async () => {
    let now = 1_000;
    const cache = new ShopCache<number>("shop", 5_000, () => now);
    const db = {};
    let reads = 0;
    const read = (value: number) => () => Promise.resolve((reads++, value));
    expect(await cache.get(db, "a.myshopify.com", read(1))).toBe(1);
    now += 4_999;
    expect(await cache.get(db, "a.myshopify.com", read(2))).toBe(1);
    expect(await cache.get({}, "a.myshopify.com", read(3))).toBe(3);
    expect(await cache.get(db, "b.myshopify.com", read(4))).toBe(4);
    now += 1;
    expect(await cache.get(db, "a.myshopify.com", read(5))).toBe(5);
    invalidateServing("a.myshopify.com", "shop");
    expect(await cache.get(db, "a.myshopify.com", read(6))).toBe(6);
    // Another scope's write leaves it alone.
    invalidateServing("a.myshopify.com", "products");
    expect(await cache.get(db, "a.myshopify.com", read(7))).toBe(6);
    expect(reads).toBe(5);
  });

  it("does not keep a value read while a write happened, and shares one read among concurrent misses", async () => {
    const cache = new ShopCache<string>("shop", 5_000, () => 0);
    const db = {};
    const slow = deferred<string>();
    let reads = 0;
    const first = cache.get(db, "c.myshopify.com", () => (reads++, slow.promise));
    const second = cache.get(db, "c.myshopify.com", () => Promise.resolve((reads++, "other")));
    invalidateServing("c.myshopify.com", "shop");
    // A request after the write does not join the read that started before it.
    const third = cache.get(db, "c.myshopify.com", () => Promise.resolve((reads++, "after the write")));
    slow.resolve("before the write");
    expect(await first).toBe("before the write");
    expect(await second).toBe("before the write");
    expect(await third).toBe("after the write");
    expect(reads).toBe(2);
    expect(await cache.get(db, "c.myshopify.com", () => Promise.resolve("not read"))).toBe("after the write");
  });
});

describe("ShopRowsCache", () => {
  it("reads only missing ids, remembers ids without a row, and re-reads a shop's rows in one go once expired", async () => {
    let now = 0;
    const cache = new ShopRowsCache<{ id: string; v: number }>(
      "products",
      (row) => row.id,
      5_000,
      () => now,
    );
    const db = {};
    const asked: string[][] = [];
    let version = 1;
    const load = (ids: string[]) => {
      asked.push([...ids]);
      return Promise.resolve(ids.filter((id) => id !== "404").map((id) => ({ id, v: version })));
    };
    const get = async (ids: string[]) => (await cache.getMany(db, "d.myshopify.com", ids, load)).map((r) => `${r.id}:${r.v}`).sort();
    expect(await get(["1", "2", "404"])).toEqual(["1:1", "2:1"]);
    expect(await get(["2", "3", "404"])).toEqual(["2:1", "3:1"]);
    expect(asked).toEqual([["1", "2", "404"], ["3"]]);
    version = 2;
    now = 5_000;
    expect(await get(["1"])).toEqual(["1:2"]);
    expect(asked[2].sort()).toEqual(["1", "2", "3", "404"]);
    expect(await get(["2", "3"])).toEqual(["2:2", "3:2"]);
    expect(asked).toHaveLength(3);
    invalidateServing("d.myshopify.com", "products");
    version = 3;
    expect(await get(["3"])).toEqual(["3:3"]);
    expect(asked[3]).toEqual(["3"]);
  });
});
