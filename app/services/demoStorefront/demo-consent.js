/* Demo storefront only: a stand-in for Shopify's Customer Privacy API (window.Shopify.customerPrivacy)
   and a consent banner, so the block's consent handling can be seen and tested offline. The
   decision is kept in a first-party cookie, as Shopify keeps its own _tracking_consent. */
/* global window, document */
(function () {
  var script = document.currentScript;
  var decision = script && script.dataset.consent; // "yes", "no" or "" (not asked yet)
  window.Shopify = window.Shopify || {};
  window.Shopify.customerPrivacy = {
    analyticsProcessingAllowed: function () {
      return decision === "yes";
    },
    marketingAllowed: function () {
      return decision === "yes";
    },
    currentVisitorConsent: function () {
      return { analytics: decision === "yes" ? "yes" : decision === "no" ? "no" : "" };
    },
    setTrackingConsent: function (consent, callback) {
      decision = consent && consent.analytics ? "yes" : "no";
      document.cookie = "rapport_demo_consent=" + decision + "; Path=/demo/storefront; SameSite=Lax";
      document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: { analyticsAllowed: decision === "yes" } }));
      if (callback) callback();
    },
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-consent]");
    if (!button || button.tagName !== "BUTTON") return;
    window.Shopify.customerPrivacy.setTrackingConsent({ analytics: button.dataset.consent === "yes" }, function () {
      var banner = button.closest(".consent");
      if (banner) banner.remove();
    });
  });
})();
