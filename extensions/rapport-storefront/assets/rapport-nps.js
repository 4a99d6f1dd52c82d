// Rapport NPS survey (app embed). No framework, no cookie, no storage: the server keeps the
// throttling state (90 days after an answer, 7 after "not now", once per visit). Fixed at the
// bottom of the viewport, so the page's layout never shifts.
/* global document, customElements, HTMLElement */
(() => {
  if (customElements.get("rapport-nps")) return;
  const el = (tag, attrs, text) => {
    const n = document.createElement(tag);
    for (const k in attrs || {}) n.setAttribute(k, attrs[k]);
    if (text) n.textContent = text;
    return n;
  };
  class RapportNps extends HTMLElement {
    connectedCallback() {
      if (this.started) return;
      this.started = true;
      const d = this.dataset;
      if (Math.random() * 100 >= Number(d.sample || 100)) return;
      setTimeout(() => this.ask(), Math.max(0, Number(d.delay || 0)) * 1000);
    }
    t(key) {
      return this.dataset["t" + key] || "";
    }
    url(path, query) {
      return this.dataset.endpoint.replace(/\/$/, "") + path + (query ? "?" + new URLSearchParams(query) : "");
    }
    async ask() {
      try {
        const r = await fetch(this.url("/nps", { page: this.dataset.page, audience: this.dataset.audience }), {
          headers: { Accept: "application/json" },
        });
        if (!r.ok || !(await r.json()).ask) return;
      } catch {
        return;
      }
      this.render();
    }
    render() {
      const id = "rapport-nps-" + Math.random().toString(36).slice(2, 8);
      const box = el("aside", { class: "rapport-nps__box", "aria-labelledby": id + "-q" });
      const form = el("form", { class: "rapport-nps__form", novalidate: "" });
      const close = el("button", { type: "button", class: "rapport-nps__close", "aria-label": this.t("Close") }, "×");
      const fs = el("fieldset", { class: "rapport-nps__fieldset" });
      fs.append(el("legend", { id: id + "-q", class: "rapport-nps__question" }, this.t("Question")));
      const scale = el("div", { class: "rapport-nps__scale" });
      for (let i = 0; i <= 10; i++) {
        const label = el("label", { class: "rapport-nps__score" });
        const input = el("input", { type: "radio", name: "score", value: String(i) });
        if (i === 0) input.setAttribute("aria-describedby", id + "-lo");
        if (i === 10) input.setAttribute("aria-describedby", id + "-hi");
        label.append(input, el("span", {}, String(i)));
        scale.append(label);
      }
      const ends = el("div", { class: "rapport-nps__ends" });
      ends.append(el("span", { id: id + "-lo" }, this.t("Low")), el("span", { id: id + "-hi" }, this.t("High")));
      fs.append(scale, ends);
      const more = el("div", { class: "rapport-nps__more", hidden: "" });
      const why = el("label", { for: id + "-c", class: "rapport-nps__why" });
      const text = el("textarea", { id: id + "-c", name: "comment", maxlength: "2000", rows: "3" });
      more.append(why, text);
      const actions = el("div", { class: "rapport-nps__actions" });
      const send = el("button", { type: "submit", class: "rapport-nps__send" }, this.t("Send"));
      const later = el("button", { type: "button", class: "rapport-nps__later" }, this.t("Later"));
      actions.append(send, later);
      const status = el("p", { class: "rapport-nps__status", role: "status", "aria-live": "polite" });
      form.append(fs, more, actions);
      box.append(close, form, status);
      this.append(box);
      this.hidden = false;
      this.box = box;
      form.addEventListener("change", (e) => {
        if (e.target.name !== "score") return;
        const s = Number(e.target.value);
        why.textContent = this.t(s >= 9 ? "Promoter" : s >= 7 ? "Passive" : "Detractor");
        more.hidden = false;
      });
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const chosen = form.querySelector("input[name=score]:checked");
        if (!chosen) {
          status.textContent = this.t("Pick");
          form.querySelector("input[name=score]").focus();
          return;
        }
        this.send(Number(chosen.value), text.value, send, status, form);
      });
      later.addEventListener("click", () => {
        fetch(this.url("/nps/dismiss"), { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }).catch(() => {});
        this.close();
      });
      close.addEventListener("click", () => this.close());
      this.addEventListener("keydown", (e) => {
        if (e.key === "Escape") this.close();
      });
    }
    async send(score, comment, button, status, form) {
      button.disabled = true;
      let ok = false;
      let code;
      try {
        const r = await fetch(this.url("/nps"), {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ score, comment, page: this.dataset.page }),
        });
        code = r.status;
        ok = r.ok;
      } catch {
        code = 0;
      }
      if (ok || code === 409) {
        form.remove();
        status.textContent = this.t(ok ? "Thanks" : "Already");
        this.box.querySelector(".rapport-nps__close").focus();
      } else {
        button.disabled = false;
        status.textContent = this.t("Error");
      }
    }
    close() {
      const hadFocus = this.contains(document.activeElement);
      this.hidden = true;
      if (this.box) this.box.remove();
      if (hadFocus) document.body.focus();
    }
  }
  customElements.define("rapport-nps", RapportNps);
})();
