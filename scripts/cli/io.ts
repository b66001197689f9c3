/** What every CLI command shares: where it writes, and its exit codes. */

/** Where the CLI writes: stdout for the result, stderr for progress and messages. */
export interface CliOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Exit codes: done, a file or the data cannot be used, bad arguments. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
