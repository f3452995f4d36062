import type { OrreryClient } from '../../shared/client';
import type { RegistryPushProgressEvent } from '../../shared/contract/registry';
import { formatSize } from './models-output';

/** Shows a push's per-blob progress on one terminal line; returns a function that stops and clears it. */
export function watchPushProgress(client: OrreryClient, target: { name: string; version: number }, terminal: NodeJS.WritableStream): () => void {
  let shown = false;
  const unsubscribe = client.on('registry.pushProgress', (event) => {
    if (event.name !== target.name || event.version !== target.version) return;
    terminal.write(`\r${describeProgress(event)}\x1b[K`);
    shown = true;
  });
  return () => {
    unsubscribe();
    if (shown) terminal.write('\r\x1b[K');
  };
}

export function describeProgress(event: RegistryPushProgressEvent): string {
  const pct = event.total > 0 ? Math.floor((event.sent / event.total) * 100) : 100;
  return `pushing ${event.digest.replace(/^sha256:/, '').slice(0, 12)}  ${formatSize(event.sent)} / ${formatSize(event.total)}  ${pct}%`;
}
