import fs from 'node:fs';
import { DockerodeEngineClient } from '../../electron/services/docker/docker-engine';

/**
 * Tests that need a real Docker engine or browser skip, loudly, where those are absent, unless
 * CI demands them (ORRERY_REQUIRE_DOCKER=1 / ORRERY_REQUIRE_BROWSER=1): then absence fails.
 */
function decide(what: string, envVar: string, reason: string | null): boolean {
  if (reason === null) return true;
  if (process.env[envVar] === '1') throw new Error(`${envVar}=1 but ${what} is unavailable: ${reason}`);
  console.warn(`\n*** SKIPPING ${what} tests: ${reason}. Set ${envVar}=1 to make this a failure. ***\n`);
  return false;
}

export async function dockerAvailable(): Promise<boolean> {
  let reason: string | null = null;
  try {
    await new DockerodeEngineClient({ timeoutMs: 3000 }).info();
  } catch (error) {
    reason = `no Docker engine answers (${error instanceof Error ? error.message : String(error)})`;
  }
  return decide('Docker', 'ORRERY_REQUIRE_DOCKER', reason);
}

const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium'];

/** The browser: ORRERY_CHROMIUM, else the usual install paths; null (after a loud skip) when none. */
export function chromiumPath(): string | null {
  const candidates = process.env.ORRERY_CHROMIUM ? [process.env.ORRERY_CHROMIUM] : CHROMIUM_PATHS;
  const found = candidates.find((p) => fs.existsSync(p)) ?? null;
  const ok = decide('browser', 'ORRERY_REQUIRE_BROWSER', found ? null : `no Chromium at ${candidates.join(', ')}`);
  return ok ? found : null;
}

/**
 * A Python module that process-runner jobs import from the host's python3 (CI installs
 * python3-sklearn): a loud skip where `reason` says it is missing, a failure under
 * ORRERY_REQUIRE_PYTHON=1. The caller asks a real job, since a root Orrery's job runs as another uid
 * and may reach another python3 on PATH than the test's own.
 */
export function jobPythonReady(module: string, reason: string | null): boolean {
  return decide(`process jobs importing ${module}`, 'ORRERY_REQUIRE_PYTHON', reason);
}
