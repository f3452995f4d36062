import type { CpuInfo } from '../../../../shared/contract/index';
import { Card } from '../../components/Card';
import { Facts } from '../../components/Facts';
import { UsageBar } from '../../components/UsageBar';
import { Sparkline } from '../../charts/sparkline';
import { useHardwareStore } from '../../stores/stores-context';

export function CpuCard({ cpu }: { cpu: CpuInfo }) {
  const percent = useHardwareStore((s) => s.latest?.cpuPercent ?? null);
  const series = useHardwareStore((s) => s.history.cpu);
  const capacity = useHardwareStore((s) => s.history.capacity);
  // The model string usually names the maker already ("AMD EPYC 7763", "Intel(R) Core(TM) i9…").
  const maker = cpu.manufacturer.split(' ')[0]?.toLowerCase() ?? '';
  const named = !maker || cpu.model.toLowerCase().includes(maker) ? cpu.model : `${cpu.manufacturer} ${cpu.model}`;
  const model = named.trim() || 'Unknown CPU';
  return (
    <Card title="CPU" testId="cpu-card">
      <p className="headline" data-testid="cpu-model">
        {model}
      </p>
      <Facts
        rows={[
          ['Cores / threads', `${cpu.cores} cores / ${cpu.threads} threads`],
          ['Speed', cpu.speedGhz === null ? '—' : `${cpu.speedGhz.toFixed(2)} GHz`],
        ]}
      />
      <UsageBar percent={percent} label="CPU utilisation" />
      <Sparkline values={series} capacity={capacity} label="CPU utilisation over the last minute" />
    </Card>
  );
}
