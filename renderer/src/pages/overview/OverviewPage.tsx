import { useEffect } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useHardwareStore } from '../../stores/stores-context';
import { CpuCard } from './CpuCard';
import { DiskCard } from './DiskCard';
import { DockerCard } from './DockerCard';
import { GpuCard } from './GpuCard';
import { MemoryCard } from './MemoryCard';
import { NoGpuCard } from './NoGpuCard';
import { OsCard } from './OsCard';

/** The machine at a glance, with live utilisation while the page is open. */
export function OverviewPage() {
  const overview = useHardwareStore((s) => s.overview);
  const loading = useHardwareStore((s) => s.loading);
  const error = useHardwareStore((s) => s.error);
  const load = useHardwareStore((s) => s.load);
  const startLive = useHardwareStore((s) => s.startLive);

  useEffect(() => {
    void load();
  }, [load]);

  // Live samples only while this page is mounted: leaving it closes the stream and the server stops sampling.
  useEffect(() => startLive(), [startLive]);

  return (
    <div className="page" aria-busy={loading}>
      <header className="page-head">
        <h1>Overview</h1>
        {overview && <span className="muted">collected {new Date(overview.collectedAt).toLocaleTimeString()}</span>}
        <button type="button" className="btn" onClick={() => void load()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </header>
      {error && <ErrorNotice title="Could not read the hardware." error={error} onRetry={() => void load()} />}
      {!overview && loading && <p className="muted">Reading hardware…</p>}
      {overview && (
        <div className="grid">
          <CpuCard cpu={overview.cpu} />
          <MemoryCard memory={overview.memory} />
          {overview.gpus.length === 0 ? (
            <NoGpuCard reason={overview.nvidiaSmiError} />
          ) : (
            overview.gpus.map((gpu) => <GpuCard key={`${gpu.vendor}-${gpu.index}`} gpu={gpu} />)
          )}
          <DockerCard docker={overview.docker} />
          <DiskCard disk={overview.disk} />
          <OsCard os={overview.os} />
        </div>
      )}
    </div>
  );
}
