import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { unzip } from 'fflate';
import { z } from 'zod';
import { cloudLog } from './cloudLog';
import type { CloudDatabase } from './database';
import type { ZipApi } from './workerProtocol';

/**
 * The zip functions of one cloud: what CreateFunction / UpdateFunctionCode (Lambda) and
 * CreateFunction / UpdateFunction (FC 3.0) created, whichever API they came through. The zip is
 * checked in the request (a zip at all, its sizes, no entry leaving its directory), then
 * unpacked in the background into `<dataDir>/zips/<sha256>/` (content-addressed, shared by
 * functions with the same code) while the function is `Pending` (create) or its last update
 * `InProgress` (update), as on the clouds. Records live in the cloud's store database, so
 * functions survive a restart of the cloud process.
 *
 * Errors are `ZipError`s with a kind; lambdaApi.ts and fcApi.ts turn them into each cloud's codes.
 */

/** Lambda's direct-upload limit for a zip (FC takes larger zips through OSS only). */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** Lambda's limit on the unpacked code. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

export type ZipErrorKind =
  | 'not-found'
  | 'exists'
  | 'invalid'
  | 'too-large'
  | 'update-in-progress'
  | 'not-ready'
  /** Invocation errors, raised by cloud.ts: the payload is over the limit, not JSON, or throttled. */
  | 'payload-too-large'
  | 'bad-payload'
  | 'throttled';

