/* Rapport recommended products: one custom element per block, no framework (ADR 011).
   Fetches through the app proxy when the block nears the viewport; records impressions, clicks
   and add-to-carts only when Shopify's Customer Privacy API allows analytics. */
/* global window, document, customElements, HTMLElement, IntersectionObserver */
(() => {
  if (customElements.get("rapport-recommendations")) return;
  const VID_KEY = "rapport_vid";

  const privacy = () => window.Shopify && window.Shopify.customerPrivacy;
  // Analytics allowed right now (no API = not allowed: nothing stored, nothing sent).
  const canTrack = () => {
    const api = privacy();
    try {
      return !!(api && api.analyticsProcessingAllowed());
    } catch {
      return false;
    }
  };
  // The anonymous visitor id: created only once consent allows it, kept in localStorage.
  const visitorId = (create) => {
    if (!canTrack()) return "";
    try {
      let id = localStorage.getItem(VID_KEY);
      if (!id && create) {
        const bytes = crypto.getRandomValues(new Uint8Array(12));
        id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        localStorage.setItem(VID_KEY, id);
      }
      return id || "";
    } catch {
      return "";
    }
  };
  // Load the Customer Privacy API when the theme did not (Shopify's documented loader).
  if (!privacy() && window.Shopify && window.Shopify.loadFeatures) {
    window.Shopify.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], () => {});
  }

  class RapportRecommendations extends HTMLElement {
    connectedCallback() {
      if (this.started) return;
      this.started = true;
      this.sent = {};
      const near = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            near.disconnect();
            this.load();
          }
        },
        { rootMargin: "400px 0px" },
      );
      near.observe(this);
      this.onConsent = () => this.visible && this.impress();
      document.addEventListener("visitorConsentCollected", this.onConsent);
    }

    disconnectedCallback() {
      document.removeEventListener("visitorConsentCollected", this.onConsent);
      if (this.seen) this.seen.disconnect();
    }

    async load() {
      const d = this.dataset;
      const q = new URLSearchParams({ placement: d.placement, strategy: d.strategy, limit: d.limit });
      if (d.productId) q.set("product_id", d.productId);
      if (d.cart) q.set("cart", d.cart);
      const vid = visitorId(false);
      if (vid) q.set("vid", vid);
      try {
        const res = await fetch(`${d.endpoint}/recommendations?${q}`, { headers: { Accept: "application/json" } });
        if (!res.ok) throw new Error(res.status);
        this.answer = await res.json();
      } catch {
        this.answer = null;
      }
      const a = this.answer;
      if (!a || !Array.isArray(a.products) || !a.products.length) {
        // Failed, empty or holdout: hide quietly. A holdout exposure still counts once seen.
        this.hidden = true;
        if (a && a.strategy === "holdout") this.watch(this.parentElement || document.body);
        return;
      }
      this.render(a);
      this.watch(this.querySelector(".rapport-recs__list"));
    }

    money(amount) {
      const d = this.dataset;
      try {
        return new Intl.NumberFormat(d.locale || undefined, { style: "currency", currency: d.currency }).format(Number(amount));
      } catch {
        return `${amount} ${d.currency}`;
      }
    }

    el(tag, cls, text) {
      const n = document.createElement(tag);
      if (cls) n.className = cls;
      if (text) n.textContent = text;
      return n;
    }

    render(a) {
      const d = this.dataset;
      const list = this.el("ul", "rapport-recs__list");
      list.setAttribute("aria-labelledby", this.querySelector(".rapport-recs__heading").id);
      const root = d.endpoint.replace(/\/apps\/rapport$/, "");
      for (const p of a.products) {
        const li = this.el("li", "rapport-recs__item");
        const card = this.el("div", "rapport-recs__card");
        const link = this.el("a", "rapport-recs__link");
        link.href = root + p.url;
        link.dataset.productId = p.id;
        const media = this.el("div", "rapport-recs__media");
        if (p.image) {
          const img = this.el("img");
          img.src = p.image;
          img.alt = p.title;
          img.loading = "lazy";
          img.width = 300;
          img.height = 300;
          media.append(img);
        }
        link.append(media, this.el("span", "rapport-recs__title", p.title));
        card.append(link);
        if (d.showPrice === "true") {
          const price = this.el("p", "rapport-recs__price");
          if (p.compareAtPrice && Number(p.compareAtPrice) > Number(p.price)) {
            price.append(this.el("span", "rapport-recs__sr", d.tSale + " "), this.el("span", "rapport-recs__sale", this.money(p.price)));
            const was = this.el("s", "rapport-recs__was");
            was.append(this.el("span", "rapport-recs__sr", d.tRegular + " "), this.money(p.compareAtPrice));
            price.append(" ", was);
          } else price.textContent = this.money(p.price);
          card.append(price);
        }
        if (d.showAdd === "true" && p.variantId) {
          const b = this.el("button", "rapport-recs__add", p.available ? d.tAdd : d.tSoldOut);
          b.type = "button";
          b.disabled = !p.available;
          b.dataset.variantId = p.variantId;
          b.dataset.productId = p.id;
          b.setAttribute("aria-label", `${p.available ? d.tAdd : d.tSoldOut}: ${p.title}`);
          card.append(b);
        }
        li.append(card);
        list.append(li);
      }
      list.addEventListener("click", (e) => {
        const link = e.target.closest("a[data-product-id]");
        if (link) this.track("click", link.dataset.productId);
        const b = e.target.closest("button[data-variant-id]");
        if (b) this.add(b);
      });
      this.querySelector(".rapport-recs__list").replaceWith(list);
      this.classList.add("rapport-recs--ready");
    }

    // Impression: once, when at least half of the list was on screen.
    watch(target) {
      this.seen = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            this.visible = true;
            this.seen.disconnect();
            this.impress();
          }
        },
        { threshold: 0.5 },
      );
      this.seen.observe(target);
    }

    impress() {
      this.track(this.answer.strategy === "holdout" ? "holdout" : "impression");
    }

    track(kind, productId) {
      if (!this.answer || !canTrack()) return;
      const once = kind === "impression" || kind === "holdout";
      if (once && this.sent[kind]) return;
      this.sent[kind] = true;
      const vid = visitorId(true);
      const body = { kind, recId: this.answer.recId };
      if (productId) body.productId = productId;
      if (vid) body.vid = vid;
      this.linkCart(vid);
      fetch(`${this.dataset.endpoint}/events`, {
        method: "POST",
        keepalive: true,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).catch(() => {});
    }

    // Ties this visitor's future order to their id (cart attribute), once consent allows.
    linkCart(vid) {
      const d = this.dataset;
      if (!vid || d.vid === vid) return;
      d.vid = vid;
      // Kept so that an add-to-cart waits for it: two cart writes at once can race.
      this.linking = fetch(d.cartUpdate, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ attributes: { _rapport_vid: vid } }),
      }).catch(() => {});
    }

    async add(b) {
      const d = this.dataset;
      const status = this.querySelector(".rapport-recs__status");
      b.disabled = true;
      try {
        await this.linking;
        const res = await fetch(d.cartAdd, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          // The recId names the answer, not the shopper; still, it rides along only with consent.
          body: JSON.stringify({
            items: [{ id: Number(b.dataset.variantId), quantity: 1, properties: canTrack() ? { _rapport_rec: this.answer.recId } : {} }],
          }),
        });
        if (!res.ok) throw new Error(res.status);
        b.textContent = d.tAdded;
        status.textContent = d.tAdded;
        this.track("add_to_cart", b.dataset.productId);
        document.dispatchEvent(new CustomEvent("rapport:cart-added", { detail: { variantId: b.dataset.variantId } }));
      } catch {
        b.disabled = false;
        status.textContent = d.tError;
      }
    }
  }

  customElements.define("rapport-recommendations", RapportRecommendations);
})();
