import { Hono } from "hono";
import type { AppEnv } from "../env";

// Swagger UI, fully offline: its JS and CSS are Workers static assets under /docs-ui/, copied
// from node_modules/swagger-ui-dist by `npm run docs:ui` (they never enter the Worker bundle).
// The page and its tiny initializer are served here so a strict CSP needs no inline script.
const ASSETS = "/docs-ui";

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API docs</title>
  <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS}/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// validatorUrl: null stops Swagger UI from calling validator.swagger.io (no network but ours).
const init = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true });`;

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";

/** GET /docs (interactive API reference) and its initializer. */
export const docs = new Hono<AppEnv>()
  .get("/", (c) => c.html(page, 200, { "Content-Security-Policy": CSP }))
  .get("/init.js", (c) => c.body(init, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