export class ZipError extends Error {
  readonly kind: ZipErrorKind;
  constructor(kind: ZipErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

// Stored as JSON in the cloud's database: parsed with these on load, never cast.
const zipConfigSchema = z.object({
  runtime: z.string(),
  handler: z.string(),
  memoryMb: z.number(),
  timeoutS: z.number(),
  env: z.record(z.string(), z.string()),
  description: z.string(),
  role: z.string(),
});
export type ZipConfig = z.infer<typeof zipConfigSchema>;

const zipCodeSchema = z.object({
  /** SHA-256 of the zip, hex. */
  sha256: z.string(),
  size: z.number(),
});
export type ZipCode = z.infer<typeof zipCodeSchema>;

const zipVersionSchema = z.object({
  version: z.string(),
  code: zipCodeSchema,
  config: zipConfigSchema,
  at: z.number(),
});
export type ZipVersion = z.infer<typeof zipVersionSchema>;

const zipFunctionSchema = z.object({
  api: z.enum(['lambda', 'fc']),
  name: z.string(),
  region: z.string(),
  createdAt: z.number(),
  lastModified: z.number(),
  state: z.enum(['Pending', 'Active', 'Failed']),
  stateReason: z.string().optional(),
  stateReasonCode: z.string().optional(),
  lastUpdateStatus: z.enum(['InProgress', 'Successful', 'Failed']),
  lastUpdateStatusReason: z.string().optional(),
  lastUpdateStatusReasonCode: z.string().optional(),
  /** The code `$LATEST` runs. */
  code: zipCodeSchema,
  config: zipConfigSchema,
  /** The code an update in progress is unpacking. */
  pendingCode: zipCodeSchema.optional(),
  versions: z.array(zipVersionSchema),
  /** Bumped whenever `$LATEST`'s code or configuration changes (its warm sandboxes retire). */
  revision: z.number(),
});
export type ZipFunction = z.infer<typeof zipFunctionSchema>;

/** What an invocation runs: `$LATEST` or a published version, ready to start. */
export interface ZipTarget {
  fn: ZipFunction;
  version: string;
  code: ZipCode;
  config: ZipConfig;
  codeDir: string;
}

export interface ZipFunctions {
  /** Checks and stores a new function; resolves once the zip is known good (state `Pending`). */
  create(
    api: ZipApi,
    name: string,
    input: { config: ZipConfig; zip: Buffer; publish: boolean; region: string },
  ): Promise<ZipFunction>;
  updateCode(api: ZipApi, name: string, zip: Buffer, publish: boolean): Promise<ZipFunction>;
  updateConfig(api: ZipApi, name: string, patch: Partial<ZipConfig>): ZipFunction;
  publish(api: ZipApi, name: string): ZipVersion;
  remove(api: ZipApi, name: string): void;
  /** The function as its own API sees it (a function of the other API is not found). */
  get(api: ZipApi, name: string): ZipFunction;
  /** Any zip function of that name, whichever API created it. */
  find(name: string): ZipFunction | undefined;
  list(api: ZipApi): ZipFunction[];
  /** The code and configuration an invocation of `qualifier` runs. */
  target(api: ZipApi, name: string, qualifier: string | undefined): ZipTarget;
}

export interface ZipFunctionsOptions {
  dataDir: string;
  db: CloudDatabase;
  /** True when a Jointflow function (`/control/functions`) already has this name. */
  nameTaken(name: string): boolean;
  /** A function changed or went away: retire its warm sandboxes, dispatch what waited. */
  onChange(fn: ZipFunction): void;
}

const ZIP_MAGIC = 0x04034b50;
const EMPTY_ZIP_MAGIC = 0x06054b50;

/** Unzips and checks a zip in memory: sizes, and no entry that would land outside its directory. */
function unpack(zip: Buffer): Promise<Record<string, Uint8Array>> {
  if (zip.length < 4 || ![ZIP_MAGIC, EMPTY_ZIP_MAGIC].includes(zip.readUInt32LE(0))) {
    return Promise.reject(
      new ZipError(
        'invalid',
        'Could not unzip uploaded file. Please check your file, then try to upload again.',
      ),
    );
  }
  return new Promise((resolve, reject) => {
    let unzipped = 0;
    let badName: string | undefined;
    unzip(
      new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength),
      {
        filter(file) {
          unzipped += file.originalSize;
          const parts = file.name.split('/');
          if (file.name.startsWith('/') || file.name.includes('\\') || parts.includes('..'))
            badName = file.name;
          return unzipped <= MAX_UNZIPPED_BYTES && badName === undefined;
        },
      },
      (error, files) => {
        if (badName !== undefined) {
          reject(
            new ZipError(
              'invalid',
              `the zip entry ${badName} would land outside the code directory; use relative paths`,
            ),
          );
        } else if (unzipped > MAX_UNZIPPED_BYTES) {
          reject(
            new ZipError(
              'invalid',
              `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes (this zip unpacks to at least ${unzipped})`,
            ),
          );
        } else if (error) {
          reject(
            new ZipError(
              'invalid',
              `Could not unzip uploaded file. Please check your file, then try to upload again. (${error.message})`,
            ),
          );
        } else resolve(files);
      },
    );
  });
}

function codeOf(zip: Buffer): ZipCode {
  return { sha256: createHash('sha256').update(zip).digest('hex'), size: zip.length };
}

export function createZipFunctions(options: ZipFunctionsOptions): ZipFunctions {
  const root = join(options.dataDir, 'zips');
  mkdirSync(root, { recursive: true });
  options.db.exec(
    'CREATE TABLE IF NOT EXISTS zip_functions (name TEXT PRIMARY KEY, record TEXT NOT NULL)',
  );
  const save = options.db.prepare<[string, string]>(
    'INSERT OR REPLACE INTO zip_functions (name, record) VALUES (?, ?)',
  );
  const drop = options.db.prepare<[string]>('DELETE FROM zip_functions WHERE name = ?');
  const loadAll = options.db.prepare<[], { name: string; record: string }>(
    'SELECT name, record FROM zip_functions',
  );
  const functions = new Map<string, ZipFunction>();
  /** Names between a create's first check and its record (the zip is being checked). */
  const reserved = new Set<string>();
  /** Unpacks in progress, by code hash: functions with the same code share one. */
  const installing = new Map<string, Promise<void>>();

  const codeDir = (sha256: string) => join(root, sha256);
  const installed = (code: ZipCode) => existsSync(codeDir(code.sha256));
  const persist = (fn: ZipFunction) => save.run(fn.name, JSON.stringify(fn));

  /** Writes the files into a temporary directory, then renames it: a crash leaves no half code. */
  function install(code: ZipCode, files: Record<string, Uint8Array>): Promise<void> {
    if (installed(code)) return Promise.resolve();
    let running = installing.get(code.sha256);
    if (running === undefined) {
      running = (async () => {
        const temp = join(root, `.${code.sha256}.${randomBytes(4).toString('hex')}`);
        try {
          for (const [name, bytes] of Object.entries(files)) {
            if (name.endsWith('/')) {
              await mkdir(join(temp, name), { recursive: true });
              continue;
            }
            const file = join(temp, name);
            await mkdir(dirname(file), { recursive: true });
            await writeFile(file, bytes);
          }
          await mkdir(temp, { recursive: true });
          if (!installed(code)) renameSync(temp, codeDir(code.sha256));
        } finally {
          rmSync(temp, { recursive: true, force: true });
          installing.delete(code.sha256);
        }
      })();
      installing.set(code.sha256, running);
    }
    return running;
  }

  /** Read through a call: TypeScript would keep a narrowing across the `await` before it. */
  const updating = (fn: ZipFunction) => fn.lastUpdateStatus === 'InProgress';

  function own(api: ZipApi, name: string): ZipFunction {
    const fn = functions.get(name);
    if (fn === undefined || fn.api !== api) {
      throw new ZipError('not-found', `Function not found: ${name}`);
    }
    return fn;
  }

  function nextVersion(fn: ZipFunction, code: ZipCode): ZipVersion {
    const last = fn.versions.at(-1);
    const version: ZipVersion = {
      version: String(last === undefined ? 1 : Number(last.version) + 1),
      code,
      config: structuredClone(fn.config),
      at: Date.now(),
    };
    fn.versions.push(version);
    return version;
  }

  /** Background half of create/update: unpack, then flip the state and tell the cloud. */
  function finishInstall(fn: ZipFunction, code: ZipCode, files: Record<string, Uint8Array>) {
    install(code, files).then(
      () => {
        if (functions.get(fn.name) !== fn) return;
        if (fn.state === 'Pending') {
          fn.state = 'Active';
          delete fn.stateReason;
          delete fn.stateReasonCode;
        }
        if (fn.pendingCode?.sha256 === code.sha256) {
          fn.code = code;
          delete fn.pendingCode;
        }
        fn.lastUpdateStatus = 'Successful';
        delete fn.lastUpdateStatusReason;
        delete fn.lastUpdateStatusReasonCode;
        fn.revision++;
        persist(fn);
        options.onChange(fn);
      },
      (error: unknown) => {
        if (functions.get(fn.name) !== fn) return;
        const reason = `the local cloud could not unpack the code: ${error instanceof Error ? error.message : String(error)}`;
        if (fn.state === 'Pending') {
          fn.state = 'Failed';
          fn.stateReason = reason;
          fn.stateReasonCode = 'InternalError';
        }
        delete fn.pendingCode;
        fn.lastUpdateStatus = 'Failed';
        fn.lastUpdateStatusReason = reason;
        fn.lastUpdateStatusReasonCode = 'InternalError';
        persist(fn);
        options.onChange(fn);
      },
    );
  }

  // Functions from before a restart. An unpack the crash interrupted left no code directory.
  for (const row of loadAll.all()) {
    const parsed = zipFunctionSchema.safeParse(JSON.parse(row.record));
    if (!parsed.success) {
      // A row changed outside the cloud: that function is gone (its API answers not found),
      // the others load.
      cloudLog().error(
        'LOCAL_CORRUPT_FUNCTION_ROW: a stored zip function does not parse; skipped',
        {
          issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`),
        },
      );
      continue;
    }
    const fn = parsed.data;
    if (fn.pendingCode !== undefined) {
      if (installed(fn.pendingCode)) fn.code = fn.pendingCode;
      delete fn.pendingCode;
    }
    if (installed(fn.code)) {
      if (fn.state === 'Pending') fn.state = 'Active';
      if (fn.lastUpdateStatus === 'InProgress') fn.lastUpdateStatus = 'Successful';
    } else if (fn.state !== 'Failed') {
      fn.state = 'Failed';
      fn.stateReason =
        'the local cloud restarted before the code was unpacked; upload the code again';
      fn.stateReasonCode = 'InternalError';
      fn.lastUpdateStatus = 'Failed';
    }
    functions.set(fn.name, fn);
  }

  function checkZipSize(zip: Buffer) {
    if (zip.length > MAX_ZIP_BYTES) {
      throw new ZipError(
        'too-large',
        `the zip is ${zip.length} bytes; a zip uploaded in the request may have at most ${MAX_ZIP_BYTES} bytes (50 MB, Lambda's direct-upload limit): make it smaller (bundle and minify; leave out dev dependencies)`,
      );
    }
  }

  return {
    async create(api, name, input) {
      if (functions.has(name) || reserved.has(name) || options.nameTaken(name)) {
        throw new ZipError('exists', `Function already exist: ${name}`);
      }
      checkZipSize(input.zip);
      reserved.add(name);
      let files: Record<string, Uint8Array>;
      try {
        files = await unpack(input.zip);
      } finally {
        reserved.delete(name);
      }
      if (functions.has(name) || options.nameTaken(name)) {
        throw new ZipError('exists', `Function already exist: ${name}`);
      }
      const now = Date.now();
      const code = codeOf(input.zip);
      const fn: ZipFunction = {
        api,
        name,
        region: input.region,
        createdAt: now,
        lastModified: now,
        state: 'Pending',
        stateReason: 'The function is being created.',
        stateReasonCode: 'Creating',
        lastUpdateStatus: 'InProgress',
        code,
        config: input.config,
        versions: [],
        revision: 1,
      };
      if (input.publish) nextVersion(fn, code);
      functions.set(name, fn);
      persist(fn);
      finishInstall(fn, code, files);
      return fn;
    },
    async updateCode(api, name, zip, publish) {
      const fn = own(api, name);
      if (fn.lastUpdateStatus === 'InProgress') {
        throw new ZipError(
          'update-in-progress',
          `The operation cannot be performed at this time. An update is in progress for resource: ${name}`,
        );
      }
      checkZipSize(zip);
      const files = await unpack(zip);
      if (functions.get(name) !== fn)
        throw new ZipError('not-found', `Function not found: ${name}`);
      // Another update may have started while this zip was being checked.
      if (updating(fn)) {
        throw new ZipError(
          'update-in-progress',
          `The operation cannot be performed at this time. An update is in progress for resource: ${name}`,
        );
      }
      const code = codeOf(zip);
      fn.pendingCode = code;
      fn.lastUpdateStatus = 'InProgress';
      fn.lastModified = Date.now();
      if (publish) nextVersion(fn, code);
      persist(fn);
      finishInstall(fn, code, files);
      return fn;
    },
    updateConfig(api, name, patch) {
      const fn = own(api, name);
      if (fn.lastUpdateStatus === 'InProgress') {
        throw new ZipError(
          'update-in-progress',
          `The operation cannot be performed at this time. An update is in progress for resource: ${name}`,
        );
      }
      fn.config = { ...fn.config, ...patch };
      fn.lastModified = Date.now();
      fn.revision++;
      persist(fn);
      options.onChange(fn);
      return fn;
    },
    publish(api, name) {
      const fn = own(api, name);
      if (updating(fn)) {
        throw new ZipError(
          'update-in-progress',
          `The operation cannot be performed at this time. An update is in progress for resource: ${name}; wait until LastUpdateStatus is Successful, then publish`,
        );
      }
      const version = nextVersion(fn, fn.code);
      persist(fn);
      return version;
    },
    remove(api, name) {
      const fn = own(api, name);
      functions.delete(name);
      drop.run(name);
      options.onChange(fn);
    },
    get: own,
    find: (name) => functions.get(name),
    list: (api) => [...functions.values()].filter((fn) => fn.api === api),
    target(api, name, qualifier) {
      const fn = own(api, name);
      if (qualifier === undefined || qualifier === '$LATEST' || qualifier === 'LATEST') {
        if (fn.state !== 'Active') {
          throw new ZipError(
            'not-ready',
            `The operation cannot be performed at this time. The function is currently in the following state: ${fn.state}${fn.stateReason ? ` (${fn.stateReason})` : ''}`,
          );
        }
        return {
          fn,
          version: '$LATEST',
          code: fn.code,
          config: fn.config,
          codeDir: codeDir(fn.code.sha256),
        };
      }
      const version = fn.versions.find((v) => v.version === qualifier);
      if (version === undefined) {
        throw new ZipError('not-found', `Function not found: ${name}:${qualifier}`);
      }
      if (!installed(version.code)) {
        throw new ZipError(
          'not-ready',
          `The operation cannot be performed at this time. Version ${qualifier} of ${name} is still being unpacked`,
        );
      }
      return {
        fn,
        version: version.version,
        code: version.code,
        config: version.config,
        codeDir: codeDir(version.code.sha256),
      };
    },
  };
}
