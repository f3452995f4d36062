import { useEffect, useRef, useState } from 'react';
import type { JobLogLine } from '../../../../shared/contract/training';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { appendLine, mergeLog } from './log-merge';

const TAIL = 1000;
const KEEP = 5000;
/** Lines kept from the event stream to fill what a read of the log missed. */
const RECENT = 500;

/**
 * The job's log from its first line: the tail, then every line as it comes (whatever the run's
 * status was when the page read it), and the whole log read again when the job ends, so a process
 * that fails in its first second still shows its traceback. A search asks the server for matching lines.
 */
export function LogsPanel({ jobId, runId, live }: { jobId: string; runId?: string; live: boolean }) {
  const client = useClient();
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  const boxRef = useRef<HTMLPreElement>(null);
  const recent = useRef<JobLogLine[]>([]);

  // Every line of this job seen as an event, from before the first read answers.
  useEffect(() => {
    recent.current = [];
    return client.on('training.log', (line) => {
      if (line.jobId !== jobId) return;
      recent.current = appendLine(recent.current, line, RECENT);
    });
  }, [client, jobId]);

  const matches = (line: JobLogLine) => line.jobId === jobId && (!search || line.line.includes(search));
  const log = useLiveQuery(
    async (c) => {
      const loaded = await c.call('training.getLogs', { jobId, tail: TAIL, ...(search ? { search } : {}) });
      return mergeLog(loaded, recent.current.filter(matches), KEEP);
    },
    [jobId, search],
    {
      patch: { 'training.log': (prev, line) => (matches(line) ? appendLine(prev, line, KEEP) : prev) },
      // The job ended: read the log whole once more (its last lines are stored before the end is told).
      // Its run's end counts too: the log is whole before the run is marked ended, and that event
      // still arrives when the page re-subscribes at that moment (its job's event may not).
      staleOn: {
        'training.job': (job) => job.jobId === jobId && job.status !== 'queued' && job.status !== 'running',
        'tracking.run': (run) => run.runId === runId && run.status !== 'RUNNING' && run.status !== 'SCHEDULED',
      },
      debounceMs: 0,
    },
  );
  const lines = log.data ?? [];
  const error = log.error;

  useEffect(() => {
    const box = boxRef.current;
    if (box && follow) box.scrollTop = box.scrollHeight;
  }, [lines, follow]);

  return (
    <Card title="Logs" testId="logs-panel" className="card-wide" aside={live ? <span className="muted">live</span> : undefined}>
      <form
        className="logs-search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(query.trim());
        }}
      >
        <input type="search" placeholder="Search the log…" value={query} onChange={(e) => setQuery(e.currentTarget.value)} aria-label="Search the log" />
        <button type="submit" className="btn">
          Search
        </button>
        {search && (
          <button
            type="button"
            className="btn"
            onClick={() => {
              setQuery('');
              setSearch('');
            }}
          >
            Clear
          </button>
        )}
        <label className="logs-follow">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow
        </label>
      </form>
      {error && <ErrorNotice title="Could not read the log." error={error} />}
      <pre className="logs" ref={boxRef} data-testid="logs">
        {lines.length === 0 ? <span className="muted">{search ? `No line contains “${search}”.` : 'No output yet.'}</span> : null}
        {lines.map((l, i) => (
          <div key={`${l.at}-${i}`} className={`log-line log-${l.stream}`}>
            {l.line}
          </div>
        ))}
      </pre>
    </Card>
  );
}
