export {
  DiscordEmulator,
  type DiscordEmulatorOptions,
  type RecordedRequest,
  type RestFaultRule,
  type ValidationErrorRecord,
} from './emulator.js';
export {
  autocompleteInteraction,
  buttonInteraction,
  selectInteraction,
  chatInputInteraction,
  modalSubmitInteraction,
  type InvokerFixture,
} from './fixtures.js';
export { type EmulatedChannel, type EmulatedGuild } from './guilds.js';
export { type UploadedFile } from './http.js';
export { type InteractionHandle, type InteractionResponseRecord } from './interaction.js';
export { snowflake } from './snowflake.js';
export { type FormIssue } from './validation.js';
