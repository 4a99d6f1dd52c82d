// Session reads are on the webhook hot path: authenticate.webhook loads the shop's offline
// session on every delivery (Shopify gives us 5 s, and a burst of hundreds per second costs a
// database round trip each). This wrapper remembers recent reads for a few seconds; every
// write through it clears the entry, so a process always sees its own changes at once.
import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

export class CachedSessionStorage implements SessionStorage {
  private readonly cache = new Map<string, { session: Session | undefined; until: number }>();

  constructor(
    private readonly inner: SessionStorage,
    private readonly ttlMs = 5_000,
    private readonly now = () => Date.now(),
  ) {}

  async loadSession(id: string): Promise<Session | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.until > this.now()) return hit.session;
    const session = await this.inner.loadSession(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { session, until: this.now() + this.ttlMs });
    return session;
  }

  async storeSession(session: Session): Promise<boolean> {
    this.cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  async deleteSession(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.cache.delete(id);
    return this.inner.deleteSessions(ids);
  }

  findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }
}
