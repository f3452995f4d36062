/**
 * The distribution's name and version from /etc/os-release text, as systeminformation reports
 * them. Read here because its osInfo() runs `hostname -f` with execSync, which held the server's
 * event loop for up to a second at every start.
 */
export function parseOsRelease(text: string): { distro: string; release: string } {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq).trim().toUpperCase(), line.slice(eq + 1).trim().replace(/^["']|["']$/g, ''));
  }
  const distro = fields.get('DISTRIB_ID') || fields.get('NAME') || 'unknown';
  let version = fields.get('VERSION') ?? '';
  const pretty = fields.get('PRETTY_NAME') ?? '';
  if (pretty.startsWith(`${distro} `)) version = pretty.slice(distro.length + 1).trim();
  // "12 (bookworm)": the codename is not part of the release.
  version = version.split('(')[0]!.trim();
  return { distro, release: version || fields.get('DISTRIB_RELEASE') || fields.get('VERSION_ID') || 'unknown' };
}
