import type { MemoryInfo } from '../../../../shared/contract/index';
import { Card } from '../../components/Card';
import { Facts } from '../../components/Facts';
import { UsageBar } from '../../components/UsageBar';
import { Sparkline } from '../../charts/sparkline';
import { formatBytes, percentOf } from '../../lib/format';
import { useHardwareStore } from '../../stores/stores-context';

export function MemoryCard({ memory }: { memory: MemoryInfo }) {
  const liveUsed = useHardwareStore((s) => s.latest?.memoryUsedBytes ?? null);
  const series = useHardwareStore((s) => s.history.memory);
  const capacity = useHardwareStore((s) => s.history.capacity);
  // Until the first live sample, "used" is what the overview saw.
  const used = liveUsed ?? memory.totalBytes - memory.availableBytes;
  return (
    <Card title="Memory" testId="memory-card">
      <p className="headline" data-testid="memory-total">
        {formatBytes(memory.totalBytes)}
      </p>
      <Facts rows={[['Used', formatBytes(used)], ['Available', formatBytes(memory.totalBytes - used)]]} />
      <UsageBar
        percent={percentOf(used, memory.totalBytes)}
        label="Memory used"
        detail={`${formatBytes(used)} of ${formatBytes(memory.totalBytes)}`}
      />
      <Sparkline values={series} capacity={capacity} label="Memory use over the last minute" />
    </Card>
  );
}
