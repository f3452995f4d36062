/** IPC channel names shared by Electron's main process and the preload bridge. */
export const ipcChannels = {
  invokePrefix: 'orrery:rpc:',
  subscribe: 'orrery:subscribe',
  unsubscribe: 'orrery:unsubscribe',
  event: 'orrery:event',
} as const;

export function invokeChannel(method: string): string {
  return ipcChannels.invokePrefix + method;
}
