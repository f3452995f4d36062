import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OrreryClient } from '../../../../shared/client';
import type { Run, RunColumns, RunsPage } from '../../../../shared/contract/tracking';
import { toLoadError, type LoadError } from '../../stores/load-error';
import type { RunColumn, SortState } from './columns';
import { buildOrderBy, filterForRuns } from './order-by';

export const PAGE_SIZE = 200;
/** queryRuns takes at most this many per page; a refresh of many loaded rows is split. */
const MAX_PAGE = 1000;

export interface RunsState {
  experimentId: string;
  /** The applied filter (the box's text is applied on Enter). */
  filter: string;
  filterError: string | null;
  sort: SortState | null;
  /** Picked param / metric / tag columns, in the order picked. */
  columns: RunColumn[];
  showDeleted: boolean;
  runs: Run[];
  total: number;
  nextPageToken: string | null;
  available: RunColumns;
  loading: boolean;
  /** A failure other than a bad filter. */
  error: LoadError | null;
  selected: ReadonlySet<string>;
  collapsed: ReadonlySet<string>;
  /** A row action's failure, shown above the table. */
  actionError: LoadError | null;
  /** The run whose Delete was clicked, waiting for the user to confirm. */
  pendingDelete: Run | null;

  load(): Promise<void>;
  loadMore(): Promise<void>;
  setFilter(filter: string): Promise<void>;
  setSort(sort: SortState | null): Promise<void>;
  setColumns(columns: RunColumn[]): Promise<void>;
  setShowDeleted(show: boolean): Promise<void>;
  toggleSelected(runId: string): void;
  clearSelection(): void;
  toggleCollapsed(runId: string): void;
  /** Re-reads the given runs in place (live updates); drops those that no longer match. */
  refreshRuns(runIds: readonly string[]): Promise<void>;
  /** Re-reads everything loaded so far (a run was created, deleted or restored). */
  reload(): Promise<void>;
  rename(runId: string, name: string): Promise<boolean>;
  setTag(runId: string, key: string, value: string): Promise<boolean>;
  /** Asks to confirm deleting `run` (null: the question is closed). */
  askDelete(run: Run | null): void;
  remove(runId: string): Promise<void>;
  restore(runId: string): Promise<void>;
}

export type RunsStore = StoreApi<RunsState>;

function columnsInput(columns: readonly RunColumn[]): RunColumns {
  const out: RunColumns = { params: [], metrics: [], tags: [] };
  for (const c of columns) {
    if (c.kind === 'param') out.params.push(c.key);
    else if (c.kind === 'metric') out.metrics.push(c.key);
    else if (c.kind === 'tag') out.tags.push(c.key);
  }
  return out;
}

