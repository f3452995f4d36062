/**
 * Hash routes, so the same build works from orrery:// in Electron and from the headless server:
 *   #/overview  #/experiments  #/experiments/<id>  #/runs/<runId>  #/compare?runs=a,b  #/queue
 *   #/models  #/models/<name>  #/models/<name>/<version>  #/deployments  #/deployments/<name>  #/settings
 *   #/pipelines  #/pipelines/<file, encoded>  #/pipeline-runs/<runId>
 */
export interface Route {
  /** First path segment: 'overview', 'experiments', 'runs', 'compare', 'queue'. */
  area: string;
  /** Remaining path segments, decoded. */
  params: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  // The access token also travels in the hash on first load; it is not a route.
  if (text === '' || text.startsWith('token=')) return { area: 'overview', params: [], query: new URLSearchParams() };
  const [pathPart = '', queryPart = ''] = text.split('?', 2);
  const [area = 'overview', ...params] = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { area, params, query: new URLSearchParams(queryPart) };
}

export function routeHref(area: string, params: string[] = [], query?: Record<string, string>): string {
  const path = [area, ...params].map(encodeURIComponent).join('/');
  const search = query ? new URLSearchParams(query).toString() : '';
  return `#/${path}${search ? `?${search}` : ''}`;
}
