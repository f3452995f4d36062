import { Cron } from 'croner';

/** Cron's shorthands, as Vixie cron and GitHub users write them. */
const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Checks a cron expression: five fields (minute hour day-of-month month day-of-week) or a shorthand
 * such as `@daily`, in the machine's local time. Throws an error naming the expression and what is
 * wrong with it, including an expression that can never fire (`0 0 30 2 *`).
 */
export function validateCron(expression: string): void {
  parse(expression);
}

/** The first fire time strictly after `date`, or null if there is none. */
export function nextAfter(expression: string, date: Date): Date | null {
  return parse(expression).nextRun(date);
}

/** Whether at least one fire time fell in (lastCheck, now]: a run was missed while Orrery was closed. */
export function missedSince(expression: string, lastCheck: Date, now: Date): boolean {
  const next = nextAfter(expression, lastCheck);
  return next !== null && next.getTime() <= now.getTime();
}

function parse(expression: string): Cron {
  const text = expression.trim();
  if (text === '') throw new Error('cron: the expression is empty; write five fields such as "0 3 * * *" (minute hour day month weekday)');
  if (!text.startsWith('@')) {
    const fields = text.split(/\s+/).length;
    if (fields !== 5) throw new Error(`cron "${expression}": has ${fields} field${fields === 1 ? '' : 's'}; write five (minute hour day month weekday), such as "0 3 * * *"`);
  } else if (!NICKNAMES.has(text.toLowerCase())) {
    throw new Error(`cron "${expression}": unknown shorthand; use one of ${[...NICKNAMES].join(', ')}`);
  }
  let cron: Cron;
  try {
    // legacyMode: day-of-month and day-of-week are OR-ed, as in every Unix cron.
    cron = new Cron(text, { legacyMode: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    throw new Error(`cron "${expression}": ${reason}`);
  }
  if (cron.nextRun(new Date()) === null) throw new Error(`cron "${expression}": never fires (no such date)`);
  return cron;
}
