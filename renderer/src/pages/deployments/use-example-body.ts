import { useEffect, useState } from 'react';
import type { Deployment } from '../../../../shared/contract/serving';
import { useClient } from '../../api/client-context';
import { exampleBody } from './try-it-example';

/**
 * A request body that fits the deployment's stable version: from its signature, else from a
 * logged request; null until read. Read once per deployment and version.
 */
export function useExampleBody(deployment: Pick<Deployment, 'name' | 'modelName' | 'versions'>): string | null {
  const client = useClient();
  const [body, setBody] = useState<string | null>(null);
  const stable = (deployment.versions.find((v) => v.role === 'stable') ?? deployment.versions[0])?.version ?? null;
  useEffect(() => {
    let live = true;
    Promise.all([
      stable === null ? null : client.call('registry.getVersion', { name: deployment.modelName, version: stable }).catch(() => null),
      client.call('serving.listRequests', { name: deployment.name, limit: 1 }).catch(() => []),
    ]).then(
      ([v, requests]) => live && setBody(exampleBody(v?.inputSchema ?? null, requests[0]?.inputs)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, deployment.modelName, deployment.name, stable]);
  return body;
}
