import { spawn } from "node:child_process";

export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, capturing its output (never rejects on a non-zero exit). */
export function runProcess(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; echo?: boolean } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    // A child gone before it read its input (a Ctrl-C reaches it too) is not our crash (EPIPE):
    // its exit code says what happened.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      if (opts.echo) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
      if (opts.echo) process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}
