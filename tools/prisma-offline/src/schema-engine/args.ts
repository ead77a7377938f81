// Command-line arguments of the native schema engine, as the Prisma CLI passes them:
//   schema-engine [--datamodels <file>…] [--datasource <json>] [--enabled-preview-features a,b]
//                 [--extension-types <json>] [cli <command>]
export type CliCommand = "can-connect-to-database" | "create-database" | "drop-database";

export interface DatasourceUrls {
  url?: string;
  shadowDatabaseUrl?: string;
}

export interface EngineArgs {
  datamodels: string[];
  datasource: DatasourceUrls;
  cliCommand?: CliCommand;
  version: boolean;
}

const CLI_COMMANDS: readonly string[] = ["can-connect-to-database", "create-database", "drop-database"];

export function parseEngineArgs(argv: string[]): EngineArgs {
  const result: EngineArgs = { datamodels: [], datasource: {}, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg) {
      case "--datamodels":
      case "-d":
        // Accept both `--datamodels a --datamodels b` (what the CLI sends) and `--datamodels a b`.
        while (i + 1 < argv.length && !argv[i + 1]!.startsWith("-") && argv[i + 1] !== "cli") {
          result.datamodels.push(argv[++i]!);
        }
        break;
      case "--datasource":
        result.datasource = parseDatasource(argv[++i]);
        break;
      case "--enabled-preview-features":
      case "--extension-types":
        i++; // accepted for compatibility; the wasm engine takes neither
        break;
      case "--version":
      case "-V":
        result.version = true;
        break;
      case "cli": {
        const command = argv[++i] ?? "";
        if (!CLI_COMMANDS.includes(command)) throw new Error(`Unknown cli subcommand: ${command}`);
        result.cliCommand = command as CliCommand;
        break;
      }
      default:
        throw new Error(`Unknown argument: ${arg}`);
    }
  }
  return result;
}

function parseDatasource(json: string | undefined): DatasourceUrls {
  if (!json) throw new Error("--datasource needs a JSON value");
  const value = JSON.parse(json) as Record<string, unknown>;
  const pick = (key: string) => (typeof value[key] === "string" && value[key] ? (value[key] as string) : undefined);
  return { url: pick("url"), shadowDatabaseUrl: pick("shadowDatabaseUrl") };
}
