/**
 * Node 20 lacks `Promise.withResolvers`, which the Restate SDK 1.17 calls. Import this module
 * before the SDK.
 */
interface WithResolvers {
  withResolvers?: <T>() => {
    promise: Promise<T>;
    resolve: (value: T | PromiseLike<T>) => void;
    reject: (reason?: unknown) => void;
  };
}

const promiseStatics = Promise as unknown as WithResolvers;
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = <T>() => {
    let resolve: (value: T | PromiseLike<T>) => void = () => {};
    let reject: (reason?: unknown) => void = () => {};
    const promise = new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    return { promise, resolve, reject };
  };
}

export {};
