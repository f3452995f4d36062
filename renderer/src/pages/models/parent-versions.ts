import { MODEL_NAME } from '../../../../shared/contract/registry';

/** "base:3, other:1" → [{name, version}], or what is wrong with it. */
export function parseParents(text: string): { list: Array<{ name: string; version: number }> } | { error: string } {
  const list: Array<{ name: string; version: number }> = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(.+):(\d+)$/.exec(part);
    if (!match || !MODEL_NAME.test(match[1]!) || Number(match[2]) < 1) return { error: `'${part}' is not name:version (like resnet-base:3).` };
    list.push({ name: match[1]!, version: Number(match[2]) });
  }
  return { list };
}
