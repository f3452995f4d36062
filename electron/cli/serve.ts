import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appVersion } from '../../shared/version';
import { resolveDataDir } from '../services/config/data-dir';
import { DEFAULT_PORT, parseServeArgs, SERVE_USAGE } from '../server/serve-args';
import { startOrrery, type Running } from '../server/start-orrery';
import { chooseToken } from '../server/token';

/** `npm run serve`: the headless app, the same services and UI as the desktop window. */
async function main(): Promise<void> {
  const args = parseServeArgs(process.argv.slice(2));
  if (args.help) {
    console.log(SERVE_USAGE);
    return;
  }
  const dataDir = resolveDataDir({ flag: args.dataDir, env: process.env, platform: process.platform, homedir: os.homedir() });
  const here = path.dirname(fileURLToPath(import.meta.url));

  // Handlers go in before the URL is printed: whoever reads that URL may signal us at once.
  let running = undefined as Running | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    // npm forwards the terminal's signal to us as well, so the same signal may arrive twice.
    if (stopping) return;
    stopping = true;
    console.log(`Orrery: ${signal}, stopping.`);
    const stopped = running ? running.stop() : Promise.resolve();
    stopped.then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  running = await startOrrery({
    dataDir,
    mode: 'headless',
    port: args.port ?? DEFAULT_PORT,
    token: chooseToken(process.env),
    staticDir: process.env.ORRERY_RENDERER_DIR ?? path.resolve(here, '../renderer'),
  });
  if (stopping) {
    // A signal came while starting: finish the stop now that there is something to stop.
    await running.stop();
    process.exit(0);
  }
  console.log(`Orrery ${appVersion} (headless)`);
  console.log(`  data dir:  ${dataDir}`);
  console.log(`  API:       ${running.url}/api (Authorization: Bearer <token>; details in ${running.serverInfoFile})`);
  console.log(`Open Orrery in your browser:\n  ${running.openUrl}`);
}

main().catch((error: unknown) => {
  console.error(`Orrery could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
