import { parseCli, UsageError, type CliDefaults } from '../../electron/cli/models-command';

/** The usage error the command line gives for `argv`; fails the test when it parses or fails otherwise. */
export function usageErrorOf(argv: readonly string[], defaults: CliDefaults): UsageError {
  try {
    parseCli(argv, defaults);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}
