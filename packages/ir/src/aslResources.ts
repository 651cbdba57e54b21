/**
 * Which Task resources an imported step can really call, and how. A Lambda function ARN, the
 * optimized `lambda:invoke`, `dynamodb:*Item`, `sqs:sendMessage`, `sns:publish`,
 * `events:putEvents` and `states:startExecution`, and
 * `aws-sdk:<service>:<action>` for the services below become step code that makes the call with
 * the AWS SDK v3 (aslStepCode.ts); anything else stays a named stub.
 *
 * The resource's text never reaches the code: the service picks one row of SDK_CLIENTS (whose
 * module name is ours), and the action, function name and error prefix travel in the step's
 * data line, read by a fixed program.
 */

/** An SDK v3 client the generated code can import: the module and its client class. */
export interface AslSdkClient {
  module: string;
  client: string;
  /** How Step Functions names the service in the errors of `aws-sdk:` tasks (`DynamoDb.…`). */
  sdkErrors: string;
  /**
   * The service's API names its fields in camelCase (Step Functions' own): the definition writes
   * them in PascalCase, as for every service, so the call converts the keys both ways.
   */
  camelCase?: true;
}

/**
 * The services whose clients Jointflow ships (packages/shims depends on them, so the function
 * bundlers can bundle them into a step). Keys are the service names of `aws-sdk:` resources.
 */
export const ASL_SDK_CLIENTS: Readonly<Record<string, AslSdkClient>> = {
  dynamodb: { module: '@aws-sdk/client-dynamodb', client: 'DynamoDBClient', sdkErrors: 'DynamoDb' },
  eventbridge: {
    module: '@aws-sdk/client-eventbridge',
    client: 'EventBridgeClient',
    sdkErrors: 'EventBridge',
  },
  lambda: { module: '@aws-sdk/client-lambda', client: 'LambdaClient', sdkErrors: 'Lambda' },
  s3: { module: '@aws-sdk/client-s3', client: 'S3Client', sdkErrors: 'S3' },
  sns: { module: '@aws-sdk/client-sns', client: 'SNSClient', sdkErrors: 'Sns' },
  sfn: { module: '@aws-sdk/client-sfn', client: 'SFNClient', sdkErrors: 'Sfn', camelCase: true },
  sqs: { module: '@aws-sdk/client-sqs', client: 'SQSClient', sdkErrors: 'Sqs' },
};

/**
 * The optimized integrations we call: their actions, the error prefix Step Functions gives
 * each, and the SDK client (a key of ASL_SDK_CLIENTS) that makes the call.
 */
const OPTIMIZED: Readonly<
  Record<string, { actions: readonly string[]; errors: string; sdk: string }>
> = {
  dynamodb: {
    actions: ['getItem', 'putItem', 'updateItem', 'deleteItem'],
    errors: 'DynamoDB',
    sdk: 'dynamodb',
  },
  events: { actions: ['putEvents'], errors: 'EventBridge', sdk: 'eventbridge' },
  sns: { actions: ['publish'], errors: 'SNS', sdk: 'sns' },
  sqs: { actions: ['sendMessage'], errors: 'SQS', sdk: 'sqs' },
  states: { actions: ['startExecution'], errors: 'StepFunctions', sdk: 'sfn' },
};

/**
 * What an imported Task's code calls (the `call` of its step settings):
 * - `lambda-function`: a function ARN as Resource; the effective input is the payload and the
 *   function's return value the result.
 * - `lambda-invoke`: `arn:aws:states:::lambda:invoke`; the effective input holds FunctionName,
 *   Payload (and Qualifier, InvocationType, ClientContext); the result is
 *   `{ ExecutedVersion, Payload, StatusCode, SdkHttpMetadata, SdkResponseMetadata }`.
 * - `sdk`: one SDK command (`<Action>Command`) with the effective input as its parameters;
 *   the result is the response without the SDK's `$metadata`. `optimized` marks the optimized
 *   integrations (their MessageBody / Message may be JSON, which Step Functions serializes).
 */
export type AslTaskCall =
  | { kind: 'lambda-function'; functionName: string; errors: 'Lambda' }
  | { kind: 'lambda-invoke'; errors: 'Lambda' }
  | {
      kind: 'sdk';
      service: string;
      action: string;
      client: string;
      errors: string;
      optimized: boolean;
      /**
       * `states:startExecution.sync` (`execution`) and `.sync:2` (`execution-json`): after
       * StartExecution the step polls DescribeExecution until the child execution ends, inside
       * the step (so at most the step's 15 min), and returns the description (with Output parsed
       * for `.sync:2`); a child that did not succeed fails the Task with States.TaskFailed.
       */
      sync?: 'execution' | 'execution-json';
      /** Keys of the parameters go in camelCase, keys of the response come back in PascalCase. */
      camelCase?: true;
    };

