import { initialForm, type LaunchForm } from './launch-form';

/**
 * The launch dialog's last values per experiment, in localStorage: saved when a job is submitted,
 * restored when the dialog opens for that experiment. The name is not kept (each job gets its own),
 * nor "allow running as root" (a choice made each time), nor the runner a re-run kept from its job.
 */
const PREFIX = 'orrery.launch.';
const LAST_EXPERIMENT = `${PREFIX}last-experiment`;
const VERSION = 1;

type Remembered = Omit<LaunchForm, 'name' | 'allowRoot' | 'keptRunner'>;

/** What it needs of the browser's localStorage. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface LaunchMemory {
  /** The experiment the dialog was last submitted for, to open on. */
  lastExperiment(): string | null;
  /** The form as it was last submitted for `experiment`, with today's defaults for anything missing; null when none. */
  recall(experiment: string): LaunchForm | null;
  remember(form: LaunchForm): void;
}

const keyOf = (experiment: string) => `${PREFIX}experiment:${experiment.trim() || 'Default'}`;

/** Storage may be missing (a locked-down browser) or full: memory is a convenience, never an error. */
export function createLaunchMemory(storage: KeyValueStorage | null = safeLocalStorage()): LaunchMemory {
  return {
    lastExperiment() {
      try {
        return storage?.getItem(LAST_EXPERIMENT) ?? null;
      } catch {
        return null;
      }
    },
    recall(experiment) {
      try {
        const text = storage?.getItem(keyOf(experiment));
        if (!text) return null;
        const stored = JSON.parse(text) as { version?: number; form?: Partial<Remembered> };
        if (stored.version !== VERSION || typeof stored.form !== 'object' || stored.form === null) return null;
        const base = initialForm();
        return { ...base, ...stored.form, name: '', allowRoot: false, keptRunner: null, experiment: experiment.trim() || 'Default' };
      } catch {
        return null;
      }
    },
    remember(form) {
      const { name: _name, allowRoot: _root, keptRunner: _runner, ...kept } = form;
      try {
        storage?.setItem(keyOf(form.experiment), JSON.stringify({ version: VERSION, form: kept }));
        storage?.setItem(LAST_EXPERIMENT, form.experiment.trim() || 'Default');
      } catch {
        // Full or refused: the next dialog simply starts from the defaults.
      }
    },
  };
}

function safeLocalStorage(): KeyValueStorage | null {
  try {
    return (globalThis as { localStorage?: KeyValueStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}
