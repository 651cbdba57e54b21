import { describe, expect, it } from 'vitest';
import { deployProgress } from './deploy';

describe('deployProgress', () => {
  it('prints a line when a function starts, changes provider state, and is ready or failed', () => {
    const lines: string[] = [];
    let now = 1_000;
    const update = deployProgress(
      'dp_1',
      (line) => lines.push(line),
      () => now,
    );
    const fn = (name: string, cloud: string, status: string, extra = {}) => ({
      name,
      cloud,
      status,
      ...extra,
    });
    update({
      status: 'deploying',
      functions: [fn('split', 'aws-local', 'deploying'), fn('merge', 'aliyun-local', 'pending')],
    });
    now = 1_500;
    // An unchanged poll prints nothing.
    update({
      status: 'deploying',
      functions: [fn('split', 'aws-local', 'deploying'), fn('merge', 'aliyun-local', 'pending')],
    });
    update({
      status: 'deploying',
      functions: [
        fn('split', 'aws-local', 'deploying', { providerState: 'Pending' }),
        fn('merge', 'aliyun-local', 'deploying'),
      ],
    });
    now = 3_250;
    update({
      status: 'failed',
      functions: [
        fn('split', 'aws-local', 'ready', { providerState: 'Active' }),
        fn('merge', 'aliyun-local', 'failed', { reason: 'LOCAL_BUNDLE_FAILED: no code' }),
      ],
    });
    // Two functions ready in one poll count one after the other.
    const twice = deployProgress(
      'dp_2',
      (line) => lines.push(line),
      () => now,
    );
    twice({
      status: 'ready',
      functions: [fn('a', 'aws-local', 'ready'), fn('b', 'aws-local', 'ready')],
    });
    expect(lines).toEqual([
      'deployment dp_1: 2 function(s) to deploy',
      '  split    aws-local        deploying',
      '  split    aws-local        deploying (Pending)',
      '  merge    aliyun-local     deploying',
      '  split    aws-local        ready in 2.3 s [1/2]',
      '  merge    aliyun-local     failed: LOCAL_BUNDLE_FAILED: no code',
      'deployment dp_2: 2 function(s) to deploy',
      '  a        aws-local        ready in 0.0 s [1/2]',
      '  b        aws-local        ready in 0.0 s [2/2]',
    ]);
  });
});
