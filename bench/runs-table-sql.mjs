// The runs-table bench's baselines: each question answered in hand-written SQL on the same file,
// reading runs in index order and filling in a page with one query per kind (params, tags, latest
// metrics, inputs), as well as SQL can do it. The app must come within a small factor of these.
import path from 'node:path';
import Database from 'better-sqlite3';

const IN_PAGE = '(SELECT value FROM json_each(?))';
const COLUMNS_OUT = 'r.run_id, r.name, r.status, r.start_time, r.end_time, r.user_id, r.artifact_uri, r.lifecycle_stage';

export function openHandWritten(dataDir, experimentId, { pageSize, columns }) {
  const db = new Database(path.join(dataDir, 'orrery.db'), { readonly: true });
  const byMetric = `FROM metric_series s CROSS JOIN runs r WHERE r.run_id = s.run_id AND s.key = 'm3' AND s.last_is_nan = 0 AND s.last_value > 0.5
    AND r.experiment_id = ${experimentId} AND r.lifecycle_stage = 'active'`;
  const metricOrder = 'ORDER BY s.last_value DESC, r.start_time DESC, r.run_id';
  const pages = {
    // "metrics.m3 > 0.5" ordered by m3 DESC: a walk down the (key, last_is_nan, last_value) index.
    metric: db.prepare(`SELECT ${COLUMNS_OUT}, s.last_value AS v ${byMetric} ${metricOrder} LIMIT ${pageSize}`),
    // The page after the row (v, start_time, run_id): a seek in the same index.
    metricAfter: db.prepare(
      `SELECT ${COLUMNS_OUT}, s.last_value AS v ${byMetric} AND s.last_value <= @v
       AND (s.last_value < @v OR r.start_time < @st OR (r.start_time = @st AND r.run_id > @id)) ${metricOrder} LIMIT ${pageSize}`,
    ),
    newest: db.prepare(`SELECT ${COLUMNS_OUT} FROM runs r WHERE r.experiment_id = ${experimentId} AND r.lifecycle_stage = 'active' ORDER BY r.start_time DESC, r.run_id LIMIT ${pageSize}`),
    tagLike: db.prepare(
      `SELECT ${COLUMNS_OUT} FROM runs r WHERE r.experiment_id = ${experimentId} AND r.lifecycle_stage = 'active'
       AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.run_id AND t.key = 'team' AND t.value GLOB 'n*') ORDER BY r.start_time DESC, r.run_id LIMIT ${pageSize}`,
    ),
  };
  const total = db.prepare(`SELECT count(*) ${byMetric}`).pluck();
  const fill = {
    params: db.prepare(`SELECT run_id, key, value FROM run_params WHERE run_id IN ${IN_PAGE}`),
    someParams: db.prepare(`SELECT run_id, key, value FROM run_params WHERE run_id IN ${IN_PAGE} AND key IN (SELECT value FROM json_each(?))`),
    tags: db.prepare(`SELECT run_id, key, value FROM run_tags WHERE run_id IN ${IN_PAGE}`),
    metrics: db.prepare(`SELECT run_id, key, last_value, last_is_nan, last_step, last_timestamp FROM metric_series WHERE run_id IN ${IN_PAGE}`),
    inputs: db.prepare(`SELECT run_id, name, digest FROM run_inputs WHERE run_id IN ${IN_PAGE}`),
  };
  /** What runs/search returns for a page: every param, tag, latest metric and input. */
  const fillAll = (rows) => {
    const ids = JSON.stringify(rows.map((r) => r.run_id));
    return fill.params.all(ids).length + fill.tags.all(ids).length + fill.metrics.all(ids).length + fill.inputs.all(ids).length;
  };
  /** What the runs table shows: its columns, and the total. */
  const fillColumns = (rows) => {
    const ids = JSON.stringify(rows.map((r) => r.run_id));
    return fill.someParams.all(ids, JSON.stringify(columns.params)).length + fill.metrics.all(ids).length;
  };
  return {
    /** Each returns the page's rows (for checks) after reading everything the app would. */
    metricPage: () => withFill(pages.metric.all(), fillAll),
    metricPageAfter: (last) => withFill(pages.metricAfter.all({ v: last.v, st: last.start_time, id: last.run_id }), fillAll),
    tablePage: () => {
      const rows = withFill(pages.metric.all(), fillColumns);
      return { rows, total: total.get() };
    },
    newestPage: () => withFill(pages.newest.all(), fillAll),
    tagLikePage: () => withFill(pages.tagLike.all(), fillAll),
    close: () => db.close(),
  };
}

function withFill(rows, fill) {
  fill(rows);
  return rows;
}
