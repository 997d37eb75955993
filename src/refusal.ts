/**
 * An expected "no": wrong place, missing permission, bad input, cooldown. The router answers it as it
 * is and logs it as an outcome, not as an error.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';
}
