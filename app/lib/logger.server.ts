// Structured logs (pino). Never log access tokens or customer personal data: the redaction
// list below is a safety net, not a licence.
import pino from "pino";

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "rapport" },
  redact: {
    paths: [
      "accessToken",
      "*.accessToken",
      "token",
      "*.token",
      "secret",
      "*.secret",
      "email",
      "*.email",
      "phone",
      "*.phone",
      "first_name",
      "*.first_name",
      "last_name",
      "*.last_name",
      "headers.authorization",
      "headers.cookie",
      "*.headers.authorization",
    ],
    censor: "[redacted]",
  },
});
