import { describe, expect, it } from 'vitest';
import { parseOsRelease } from '../../../electron/services/hardware/os-release';

// The Overview's OS line: what systeminformation printed before, without its blocking `hostname -f`.
describe('parseOsRelease', () => {
  it('reads Debian as systeminformation did: name, and the version without its codename', () => {
    const debian = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';
    expect(parseOsRelease(debian)).toEqual({ distro: 'Debian GNU/Linux', release: '12' });
  });

  it('reads Ubuntu with its point release', () => {
    const ubuntu = 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\n';
    expect(parseOsRelease(ubuntu)).toEqual({ distro: 'Ubuntu', release: '22.04.4 LTS' });
  });

  it('says unknown when the file is missing or empty', () => {
    expect(parseOsRelease('')).toEqual({ distro: 'unknown', release: 'unknown' });
  });
});
