/** The user's step code, resolved by packageFunction's bundler plugin (see functionEntry.ts). */
declare module 'jointflow:user-code' {
  export const handler: unknown;
}
