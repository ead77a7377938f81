// Replaces zod's locale barrel (zod/v4/locales/index.js) in the Worker bundle; see [alias] in
// wrangler.toml. @hono/zod-openapi passes the whole `z` namespace to extendZodWithOpenApi(z), so
// the bundler cannot drop `z.locales`: ~50 error-message translations, 364 KiB before minifying.
// English is zod's default and the only locale the API uses. To use another, import it by package
// path (`import fr from "zod/v4/locales/fr.js"`; that path is not aliased) and `z.config(fr())`.
export { default as en } from "zod/v4/locales/en.js";
