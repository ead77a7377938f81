import { createApi } from "./api";
import type { StartupQueries } from "./db/speed";
import { idempotencyQueries } from "./middleware/idempotency";
import { posts } from "./routes/posts";
import { users } from "./routes/users";
import { movePostQueries } from "./services/posts";

/** The API: the demo's resources on src/api.ts. Routes are chained so their types flow to `hc<AppType>`. */
export const app = createApi({
  tags: [
    { name: "users", description: "People who write posts; each counts their posts." },
    { name: "posts", description: "Posts, each by one user; moving one changes both authors' counts." },
  ],
})
  .route("/users", users)
  .route("/posts", posts);

export type AppType = typeof app;

/**
 * The queries the routes run in transactions (keyed writes' and the move's), planned at startup
 * by the speed layer (src/index.ts, src/db/speed/warm-up.ts): an isolate's first such request finds
 * its plans cached. Each is a function of a transaction client that returns the route's own calls.
 */
export const startupQueries: StartupQueries[] = [idempotencyQueries, movePostQueries];
