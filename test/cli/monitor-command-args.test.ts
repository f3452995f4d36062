import { describe, expect, it } from 'vitest';
import { CLI_USAGE, parseCli } from '../../electron/cli/models-command';
import { parseUntil } from '../../electron/cli/monitor-values';
import { usageErrorOf } from './usage-error-of';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const defaults = { actor: 'ci-bot', cwd: '/work/here', now: NOW };
const parse = (...argv: string[]) => parseCli(argv, defaults);

const usageError = (argv: string[]) => usageErrorOf(argv, defaults);
const message = (...argv: string[]) => usageError(argv).message;

describe('orrery monitor drift: arguments to a local comparison', () => {
  it('relative paths are the caller\'s, defaults filled in', () => {
    expect(parse('monitor', 'drift', '--reference', 'ref.csv', '--current', '/data/cur.parquet')).toEqual({
      kind: 'monitor-drift',
      json: false,
      html: null,
      comparison: { reference: '/work/here/ref.csv', current: '/data/cur.parquet', kinds: {}, methods: {}, driftShare: 0.5, target: null },
    });
  });

  it('every option: kinds, methods with and without a threshold, target, share, JSON and HTML', () => {
    const argv = [
      'monitor', 'drift', '--reference=../ref.csv', '--current', 'cur.csv', '--column', 'zip=categorical', '--column', 'age=numeric',
      '--method', 'x=psi:0.2', '--method', 'age=ks', '--method', 'a=b=hellinger:.15', '--target', 'label', '--drift-share', '30%', '--json', '--html', 'out/r.html',
    ];
    expect(parse(...argv)).toEqual({
      kind: 'monitor-drift',
      json: true,
      html: '/work/here/out/r.html',
      comparison: {
        reference: '/work/ref.csv',
        current: '/work/here/cur.csv',
        kinds: { zip: 'categorical', age: 'numeric' },
        // A column name may hold '=': the method is what follows the last one.
        methods: { x: { method: 'psi', threshold: 0.2 }, age: { method: 'ks', threshold: null }, 'a=b': { method: 'hellinger', threshold: 0.15 } },
        driftShare: 0.3,
        target: 'label',
      },
    });
    expect(parse('monitor', 'drift', '--reference', 'r', '--current', 'c', '--drift-share', '1')).toMatchObject({ comparison: { driftShare: 1 } });
  });

  it('usage errors name the option and the problem', () => {
    expect(message('monitor', 'drift', '--reference', 'r.csv')).toBe('monitor drift needs --current CUR.');
    expect(message('monitor', 'drift', '--current', 'c.csv')).toBe('monitor drift needs --reference REF.');
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--frobnicate')).toBe("Unknown option '--frobnicate'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--column', 'age')).toBe("--column: must be NAME=numeric|categorical, got 'age'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--column', 'age=text')).toBe("--column: the kind of 'age' must be numeric or categorical, got 'age=text'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--column', '=numeric')).toBe("--column: must be NAME=numeric|categorical, got '=numeric'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--column', 'a=numeric', '--column', 'a=categorical')).toBe(
      "--column: column 'a' is given more than once, got 'a=categorical'.",
    );
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--method', 'x=ttest')).toBe(
      "--method: unknown method 'ttest' (one of ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, cramer_von_mises), got 'x=ttest'.",
    );
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--method', 'x=psi:high')).toBe("--method: the threshold of 'x' must be a number from 0 to 1000000, got 'x=psi:high'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--method', 'x=psi:')).toBe("--method: the threshold of 'x' must be a number from 0 to 1000000, got 'x=psi:'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--method', 'x=psi:-1')).toBe("--method: the threshold of 'x' must be a number from 0 to 1000000, got 'x=psi:-1'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--method', 'psi')).toBe("--method: must be NAME=METHOD[:THRESHOLD], like age=psi:0.2, got 'psi'.");
    for (const share of ['0', '1.5', 'half', '150%']) {
      expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--drift-share', share)).toBe(
        `--drift-share: must be a share above 0 and at most 1 (like 0.5) or a percent (50%), got '${share}'.`,
      );
    }
    expect(message('monitor', 'drift', '--reference', 'r', '--reference', 's', '--current', 'c')).toBe('--reference is given more than once.');
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', '--file', 'f')).toBe("--file is not an option of 'monitor drift'.");
    expect(message('monitor', 'drift', '--reference', 'r', '--current', 'c', 'extra')).toBe("Unexpected argument 'extra'.");
    expect(message('monitor', 'drift', '--reference', '--current', 'c')).toBe('--reference needs a value.');
    expect(usageError(['monitor', 'drift']).usage).toMatch(/^Usage:\n {2}orrery monitor drift --reference REF --current CUR/);
  });
});

