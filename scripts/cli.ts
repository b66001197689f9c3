/**
 * Promocast without the browser (see USAGE in scripts/cli/args.ts):
 * `npm run cli -- train --csv PATH --target COL [--out BUNDLE] [--json] …` and
 * `npm run cli -- predict --model BUNDLE --scenario CSV [--json]`. Runs the
 * app's data and ml handlers in this process on the tf.js wasm (or cpu) backend.
 *
 * stdout carries only the result (a JSON line with --json, else a table);
 * progress, warnings and errors go to stderr. Exit codes: 0 done, 1 the file
 * or the data cannot be used (or a bug), 2 bad arguments.
 */
import { translate } from '../src/lib/i18n';
import { parseCliArgs, USAGE } from './cli/args';

/** Writes, waits until both streams have flushed, then exits. */
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

async function main(): Promise<number> {
  const parsed = parseCliArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // tf.js (and its console chatter) loads only for a valid command. Library
  // logging goes to stderr so that stdout holds the result alone.
  console.log = console.error;
  console.info = console.error;
  const io = {
    out: (text: string) => process.stdout.write(text),
    err: (text: string) => process.stderr.write(text),
  };
  if (parsed.command.kind === 'predict') {
    const { runPredict } = await import('./cli/predict');
    return runPredict(parsed.command, io);
  }
  const { runTrain } = await import('./cli/train');
  return runTrain(parsed.command, io);
}

main().then(exit, (thrown: unknown) => {
  process.stderr.write(`${translate('en', 'error.unexpected')}\n${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}\n`);
  exit(1);
});
