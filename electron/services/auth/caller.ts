/**
 * Who sent a request: the user (the app's own token: the UI, the command line, their scripts)
 * or a training job, whose token reaches only its own run and that run's child runs.
 */
export type Caller = { kind: 'user' } | { kind: 'job'; runId: string };

export const USER: Caller = { kind: 'user' };
