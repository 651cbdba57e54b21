import { z } from 'zod';

// zod compiles each object schema to JavaScript (`new Function`) the first time it parses with
// it: opening a run view paid ~150 ms of that before its first screen on a loaded 2-core
// machine, more than interpreting the app's small API answers costs. A schema reads this
// setting when it is built, so this module is imported first, before any schema exists.
z.config({ jitless: true });