export function createRunsStore(client: OrreryClient, experimentId: string, initialColumns: RunColumn[] = []): RunsStore {
  // A later query (new filter, sort, reload) wins over one still in flight.
  let seq = 0;

  return createStore<RunsState>()((set, get) => {
    // The total is counted with the first page only: a count over 100k matches is the costly part of a page.
    const query = (pageSize: number, pageToken: string | null, filter = get().filter): Promise<RunsPage> => {
      const s = get();
      return client.call('tracking.queryRuns', {
        experimentIds: [s.experimentId],
        filter,
        orderBy: buildOrderBy(s.sort),
        columns: columnsInput(s.columns),
        lifecycle: s.showDeleted ? 'all' : 'active',
        pageSize,
        pageToken,
        withTotal: pageToken === null,
      });
    };

    /** Fetches the first `count` rows (at least one page) afresh. */
    const fetchFirst = async (count: number): Promise<void> => {
      const mine = ++seq;
      set({ loading: true, error: null });
      try {
        let page = await query(Math.min(MAX_PAGE, Math.max(PAGE_SIZE, count)), null);
        const total = page.total ?? 0;
        const runs = [...page.runs];
        while (runs.length < count && page.nextPageToken && mine === seq) {
          page = await query(MAX_PAGE, page.nextPageToken);
          runs.push(...page.runs);
        }
        if (mine !== seq) return;
        set({ runs, total, nextPageToken: page.nextPageToken, available: page.available, loading: false, filterError: null });
      } catch (err) {
        if (mine !== seq) return;
        const error = toLoadError(err);
        if (error.code === 'INVALID_INPUT') set({ filterError: error.message, loading: false, runs: [], total: 0, nextPageToken: null });
        else set({ error, loading: false });
      }
    };

    const act = async (work: () => Promise<unknown>): Promise<boolean> => {
      set({ actionError: null });
      try {
        await work();
        return true;
      } catch (err) {
        set({ actionError: toLoadError(err) });
        return false;
      }
    };

    return {
      experimentId,
      filter: '',
      filterError: null,
      sort: null,
      columns: initialColumns,
      showDeleted: false,
      runs: [],
      total: 0,
      nextPageToken: null,
      available: { params: [], metrics: [], tags: [] },
      loading: false,
      error: null,
      selected: new Set(),
      collapsed: new Set(),
      actionError: null,
      pendingDelete: null,

      load: () => fetchFirst(PAGE_SIZE),

      async loadMore() {
        const { nextPageToken, loading } = get();
        if (!nextPageToken || loading) return;
        const mine = ++seq;
        set({ loading: true });
        try {
          const page = await query(PAGE_SIZE, nextPageToken);
          if (mine !== seq) return;
          const known = new Set(get().runs.map((r) => r.runId));
          set({
            runs: [...get().runs, ...page.runs.filter((r) => !known.has(r.runId))],
            total: page.total ?? get().total,
            nextPageToken: page.nextPageToken,
            available: page.available,
            loading: false,
          });
        } catch (err) {
          if (mine === seq) set({ error: toLoadError(err), loading: false });
        }
      },

      async setFilter(filter) {
        set({ filter: filter.trim(), selected: new Set() });
        await fetchFirst(PAGE_SIZE);
      },

      async setSort(sort) {
        set({ sort });
        await fetchFirst(PAGE_SIZE);
      },

      async setColumns(columns) {
        set({ columns });
        await fetchFirst(get().runs.length);
      },

      async setShowDeleted(showDeleted) {
        set({ showDeleted });
        await fetchFirst(PAGE_SIZE);
      },

      toggleSelected(runId) {
        const selected = new Set(get().selected);
        if (selected.has(runId)) selected.delete(runId);
        else selected.add(runId);
        set({ selected });
      },

      clearSelection: () => set({ selected: new Set() }),

      toggleCollapsed(runId) {
        const collapsed = new Set(get().collapsed);
        if (collapsed.has(runId)) collapsed.delete(runId);
        else collapsed.add(runId);
        set({ collapsed });
      },

      async refreshRuns(runIds) {
        const loaded = new Set(get().runs.map((r) => r.runId));
        const ids = [...new Set(runIds)].filter((id) => loaded.has(id));
        if (ids.length === 0) return;
        const mine = seq;
        try {
          const fresh = new Map<string, Run>();
          for (let i = 0; i < ids.length; i += MAX_PAGE) {
            const chunk = ids.slice(i, i + MAX_PAGE);
            const page = await query(chunk.length, null, filterForRuns(get().filter, chunk));
            for (const run of page.runs) fresh.set(run.runId, run);
            if (mine === seq) set({ available: page.available });
          }
          if (mine !== seq) return; // a newer full query already has them
          const gone = new Set(ids.filter((id) => !fresh.has(id)));
          const runs = get()
            .runs.filter((r) => !gone.has(r.runId))
            .map((r) => fresh.get(r.runId) ?? r);
          set({ runs, total: Math.max(0, get().total - gone.size) });
        } catch {
          // A live refresh that fails leaves the rows as they were; the next event tries again.
        }
      },

      reload: () => fetchFirst(get().runs.length),

      async rename(runId, name) {
        return act(async () => {
          const run = await client.call('tracking.renameRun', { runId, name });
          set({ runs: get().runs.map((r) => (r.runId === runId ? { ...r, name: run.name } : r)) });
        });
      },

      async setTag(runId, key, value) {
        return act(async () => {
          await client.call('tracking.setRunTag', { runId, key, value });
          set({ runs: get().runs.map((r) => (r.runId === runId ? { ...r, tags: { ...r.tags, [key]: value } } : r)) });
          const available = get().available;
          if (!available.tags.includes(key)) set({ available: { ...available, tags: [...available.tags, key].sort() } });
        });
      },

      askDelete: (pendingDelete) => set({ pendingDelete }),

      async remove(runId) {
        await act(async () => {
          await client.call('tracking.deleteRun', { runId });
          const { runs, showDeleted, total, selected } = get();
          if (showDeleted) set({ runs: runs.map((r) => (r.runId === runId ? { ...r, lifecycleStage: 'deleted' } : r)) });
          else {
            const rest = new Set(selected);
            rest.delete(runId);
            set({ runs: runs.filter((r) => r.runId !== runId), total: Math.max(0, total - 1), selected: rest });
          }
        });
      },

      async restore(runId) {
        await act(async () => {
          await client.call('tracking.restoreRun', { runId });
          set({ runs: get().runs.map((r) => (r.runId === runId ? { ...r, lifecycleStage: 'active' } : r)) });
        });
      },
    };
  });
}
