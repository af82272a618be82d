/** Runs `main.ts` as a separate process on a temporary data directory, for end-to-end tests. */

/** A StreamBoard process started by a test. */
export interface AppProcess {
  url: string;
  dataDir: string;
  process: Deno.ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends a signal and waits for the exit status; a data directory it made itself is removed. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Every page of the app: the dashboards and the console's pages. */
export const PAGES = [
  "/",
  "/sales",
  "/clicks",
  "/products",
  "/console",
  "/console/groups",
  "/console/dead-letters",
];

/** How to run StreamBoard other than as `deno run main.ts`: the compiled executable, say. */
export interface AppCommand {
  /** The executable, run without arguments. */
  executable: string;
  /** Its working directory. */
  cwd: string;
  /** Whether it gets only the variables given, none of the test's environment. */
  clearEnv: boolean;
}

/**
 * Starts StreamBoard with extra environment variables and waits until it
 * listens, on `dataDir` or else on a temporary directory of its own; `command`
 * runs another build of it (`main.ts` through Deno when absent).
 */
export async function startApp(
  env: Record<string, string> = {},
  dataDir?: string,
  command?: AppCommand,
): Promise<AppProcess> {
  const dir = dataDir ?? await Deno.makeTempDir({ prefix: "streamboard-e2e-" });
  const process = new Deno.Command(command?.executable ?? Deno.execPath(), {
    args: command ? [] : ["run", "--allow-all", MAIN],
    cwd: command?.cwd,
    clearEnv: command?.clearEnv ?? false,
    env: { PORT: "0", STREAMBOARD_DATA_DIR: dir, ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let found: (url: string) => void;
  const listening = new Promise<string>((resolve) => (found = resolve));
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      const match = text.match(/StreamBoard \(\w+\) on (http:\/\/[^\s]+)/);
      if (match) found(match[1]);
    }
  };
  const readers = Promise.all([collect(process.stdout), collect(process.stderr)]);
  const exited = process.status.then((status) => {
    found("");
    return status;
  });
  const url = await Promise.race([
    listening,
    new Promise<string>((_, reject) =>
      setTimeout(() => reject(new Error(`no start in 30 s:\n${text}`)), 30_000)
    ),
  ]);
  if (url === "") throw new Error(`StreamBoard exited at start:\n${text}`);
  return {
    url,
    dataDir: dir,
    process,
    output: () => text,
    stop: async (signal = "SIGTERM") => {
      try {
        process.kill(signal);
      } catch {
        // already exited
      }
      const status = await exited;
      await readers;
      if (dataDir === undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
      return status;
    },
  };
}
