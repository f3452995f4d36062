import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('the formatter: eslint stylistic rules, checked by npm run lint', () => {
  it('refuses code outside the house style, and eslint --fix writes it in the house style', async () => {
    const messy = 'export const  a = { b: "x" ,c:1 }\nexport function f(x: number) { if (x) {\n    return 1\n  }\n  return 2 }\n\n\n';
    const [checked] = await new ESLint({ cwd: root }).lintText(messy, { filePath: path.join(root, 'electron/services/x.ts') });
    const rules = new Set((checked?.messages ?? []).map((m) => m.ruleId));
    for (const rule of ['@stylistic/quotes', '@stylistic/semi', '@stylistic/comma-spacing', '@stylistic/key-spacing', '@stylistic/indent', '@stylistic/no-multiple-empty-lines', '@stylistic/no-multi-spaces']) {
      expect(rules).toContain(rule);
    }
    const [fixed] = await new ESLint({ cwd: root, fix: true }).lintText(messy, { filePath: path.join(root, 'electron/services/x.ts') });
    expect(fixed?.output).toContain("export const a = { b: 'x', c: 1 };");
    expect(fixed?.output).toContain('    return 1;\n');
    expect(fixed?.output?.endsWith('}\n')).toBe(true);
  });

  it('keeps the trailing comma TSX needs in a generic arrow function', async () => {
    const code = 'export const pick = <T,>(value: T): T => value;\n';
    const [checked] = await new ESLint({ cwd: root }).lintText(code, { filePath: path.join(root, 'renderer/src/x.tsx') });
    expect(checked?.messages ?? []).toEqual([]);
  });
});