/** A resource the importer can make a call of, or why it cannot (for the stub's warning). */
export type AslResourceCall =
  | { call: AslTaskCall; module: string }
  | { call: null; why: string | null };

const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$/;
const ACTION = /^[a-z][A-Za-z0-9]{0,99}$/;

/**
 * How the Task with `resource` calls it; `call: null` when it cannot (`why` says what is
 * missing, null for resources that are not AWS calls at all, e.g. an activity).
 *
 * @example
 * resourceCall('arn:aws:states:::dynamodb:putItem').call; // { kind: 'sdk', action: 'putItem', … }
 */
export function resourceCall(resource: string): AslResourceCall {
  if (LAMBDA_ARN.test(resource)) {
    return {
      call: { kind: 'lambda-function', functionName: resource, errors: 'Lambda' },
      module: '@aws-sdk/client-lambda',
    };
  }
  if (/^\$\{[^}]*\}$/.test(resource)) {
    return {
      call: null,
      why: 'the Resource is a template placeholder; substitute the definition (e.g. its DefinitionSubstitutions) before importing it',
    };
  }
  if (/^arn:aws[a-z-]*:lambda:/.test(resource)) {
    return {
      call: null,
      why: 'it is not a whole Lambda function ARN (arn:aws:lambda:<region>:<12-digit account>:function:<name>[:<version or alias>])',
    };
  }
  // The partition may be a template placeholder (`arn:${AWS::Partition}:states:::…`): an
  // integration's ARN names no account or region, so the call is the same in every partition.
  const integration = /^arn:(?:aws[a-z-]*|\$\{[A-Za-z0-9:]+\}):states:::(.+)$/.exec(resource)?.[1];
  if (integration === undefined) return { call: null, why: null };
  const nested = /^states:startExecution\.sync(:2)?$/.exec(integration);
  if (nested !== null && ASL_SDK_CLIENTS.sfn !== undefined) {
    return {
      call: {
        kind: 'sdk',
        service: 'sfn',
        action: 'startExecution',
        client: ASL_SDK_CLIENTS.sfn.client,
        errors: 'StepFunctions',
        optimized: true,
        sync: nested[1] === undefined ? 'execution' : 'execution-json',
        camelCase: true,
      },
      module: ASL_SDK_CLIENTS.sfn.module,
    };
  }
  if (/\.(sync(:\d+)?|waitForTaskToken)$/.test(integration)) {
    return { call: null, why: 'it waits for a job or a callback (.sync, .waitForTaskToken)' };
  }
  if (integration === 'lambda:invoke') {
    return { call: { kind: 'lambda-invoke', errors: 'Lambda' }, module: '@aws-sdk/client-lambda' };
  }
  const sdk = /^aws-sdk:([a-z0-9]+):([^:]+)$/.exec(integration);
  const optimized = sdk === null ? /^([a-z0-9]+):([^:]+)$/.exec(integration) : null;
  const [, service = '', action = ''] = sdk ?? optimized ?? [];
  const client = Object.hasOwn(ASL_SDK_CLIENTS, service) ? ASL_SDK_CLIENTS[service] : undefined;
  if (sdk !== null) {
    if (client === undefined) {
      return {
        call: null,
        why: `Jointflow ships no SDK client for the service of this aws-sdk integration (it has ${Object.keys(ASL_SDK_CLIENTS).join(', ')})`,
      };
    }
    if (!ACTION.test(action)) return { call: null, why: 'its action is not an SDK action name' };
    return {
      call: {
        kind: 'sdk',
        service,
        action,
        client: client.client,
        errors: client.sdkErrors,
        optimized: false,
        ...(client.camelCase ? { camelCase: true as const } : {}),
      },
      module: client.module,
    };
  }
  const known = Object.hasOwn(OPTIMIZED, service) ? OPTIMIZED[service] : undefined;
  const sdkClient = known === undefined ? undefined : ASL_SDK_CLIENTS[known.sdk];
  if (
    optimized === null ||
    known === undefined ||
    sdkClient === undefined ||
    !known.actions.includes(action)
  ) {
    return {
      call: null,
      why: 'Jointflow calls Lambda, the optimized DynamoDB item, SQS sendMessage, SNS publish, EventBridge putEvents and Step Functions startExecution integrations, and aws-sdk integrations of the services it ships clients for',
    };
  }
  return {
    call: {
      kind: 'sdk',
      service: known.sdk,
      action,
      client: sdkClient.client,
      errors: known.errors,
      optimized: true,
      ...(sdkClient.camelCase ? { camelCase: true as const } : {}),
    },
    module: sdkClient.module,
  };
}
