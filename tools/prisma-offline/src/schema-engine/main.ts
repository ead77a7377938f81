// Entry of the schema-engine stand-in: `cli …` subcommands or the JSON-RPC server.
import { runCliCommand } from "./admin.js";
import { parseEngineArgs } from "./args.js";
import { messageOf } from "./errors.js";
import { wasmEngineVersion } from "./load-wasm.js";
import { captureStrayOutput, logLine } from "./log.js";
import { answerInFlightWithPanic, panicMessage, serveJsonRpc } from "./rpc-server.js";

captureStrayOutput();
// Errors thrown from inside wasm callbacks escape every promise; report them the way the
// native engine reports a panic (exit code 101 makes the CLI show them as such).
process.on("uncaughtException", (error) => {
  const message = panicMessage(error);
  logLine("ERROR", message, { is_panic: true });
  // The CLI waits for the answer to its request: without one it printed nothing and exited 0.
  answerInFlightWithPanic(message);
  process.exit(101);
});
// The CLI skips the first stderr line of `cli` subcommands: the native engine starts with one too.
logLine("INFO", "Starting schema engine (wasm stand-in)");

let exitCode = 0;
try {
  const args = parseEngineArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${await wasmEngineVersion()} (wasm stand-in)\n`);
  } else if (args.cliCommand) {
    exitCode = await runCliCommand(args.cliCommand, args.datasource.url);
  } else {
    await serveJsonRpc(args);
  }
} catch (error) {
  logLine("ERROR", messageOf(error));
  exitCode = 1;
}
// Open pools or timers must not keep a finished engine alive: the CLI waits for our exit.
process.exit(exitCode);
