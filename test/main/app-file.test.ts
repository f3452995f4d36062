import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppFile } from '../../electron/main/app-file';

describe('orrery:// protocol file mapping', () => {
  const root = '/opt/orrery/dist/renderer';
  it('maps app URLs to files of the built renderer', () => {
    expect(resolveAppFile(root, 'orrery://app/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'orrery://app/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'orrery://app/assets/index-abc.js?x=1')).toBe(path.join(root, 'assets/index-abc.js'));
  });

  it('refuses other hosts and every escape trick', () => {
    for (const url of [
      'orrery://other/index.html',
      'file:///etc/passwd',
      'orrery://app/%2e%2e/%2e%2e/etc/passwd',
      'orrery://app/..%2f..%2fetc/passwd',
      'orrery://app/..%5c..%5cetc%5cpasswd',
      'orrery://app/index.html%00.js',
      'orrery://app/%E0%A4%A',
    ]) {
      const file = resolveAppFile(root, url);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
    }
  });
});
