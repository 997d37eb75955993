import { runSandbox } from './run.js';

/** `npm run sandbox`: the offline sandbox, whatever .env holds. */
await runSandbox();
