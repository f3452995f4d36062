import { describe, expect, it } from 'vitest';
import { parseServeArgs, pickOrreryFlags } from '../../electron/server/serve-args';

describe('serve flags', () => {
  it('reads --port and --data-dir in both spellings', () => {
    expect(parseServeArgs(['--port', '8080', '--data-dir', '/d'])).toEqual({ port: 8080, dataDir: '/d', help: false });
    expect(parseServeArgs(['--port=0', '--data-dir=/e'])).toEqual({ port: 0, dataDir: '/e', help: false });
    expect(parseServeArgs([])).toEqual({ help: false });
  });

  it('names the bad flag and the problem', () => {
    expect(() => parseServeArgs(['--port', 'eighty'])).toThrow("--port must be a whole number from 0 to 65535, got 'eighty'");
    expect(() => parseServeArgs(['--port', '70000'])).toThrow(/--port must be/);
    expect(() => parseServeArgs(['--data-dir'])).toThrow('--data-dir needs a value');
    expect(() => parseServeArgs(['--verbose'])).toThrow("Unknown option '--verbose'");
  });

  it("keeps only Orrery's flags out of Electron's argv", () => {
    expect(pickOrreryFlags(['/usr/lib/electron', '.', '--no-sandbox', '--port', '9000', '--data-dir=/x'])).toEqual(['--port', '9000', '--data-dir=/x']);
  });
});
