import type { GpuInfo } from '../../../../shared/contract/index';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { Facts } from '../../components/Facts';
import { UsageBar } from '../../components/UsageBar';
import { Sparkline } from '../../charts/sparkline';
import { formatMib, percentOf } from '../../lib/format';
import type { Series } from '../../lib/sample-history';
import { useHardwareStore } from '../../stores/stores-context';

const noSeries: Series = [];

/** One GPU: static facts from the overview, live figures from the newest sample when there is one. */
export function GpuCard({ gpu }: { gpu: GpuInfo }) {
  const live = useHardwareStore((s) => s.latest?.gpus.find((g) => g.index === gpu.index));
  const series = useHardwareStore((s) => s.history.gpus[gpu.index] ?? noSeries);
  const capacity = useHardwareStore((s) => s.history.capacity);

  const utilization = live ? live.utilizationPercent : gpu.utilizationPercent;
  const memoryUsed = live ? live.memoryUsedMb : gpu.memoryUsedMb;
  const memoryTotal = live?.memoryTotalMb ?? gpu.memoryTotalMb;
  const temperature = live ? live.temperatureC : gpu.temperatureC;
  const power = live ? live.powerDrawW : gpu.powerDrawW;

  return (
    <Card title={`GPU ${gpu.index}`} testId="gpu-card" aside={gpu.migEnabled ? <Badge tone="neutral">MIG</Badge> : undefined}>
      <p className="headline" data-testid="gpu-name">
        {gpu.name}
      </p>
      <Facts
        rows={[
          ['Driver / CUDA', `${gpu.driverVersion ?? '—'} / ${gpu.cudaVersion ?? '—'}`],
          ['Temperature', temperature === null ? '—' : `${temperature} °C`],
          ['Power', formatPower(power, gpu.powerLimitW)],
          ...(gpu.busId ? ([['Bus', <span className="mono">{gpu.busId}</span>]] as const) : []),
        ]}
      />
      <div className="metric-label">Utilisation</div>
      {gpu.migEnabled && utilization === null ? (
        <p className="muted" data-testid="gpu-mig-note">
          utilisation not reported in MIG mode
        </p>
      ) : (
        <>
          <UsageBar percent={utilization} label={`GPU ${gpu.index} utilisation`} />
          <Sparkline values={series} capacity={capacity} label={`GPU ${gpu.index} utilisation over the last minute`} />
        </>
      )}
      <div className="metric-label">Memory</div>
      <UsageBar
        percent={percentOf(memoryUsed, memoryTotal)}
        label={`GPU ${gpu.index} memory used`}
        detail={`${formatMib(memoryUsed)} of ${formatMib(memoryTotal)}`}
      />
    </Card>
  );
}

function formatPower(draw: number | null, limit: number | null): string {
  if (draw === null) return limit === null ? '—' : `— / ${Math.round(limit)} W`;
  return limit === null ? `${Math.round(draw)} W` : `${Math.round(draw)} W / ${Math.round(limit)} W`;
}
