/**
 * A Discord id: 17 to 20 digits. Checked wherever an id arrives (configuration, interaction payloads,
 * useapi.net answers) and before any id becomes part of a URL path.
 */
export const SNOWFLAKE = /^\d{17,20}$/;

export function isSnowflake(value: string): boolean {
  return SNOWFLAKE.test(value);
}