describe('orrery monitor reference|status|check|feedback: monitoring calls', () => {
  it('reference from a file, with windows, kinds, methods and share', () => {
    const argv = ['monitor', 'reference', 'web', '--file', 'train.csv', '--window-requests', '500', '--window-minutes', '60', '--column', 'zip=categorical', '--method', 'age=psi:0.2', '--drift-share', '0.4'];
    expect(parse(...argv)).toEqual({
      kind: 'monitoring',
      subcommand: 'monitor reference',
      json: false,
      windows: 10,
      call: {
        method: 'monitoring.setReference',
        input: {
          deployment: 'web',
          source: { kind: 'file', path: '/work/here/train.csv' },
          windowRequests: 500,
          windowMinutes: 60,
          driftShare: 0.4,
          columnKinds: { zip: 'categorical' },
          methods: { age: { method: 'psi', threshold: 0.2 } },
          actor: 'ci-bot',
        },
      },
    });
  });

  it('reference from the first N logged requests, or a run artifact; options left out stay out', () => {
    expect(parse('monitor', 'reference', 'web', '--requests', '200', '--actor', 'ada', '--data-dir', '/d')).toMatchObject({
      dataDir: '/d',
      call: { method: 'monitoring.setReference', input: { deployment: 'web', source: { kind: 'requests', count: 200 }, actor: 'ada' } },
    });
    const fromRun = parse('monitor', 'reference', 'web', '--run', 'abc123', '--artifact', 'data/train.parquet');
    expect(fromRun).toMatchObject({ call: { input: { deployment: 'web', source: { kind: 'run-artifact', runId: 'abc123', path: 'data/train.parquet' }, actor: 'ci-bot' } } });
    expect(Object.keys((fromRun as { call: { input: object } }).call.input).sort()).toEqual(['actor', 'deployment', 'source']);
    expect(parse('monitor', 'reference', 'web', '--run', 'abc123', '--dataset', 'train')).toMatchObject({ call: { input: { source: { kind: 'run-dataset', runId: 'abc123', name: 'train' } } } });
  });

  it('a run dataset needs --run, and not with --artifact', () => {
    expect(() => parse('monitor', 'reference', 'web', '--dataset', 'train')).toThrow(/needs exactly one of|--dataset goes with --run/);
    expect(() => parse('monitor', 'reference', 'web', '--run', 'abc', '--dataset', 'train', '--artifact', 'a.csv')).toThrow(/--artifact PATH or --dataset NAME, not both/);
  });

  it('status, check and feedback', () => {
    expect(parse('monitor', 'status', 'web', '--json')).toEqual({ kind: 'monitoring', subcommand: 'monitor status', json: true, windows: 10, call: { method: 'monitoring.getMonitor', input: { deployment: 'web' } } });
    expect(parse('monitor', 'status', 'web', '--windows', '3')).toMatchObject({ windows: 3 });
    expect(parse('monitor', 'check', 'web')).toMatchObject({ subcommand: 'monitor check', call: { method: 'monitoring.checkMonitor', input: { deployment: 'web' } } });
    expect(parse('monitor', 'feedback', 'web', '--file', 'labels.csv', '--id-column', 'request_id', '--label-column', 'y')).toMatchObject({
      call: { method: 'monitoring.importFeedback', input: { deployment: 'web', file: '/work/here/labels.csv', idColumn: 'request_id', labelColumn: 'y' } },
    });
  });

  it('usage errors name the argument and the problem', () => {
    const rule = "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit";
    expect(message('monitor', 'reference', '--file', 'f.csv')).toBe('monitor reference needs DEPLOYMENT.');
    expect(message('monitor', 'reference', 'Web', '--file', 'f.csv')).toBe(`DEPLOYMENT: ${rule}, got 'Web'.`);
    expect(message('monitor', 'reference', 'web')).toBe('monitor reference needs exactly one of --file REF, --requests N or --run RUN_ID with --artifact PATH or --dataset NAME.');
    expect(message('monitor', 'reference', 'web', '--file', 'f', '--requests', '100')).toBe('monitor reference needs exactly one of --file REF, --requests N or --run RUN_ID with --artifact PATH or --dataset NAME.');
    expect(message('monitor', 'reference', 'web', '--run', 'abc')).toBe("monitor reference needs --artifact PATH (the file within the run's artifacts, or --dataset NAME for its dataset input).");
    expect(message('monitor', 'reference', 'web', '--file', 'f', '--artifact', 'a')).toBe('--artifact goes with --run RUN_ID.');
    expect(message('monitor', 'reference', 'web', '--requests', '5')).toBe("--requests: must be a whole number 10–1000000, got '5'.");
    expect(message('monitor', 'reference', 'web', '--file', 'f', '--window-requests', '1k')).toBe("--window-requests: must be a whole number 10–10000000, got '1k'.");
    expect(message('monitor', 'reference', 'web', '--file', 'f', '--window-minutes', '0')).toBe("--window-minutes: must be a whole number 1–10080, got '0'.");
    expect(message('monitor', 'reference', 'web', '--file', 'f', '--method', 'age=t')).toMatch(/^--method: unknown method 't' \(one of ks, /);
    expect(message('monitor', 'status')).toBe('monitor status needs DEPLOYMENT.');
    expect(message('monitor', 'status', 'web', 'api')).toBe("Unexpected argument 'api'.");
    expect(message('monitor', 'status', 'web', '--windows', '0')).toBe("--windows: must be a whole number 1–1000, got '0'.");
    expect(message('monitor', 'check', 'web', '--file', 'f')).toBe("--file is not an option of 'monitor check'.");
    expect(message('monitor', 'feedback', 'web', '--file', 'f', '--id-column', 'id')).toBe('monitor feedback needs --label-column L.');
    expect(message('monitor', 'feedback', 'web', '--id-column', 'id', '--label-column', 'y')).toBe('monitor feedback needs --file F.');
    expect(message('monitor', 'watch', 'web')).toBe("Unknown command 'monitor watch'.");
    expect(message('monitor')).toBe('Missing command after monitor.');
    // Monitoring's options do not leak into other commands.
    expect(message('deploy', 'status', 'web', '--windows', '3')).toBe("--windows is not an option of 'deploy status'.");
    expect(message('models', 'list', '--reference', 'r')).toBe("--reference is not an option of 'models list'.");
  });
});

describe('orrery alerts: arguments to alert calls', () => {
  it('list with filters, ack and silence', () => {
    expect(parse('alerts', 'list')).toEqual({ kind: 'monitoring', subcommand: 'alerts list', json: false, windows: 10, call: { method: 'monitoring.listAlerts', input: {} } });
    expect(parse('alerts', 'list', '--deployment', 'web', '--state', 'firing', '--json')).toMatchObject({ json: true, call: { input: { deployment: 'web', state: 'firing' } } });
    expect(parse('alerts', 'ack', '12')).toMatchObject({ call: { method: 'monitoring.acknowledgeAlert', input: { id: 12, actor: 'ci-bot' } } });
    expect(parse('alerts', 'silence', '12', '--until', '2h')).toMatchObject({ call: { method: 'monitoring.silenceAlert', input: { id: 12, until: NOW + 2 * 3_600_000, actor: 'ci-bot' } } });
    expect(parse('alerts', 'silence', '3', '--until', '2026-12-01T09:00:00Z', '--actor', 'ada')).toMatchObject({ call: { input: { id: 3, until: Date.UTC(2026, 11, 1, 9), actor: 'ada' } } });
  });

  it('usage errors name the argument and the problem', () => {
    expect(message('alerts', 'list', '--state', 'open')).toBe("--state: must be pending, firing or resolved, got 'open'.");
    expect(message('alerts', 'list', '--deployment', 'My App')).toBe("--deployment: must be 1–63 lowercase letters, digits or '-', starting with a letter or digit, got 'My App'.");
    expect(message('alerts', 'ack')).toBe('alerts ack needs ID.');
    expect(message('alerts', 'ack', 'x7')).toBe("ID: must be an alert number (1, 2, …, as orrery alerts list shows), got 'x7'.");
    expect(message('alerts', 'ack', '0')).toBe("ID: must be an alert number (1, 2, …, as orrery alerts list shows), got '0'.");
    expect(message('alerts', 'silence', '4')).toBe('alerts silence needs --until TIME.');
    expect(message('alerts', 'silence', '4', '--until', 'tomorrow')).toBe(
      "--until: must be a time like 2026-12-01T09:00 or 2026-12-01T09:00:00Z, or a duration from now like 30m, 2h or 1d, got 'tomorrow'.",
    );
    expect(message('alerts', 'silence', '4', '--until', '2026-02-30T09:00')).toBe("--until: is not a date and time that exists, got '2026-02-30T09:00'.");
    expect(message('alerts', 'silence', '4', '--until', '0m')).toBe("--until: must be a duration above 0, got '0m'.");
    expect(message('alerts', 'mute', '4')).toBe("Unknown command 'alerts mute'.");
    expect(message('alerts', 'list', '--until', '2h')).toBe("--until is not an option of 'alerts list'.");
    expect(usageError(['alerts', 'silence', '4', '--until', 'soon']).usage).toMatch(/^Usage:\n {2}orrery alerts silence ID --until TIME .*\n {2}TIME: ISO 8601/);
  });
});

describe('--until', () => {
  it('reads durations from now and ISO times, with or without seconds and zone', () => {
    expect(parseUntil('--until', '30m', NOW)).toBe(NOW + 30 * 60_000);
    expect(parseUntil('--until', '1d', NOW)).toBe(NOW + 86_400_000);
    expect(parseUntil('--until', '45s', NOW)).toBe(NOW + 45_000);
    expect(parseUntil('--until', '2026-12-01T09:00Z', NOW)).toBe(Date.UTC(2026, 11, 1, 9));
    expect(parseUntil('--until', '2026-12-01T09:00:30.5Z', NOW)).toBe(Date.UTC(2026, 11, 1, 9, 0, 30, 500));
    expect(parseUntil('--until', '2026-12-01T11:00+02:00', NOW)).toBe(Date.UTC(2026, 11, 1, 9));
    // No zone: this machine's time, as the person typing it means.
    expect(parseUntil('--until', '2026-12-01T09:00', NOW)).toBe(new Date(2026, 11, 1, 9, 0).getTime());
    expect(parseUntil('--until', '2028-02-29T00:00Z', NOW)).toBe(Date.UTC(2028, 1, 29));
  });

  it('refuses what is not a time', () => {
    for (const text of ['2026-12-01', '2026-13-01T09:00', '2027-02-29T09:00', '2026-12-01T24:00', '2026-12-01T09:60', '09:00', '2h30m', '-2h', '2 h', '1w']) {
      expect(() => parseUntil('--until', text, NOW), text).toThrow(/^--until: /);
    }
  });
});

it('the whole usage lists the monitor and alerts commands and exit status 3', () => {
  expect(parse('--help')).toEqual({ kind: 'help', text: CLI_USAGE });
  expect(parse('monitor', '--help')).toEqual({ kind: 'help', text: CLI_USAGE });
  for (const line of [
    'orrery monitor drift --reference REF --current CUR [--column NAME=numeric|categorical]... [--method NAME=METHOD[:THRESHOLD]]...',
    'orrery monitor reference DEPLOYMENT --file REF|--requests N|--run RUN_ID (--artifact PATH|--dataset NAME) [--window-requests 1000]',
    'orrery monitor status DEPLOYMENT [--windows 10]',
    'orrery monitor check DEPLOYMENT',
    'orrery monitor feedback DEPLOYMENT --file F --id-column C --label-column L',
    'orrery alerts list [--deployment DEPLOYMENT] [--state pending|firing|resolved]',
    'orrery alerts ack ID',
    'orrery alerts silence ID --until TIME',
    'METHOD: ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, cramer_von_mises',
    'monitor drift exits 0 when the datasets do not drift, 3 when they do.',
  ]) {
    expect(CLI_USAGE).toContain(line);
  }
  expect(parse('alerts', 'ack', '--help')).toMatchObject({ kind: 'help', text: expect.stringMatching(/^Usage:\n {2}orrery alerts ack ID /) });
});
