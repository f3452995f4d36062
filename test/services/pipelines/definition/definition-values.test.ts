import { describe, expect, it } from 'vitest';
import { cronProblem, parseCommitTarget, parseDuration, parseThreshold } from '../../../../electron/services/pipelines/definition/definition-values';

describe('definition values', () => {
  it('reads threshold comparisons and refuses anything else', () => {
    expect(parseThreshold('acc', '>= 0.9')).toEqual({ metric: 'acc', op: '>=', value: 0.9 });
    expect(parseThreshold('loss', '<.5')).toEqual({ metric: 'loss', op: '<', value: 0.5 });
    expect(parseThreshold('n', '== -1e3')).toEqual({ metric: 'n', op: '==', value: -1000 });
    for (const bad of ['0.9', '=> 0.9', '>= ', '>= 0.9 or so', '!= 1']) expect(parseThreshold('acc', bad)).toMatch(/must be a comparison and a number/);
  });

  it('reads durations with units and refuses bare numbers, zero and typos', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90')).toMatch(/must be a duration with units/);
    expect(parseDuration('1 day')).toMatch(/must be a duration with units/);
    expect(parseDuration('0s')).toBe('must be more than 0');
    expect(parseDuration('400d')).toBe('must be at most 366d');
  });

  it('checks cron expressions with croner', () => {
    expect(cronProblem('0 3 * * *')).toBeNull();
    expect(cronProblem('@daily')).toBeNull();
    expect(cronProblem('*/15 * * * * *')).toBeNull();
    expect(cronProblem('0 25 * * *')).toMatch(/is not a valid cron expression: .*hour/i);
  });

  it('splits REPO:BRANCH at the last colon, the repository relative to the folder', () => {
    expect(parseCommitTarget('../repo:main', '/work/p')).toEqual({ repo: '/work/repo', branch: 'main' });
    expect(parseCommitTarget('/srv/git/x:feature/new', '/work/p')).toEqual({ repo: '/srv/git/x', branch: 'feature/new' });
    expect(parseCommitTarget('main', '/work/p')).toMatch(/must be REPO:BRANCH/);
    expect(parseCommitTarget('repo:bad..name', '/work/p')).toMatch(/not a valid git branch name/);
    expect(parseCommitTarget('repo:-x', '/work/p')).toMatch(/not a valid git branch name/);
  });
});
