import { createApi } from "./api";
import { posts } from "./routes/posts";
import { users } from "./routes/users";

/** The API: the demo's resources on src/api.ts. Routes are chained so their types flow to `hc<AppType>`. */
export const app = createApi().route("/users", users).route("/posts", posts);

export type AppType = typeof app;
