import { useAppStore } from '../../stores/stores-context';

/** Who the audit log names for what this window does: the OS account running the app. */
export function useActor(): string {
  return useAppStore((s) => s.info?.user) ?? 'local';
}
