import { appVersion } from '../../shared/version';
import { composeApp, type App, type AppConfig } from '../services/compose';
import { OrreryHttpServer } from './http-server';
import { MlflowApi } from './mlflow/mlflow-api';
import { integrityReport } from '../services/store/integrity-check';
import type { IntegrityStatus } from '../../shared/contract/app';
import { removeServerInfo, writeServerInfo } from './server-info-file';
import { startGateway } from './gateway/start-gateway';

export interface StartOptions extends AppConfig {
  port: number;
  token: string;
  staticDir: string;
}

export interface Running {
  app: App;
  url: string;
  port: number;
  token: string;
  serverInfoFile: string;
  /** The URL to open in a browser; the token rides in the fragment, which is never sent to servers or logs. */
  openUrl: string;
  stop(): Promise<void>;
}

/** Builds the app and its HTTP server; shared by `npm run serve` and the desktop main process. */
export async function startOrrery(options: StartOptions): Promise<Running> {
  const app = composeApp(options);
  const server = new OrreryHttpServer({
    dispatcher: app.dispatcher,
    bus: app.bus,
    token: options.token,
    jobTokens: app.jobTokens,
    version: appVersion,
    staticDir: options.staticDir,
    mounts: [new MlflowApi(app.tracking, app.artifacts)],
  });
  let listening;
  try {
    listening = await server.listen(options.port);
  } catch (error) {
    app.close();
    throw error;
  }
  app.setTrackingEndpoint(listening.url);
  const serverInfoFile = writeServerInfo(options.dataDir, {
    url: listening.url,
    port: listening.port,
    token: options.token,
    pid: process.pid,
    version: appVersion,
  });
  // Only now that /api/health answers, so start-up stays fast: a small store is checked at once,
  // a large one on a worker thread (and the terminal is told so). Damage goes to stderr and to
  // the UI (app.integrity).
  void app.integrity.start(reportIntegrity);
  // Deployments answer on their own ports again within seconds of a start.
  const gateway = startGateway(app.serving, (deployment, labels) => app.monitoring.recordFeedback(deployment, labels));
  // Pipeline runs a stop left going resume, and their triggers are armed (a missed cron time runs once).
  app.pipelines.start().catch((error: unknown) => console.error('[pipelines] could not start:', error));
  let stopped = false;
  return {
    app,
    url: listening.url,
    port: listening.port,
    token: options.token,
    serverInfoFile,
    openUrl: `${listening.url}/#token=${encodeURIComponent(options.token)}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await gateway.close();
      await server.close();
      removeServerInfo(options.dataDir);
      app.close();
    },
  };
}

function reportIntegrity(status: IntegrityStatus): void {
  const report = integrityReport(status);
  if (report?.stream === 'stderr') console.error(report.text);
  else if (report) console.log(report.text);
}
