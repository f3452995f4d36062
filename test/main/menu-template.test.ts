import { describe, expect, it, vi } from 'vitest';
import { menuTemplate } from '../../electron/main/menu-template';

describe('application menu', () => {
  it('has the app menu on macOS only, and File > Copy API URL works', () => {
    const copyApiUrl = vi.fn();
    const mac = menuTemplate('darwin', { copyApiUrl });
    const linux = menuTemplate('linux', { copyApiUrl });
    expect(mac[0]).toEqual({ role: 'appMenu' });
    expect(linux.some((item) => item.role === 'appMenu')).toBe(false);
    const file = linux.find((item) => item.label === 'File')!;
    const copy = (file.submenu as Array<{ label?: string; click?: () => void }>).find((i) => i.label === 'Copy API URL and Token')!;
    copy.click!();
    expect(copyApiUrl).toHaveBeenCalledOnce();
  });
});
