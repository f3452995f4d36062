import type { DockerStatus } from '../../../../shared/contract/index';
import { Badge, type BadgeTone } from '../../components/Badge';
import { Card } from '../../components/Card';
import { CopyableCode } from '../../components/CopyableCode';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Facts } from '../../components/Facts';
import { useHardwareStore } from '../../stores/stores-context';

const stateTone: Record<DockerStatus['state'], BadgeTone> = { ready: 'ok', missing: 'bad', unreachable: 'warn' };

/** The Docker engine training runs in: its facts when ready, otherwise what is wrong and how to fix it. */
export function DockerCard({ docker }: { docker: DockerStatus }) {
  const checking = useHardwareStore((s) => s.dockerChecking);
  const error = useHardwareStore((s) => s.dockerError);
  const checkDocker = useHardwareStore((s) => s.checkDocker);

  return (
    <Card
      title="Docker"
      testId="docker-card"
      className="card-wide"
      aside={
        <Badge tone={stateTone[docker.state]} testId="docker-state">
          {docker.state}
        </Badge>
      }
    >
      <p data-testid="docker-message">{docker.message}</p>
      {docker.fix && <CopyableCode code={docker.fix} />}
      {docker.state === 'ready' && <ReadyFacts docker={docker} />}
      {error && <ErrorNotice title="Could not ask the engine." error={error} />}
      <div className="actions">
        <button type="button" className="btn" onClick={() => void checkDocker()} disabled={checking}>
          {checking ? 'Checking…' : 'Check again'}
        </button>
        <span className="muted mono">{docker.endpoint}</span>
      </div>
    </Card>
  );
}

function ReadyFacts({ docker }: { docker: DockerStatus }) {
  const runtimes = docker.runtimes.map((r) => (r === docker.defaultRuntime ? `${r} (default)` : r)).join(', ');
  return (
    <>
      <Facts
        rows={[
          ['Version', docker.apiVersion ? `${docker.version ?? '—'} (API ${docker.apiVersion})` : (docker.version ?? '—')],
          ['Storage driver', docker.storageDriver ?? '—'],
          ['cgroup', docker.cgroupVersion ? `v${docker.cgroupVersion.replace(/^v/, '')}` : '—'],
          ['Rootless', docker.rootless ? 'yes' : 'no'],
          ['Runtimes', runtimes || '—'],
        ]}
      />
      <div className="gpu-readiness" data-testid="docker-gpu">
        <Badge tone={docker.gpuReady ? 'ok' : 'warn'} testId="docker-gpu-ready">
          {docker.gpuReady ? 'GPU ready' : 'GPU not ready'}
        </Badge>
        <span data-testid="docker-gpu-message">{docker.gpuMessage}</span>
      </div>
      {docker.gpuFix && <CopyableCode code={docker.gpuFix} />}
    </>
  );
}
