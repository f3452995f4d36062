import { useMemo, useState } from 'react';
import type { MethodResult } from '../../../../shared/contract/index';
import type { Route } from '../../routing/route';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { CompareForm } from './CompareForm';
import { CompareResult } from './CompareResult';
import { buildCompareInput, initialCompareForm, type CompareForm as CompareFormValues, type CompareInput } from './compare-form';
import '../../styles/launch.css';
import '../../styles/serving.css';
import '../../styles/monitoring.css';

export type Comparison = MethodResult<'monitoring.compareDatasets'>;

/** #/compare-datasets: two files on this machine compared column by column, as `orrery monitor drift` does. */
export function CompareDatasetsPage(_props: { route: Route }) {
  const client = useClient();
  const [form, setForm] = useState<CompareFormValues>(initialCompareForm);
  const [attempted, setAttempted] = useState(false);
  const [result, setResult] = useState<{ input: CompareInput; report: Comparison } | null>(null);
  const run = useAction();
  const built = useMemo(() => buildCompareInput(form), [form]);

  const submit = () => {
    setAttempted(true);
    const input = built.input;
    if (!input) return;
    void run.run(async () => setResult({ input, report: await client.call('monitoring.compareDatasets', input) }));
  };

  return (
    <div className="page compare-datasets-page" data-testid="compare-datasets-page">
      <header className="page-head">
        <h1>Compare datasets</h1>
        <span className="muted small">Drift per column between a reference file and a current one (CSV or Parquet), and their data quality.</span>
      </header>
      <div className="grid deployment-grid">
        <Card title="Files" testId="compare-form-card" className="deploy-span-all">
          <CompareForm form={form} errors={attempted ? built.errors : {}} busy={run.busy} onChange={(patch) => setForm((f) => ({ ...f, ...patch }))} onSubmit={submit} />
          {run.error && <ErrorNotice title="Could not compare the files." error={run.error} />}
        </Card>
        {result && <CompareResult input={result.input} report={result.report} />}
      </div>
    </div>
  );
}
