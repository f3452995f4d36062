import { Card } from '../../components/Card';

/** Shown instead of GPU cards when nvidia-smi found nothing; says why when it failed. */
export function NoGpuCard({ reason }: { reason: string | null }) {
  return (
    <Card title="GPU" testId="no-gpu-card">
      <p className="headline">No NVIDIA GPU detected</p>
      {reason ? (
        <pre className="plain-output" data-testid="nvidia-smi-error">
          {reason}
        </pre>
      ) : (
        <p className="muted">nvidia-smi answered but listed no GPUs.</p>
      )}
    </Card>
  );
}
