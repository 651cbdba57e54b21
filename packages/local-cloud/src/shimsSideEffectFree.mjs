// Plain JavaScript: apps/cli/bin/build.mjs runs it with node before anything is compiled, and
// bundler.ts imports it too (types in shimsSideEffectFree.d.mts).

/**
 * esbuild plugin that lets a build drop the modules of @jointflow/shims a program never uses.
 * The package's front door also exports the AWS and Aliyun shims, whose SDKs (FC, Tablestore,
 * OSS, the AWS clients: CommonJS, so never tree-shaken) otherwise land in every bundle that
 * imports the package: 5.4 MB and ~1.9 s to load per worker cold start at load 12 (bundler.ts),
 * a 6 MB chunk and ~1.1 s of CPU in every cloud process of the compiled CLI (build.mjs). Marking
 * the package's own modules side-effect free (what `"sideEffects": false` in its package.json
 * would say) keeps only what the program imports.
 */
export const shimsWithoutSideEffects = {
  name: 'jointflow-shims-side-effect-free',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const fromShims = /[\\/]packages[\\/]shims[\\/]src[\\/]/.test(args.importer);
      if (args.path !== '@jointflow/shims' && !(fromShims && args.path.startsWith('.'))) {
        return undefined;
      }
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0) return undefined;
      return { path: resolved.path, sideEffects: false };
    });
  },
};
