/**
 * A mistake in the configuration (an environment variable, a port someone else holds): the user fixes it by
 * changing the environment, so `npm start` prints the message alone, without a stack trace, and exits 1.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
