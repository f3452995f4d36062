import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { ColumnResult } from './ColumnResult';

/** The chosen window and column of a deployment, read from the app. */
export function ColumnDetail({ deployment, windowId, column }: { deployment: string; windowId: number; column: string }) {
  const loaded = useLiveQuery((c) => c.call('monitoring.getDistribution', { deployment, windowId, column }), [deployment, windowId, column]);
  if (loaded.error) return <ErrorNotice title={`Could not read ${column}'s distributions.`} error={loaded.error} onRetry={() => void loaded.reload()} />;
  if (!loaded.data) return <p className="muted">Reading {column}…</p>;
  return <ColumnResult distribution={loaded.data} />;
}
