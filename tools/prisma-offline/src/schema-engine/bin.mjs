#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary (see ../../README.md).
// The Prisma CLI spawns this file directly, so it must be plain JS: it registers tsx
// explicitly (no tsx on PATH needed) and hands over to the TypeScript implementation.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
