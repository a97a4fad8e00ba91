import { DvtError, isDvtError, maskSecrets } from '@dvt/core';

/** An engine error as a DvtError('database'), with the profile's secret values masked out of its text. */
export function databaseError(error: unknown, secrets: string[], context?: string): Error {
  if (error instanceof Error && error.name === 'AbortError') return error;
  if (isDvtError(error)) return error;
  const message = maskSecrets(error instanceof Error ? error.message : String(error), secrets);
  return new DvtError('database', context ? `${context}: ${message}` : message);
}
