import { OrreryError } from '../../shared/errors';

// The server's start-up flags. They live with the server, not in electron/cli/, because the
// desktop app (electron/main) takes them too and may not import the command line.

export const DEFAULT_PORT = 4780;

export interface ServeArgs {
  /** Absent when not given: headless then uses DEFAULT_PORT, the desktop app a free port. */
  port?: number;
  dataDir?: string;
  help: boolean;
}

export const SERVE_USAGE = `Usage: npm run serve -- [--port N] [--data-dir DIR]

Serves Orrery's UI and API on http://127.0.0.1 (headless mode).
  --port N          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir DIR    where the store lives (default: $ORRERY_HOME, else the OS's per-user data folder)
Environment: ORRERY_TOKEN fixes the API token (otherwise a random one is made).`;

/** Parses the headless server's flags; a bad flag names itself. */
export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const args: ServeArgs = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const [flag, inline] = raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new OrreryError('INVALID_INPUT', `${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535) {
          throw new OrreryError('INVALID_INPUT', `--port must be a whole number from 0 to 65535, got '${text}'.`);
        }
        args.port = port;
        break;
      }
      case '--data-dir':
        args.dataDir = value();
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new OrreryError('INVALID_INPUT', `Unknown option '${raw}'.\n\n${SERVE_USAGE}`);
    }
  }
  return args;
}

/** Electron adds flags of its own (and Chromium's); keep only ours with their values. */
export function pickOrreryFlags(argv: readonly string[]): string[] {
  const picked: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--port' || arg === '--data-dir') picked.push(arg, argv[++i] ?? '');
    else if (arg.startsWith('--port=') || arg.startsWith('--data-dir=')) picked.push(arg);
  }
  return picked;
}
