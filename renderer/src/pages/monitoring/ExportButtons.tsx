import type { MethodInput } from '../../../../shared/contract/index';
import { useClient } from '../../api/client-context';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { downloadText, exportFileName } from './export-download';

/**
 * "Export HTML" and "Export JSON": asks the app for the report (a window's or a file comparison's)
 * and saves it. `input` null disables them (nothing to export yet).
 */
export function ExportButtons({ input, testId = 'export' }: { input: MethodInput<'monitoring.exportReport'> | null; testId?: string }) {
  const client = useClient();
  const action = useAction();
  const save = (form: 'html' | 'json') =>
    void action.run(async () => {
      const report = await client.call('monitoring.exportReport', input!);
      if (form === 'html') downloadText(exportFileName(report.fileName, 'html'), report.html, 'text/html;charset=utf-8');
      else downloadText(exportFileName(report.fileName, 'json'), report.json, 'application/json');
    });
  return (
    <div className="export-buttons" data-testid={testId}>
      <button type="button" className="btn btn-small" disabled={!input || action.busy} onClick={() => save('html')} data-testid={`${testId}-html`}>
        Export HTML
      </button>
      <button type="button" className="btn btn-small" disabled={!input || action.busy} onClick={() => save('json')} data-testid={`${testId}-json`}>
        Export JSON
      </button>
      {action.error && <ErrorNotice title="Could not export the report." error={action.error} />}
    </div>
  );
}
