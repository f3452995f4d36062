import type { ServingService } from '../../services/serving/serving-service';
import type { FeedbackSink } from './feedback-endpoint';
import { GatewayHost } from './gateway-host';

/**
 * The serving gateway beside the app's server: once serving is ready, one listener per deployment
 * on its kept port. A port another program took while Orrery was closed is said on stderr (and
 * the deployment's create-time check says it for new ones); the other deployments still serve.
 */
export function startGateway(serving: Promise<ServingService>, feedback?: FeedbackSink): { close(): Promise<void> } {
  let host: GatewayHost | null = null;
  let closed = false;
  const started = serving.then(
    async (service) => {
      if (closed) return;
      host = new GatewayHost(service, {
        onListenError: (deployment, error) => console.error(`[serving] deployment ${deployment}: ${error.message}`),
        ...(feedback ? { feedback } : {}),
      });
      service.setGateway(host);
      const failures = await host.start();
      for (const failure of failures) console.error(`[serving] deployment ${failure.deployment} does not answer: ${failure.error.message}`);
    },
    () => undefined, // serving unavailable (no engine, or the command line): no gateway to run
  );
  return {
    async close() {
      closed = true;
      await started;
      await host?.close();
    },
  };
}
