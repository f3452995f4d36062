import { quote } from '../../../shared/tracking-limits';
import { invalid } from '../../../shared/errors';
import { missing } from './mlflow-validate';

/** One request's parameters: the query string and the JSON body together (body wins), as MLflow reads them. */
export class MlflowParams {
  constructor(
    private readonly body: Record<string, unknown>,
    private readonly query: URLSearchParams,
  ) {}

  raw(name: string): unknown {
    if (this.body[name] !== undefined) return this.body[name];
    const all = this.query.getAll(name);
    return all.length === 0 ? undefined : all.length === 1 ? all[0] : all;
  }

  optionalString(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(`Invalid value ${quote(value)} for parameter '${name}' supplied: expected a string.`);
    return value;
  }

  string(name: string, ...aliases: string[]): string {
    for (const candidate of [name, ...aliases]) {
      const value = this.optionalString(candidate);
      if (value !== undefined && value !== '') return value;
    }
    throw missing(name);
  }

  optionalInt(name: string, { min, max }: { min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
      throw invalid(`Invalid value ${quote(value)} for parameter '${name}' supplied: expected an integer.`);
    }
    if ((min !== undefined && number < min) || (max !== undefined && number > max)) {
      throw invalid(`Invalid value ${number} for parameter '${name}' supplied: must be between ${min ?? '-inf'} and ${max ?? 'inf'}.`);
    }
    return number;
  }

  stringList(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string')) throw invalid(`Invalid value ${quote(value)} for parameter '${name}' supplied: expected a list of strings.`);
    return list as string[];
  }

  objectList(name: string): Array<Record<string, unknown>> {
    const value = this.raw(name);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
      throw invalid(`Invalid value ${quote(value)} for parameter '${name}' supplied: expected a list of objects.`);
    }
    return value as Array<Record<string, unknown>>;
  }
}
