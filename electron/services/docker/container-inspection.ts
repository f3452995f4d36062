import type Docker from 'dockerode';

/** A bind mount of a container, as the engine reports it. */
export interface BindMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** Every bind mount of a container, whichever way it was asked for; one listed twice counts with its most permissive spelling. */
export function bindMountsOf(info: Docker.ContainerInspectInfo): BindMount[] {
  const found = new Map<string, BindMount>();
  const add = (source: string | undefined, target: string | undefined, readOnly: boolean) => {
    if (!source || !target) return;
    const key = `${source}\0${target}`;
    const existing = found.get(key);
    found.set(key, { source, target, readOnly: existing ? existing.readOnly && readOnly : readOnly });
  };
  const hostMounts = (info.HostConfig as { Mounts?: Array<{ Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }> }).Mounts ?? [];
  for (const mount of hostMounts) if ((mount.Type ?? 'bind') === 'bind') add(mount.Source, mount.Target, mount.ReadOnly === true);
  for (const bind of info.HostConfig.Binds ?? []) {
    const [source, target, options = ''] = bind.split(':');
    if (source?.startsWith('/')) add(source, target, options.split(',').includes('ro'));
  }
  for (const mount of info.Mounts ?? []) if (mount.Type === 'bind') add(mount.Source, mount.Destination, mount.RW === false);
  return [...found.values()];
}

/** Settings that would give a container more than buildContainerSpec ever asks for. */
export function privilegesOf(host: Docker.HostConfig): string[] {
  const out: string[] = [];
  if (host.Privileged) out.push('privileged');
  if ((host.CapAdd ?? []).length > 0) out.push(`added capabilities ${(host.CapAdd ?? []).join(', ')}`);
  if (!(host.CapDrop ?? []).some((cap: string) => cap.toUpperCase() === 'ALL')) out.push('capabilities not dropped');
  if (!(host.SecurityOpt ?? []).some((opt: string) => /^no-new-privileges(?:[:=]true)?$/.test(opt))) out.push('no no-new-privileges');
  if ((host.Devices ?? []).length > 0) out.push('host devices');
  if (host.PidMode === 'host') out.push('host PID namespace');
  if (host.IpcMode === 'host') out.push('host IPC namespace');
  if (host.UsernsMode === 'host') out.push('host user namespace');
  return out;
}

export function findEnv(env: readonly string[] | undefined, name: string): string | undefined {
  const prefix = `${name}=`;
  const entry = [...(env ?? [])].reverse().find((item) => item.startsWith(prefix));
  return entry?.slice(prefix.length);
}

/** The engine's RFC 3339 time as epoch milliseconds; its zero time ("0001-01-01…") is null. */
export function engineTime(value: string | undefined): number | null {
  if (value === undefined || value === '' || value.startsWith('0001-')) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
