export type { OssBucketBootstrap, TablestoreBootstrap } from './aliyun/aliyunBootstrap';
export {
  bootstrapAliyunStore,
  ensureOssBucket,
  ensureTablestoreTable,
  tablestoreTableSpec,
} from './aliyun/aliyunBootstrap';
export type { AliyunResolvedCloud } from './aliyun/aliyunClients';
export { credentialSourceOf, fcClientOf, fcEndpointOf } from './aliyun/aliyunClients';
export type { AliyunErrorCode } from './aliyun/aliyunErrors';
export { aliyunErrorCodeOf, aliyunErrorOf } from './aliyun/aliyunErrors';
export type { AliyunPolicies, RamPolicy, RamStatement } from './aliyun/aliyunPolicies';
export { aliyunPolicies } from './aliyun/aliyunPolicies';
export type { AliyunShimOptions } from './aliyun/aliyunShim';
export { createAliyunShim } from './aliyun/aliyunShim';
export { createFcInvoker } from './aliyun/fcInvoker';
export type { OssBlobsOptions } from './aliyun/ossBlobs';
export { createOssBlobs } from './aliyun/ossBlobs';
export type { TablestoreStoreOptions } from './aliyun/tablestoreStore';
export { createTablestoreStore } from './aliyun/tablestoreStore';
export type { AwsResolvedCloud } from './aws/awsClients';
export {
  dynamoClientOf,
  lambdaClientOf,
  placeholderCredentials,
  s3ClientOf,
} from './aws/awsClients';
export type { AwsErrorCode } from './aws/awsErrors';
export { awsErrorCodeOf, awsErrorOf } from './aws/awsErrors';
export type { AwsPolicies, IamPolicy, IamStatement } from './aws/awsPolicies';
export { awsPolicies } from './aws/awsPolicies';
export type { AwsShimOptions } from './aws/awsShim';
export { createAwsShim } from './aws/awsShim';
export type { TableBootstrap } from './aws/bootstrap';
export { bootstrapAwsStore, ensureBucket, ensureDynamoTable } from './aws/bootstrap';
export type { DynamoStoreOptions } from './aws/dynamoStore';
export { createDynamoStore, DYNAMO_MAX_SLOTS_PER_RECORD } from './aws/dynamoStore';
export { createLambdaInvoker } from './aws/lambdaInvoker';
export { createS3Blobs } from './aws/s3Blobs';
export type {
  AliyunCloudConfig,
  AwsCloudConfig,
  CloudConfig,
  CloudProvider,
  CloudsFile,
  LocalCloudConfig,
  ResolvedCloud,
} from './cloudConfig';
export {
  CloudConfigError,
  cloudConfigSchema,
  cloudProviders,
  cloudsFileSchema,
  hasOwnStore,
  parseCloudsFile,
  storeCloudOf,
} from './cloudConfig';
export type {
  CloudHealth,
  CloudShim,
  DeployProgress,
  FaultSpec,
  FunctionDeployment,
  FunctionState,
  LocalEmulatorControl,
} from './cloudShim';
export { deployedFunctionName } from './cloudShim';
export type {
  DeployWorkflowOptions,
  DeployWorkflowResult,
  FunctionDeployUpdate,
  FunctionPlacement,
} from './deployWorkflow';
export { DeployError, deployFunctions, deployWorkflow, functionPlacements } from './deployWorkflow';
export type { DataPlane, DataPlaneOptions } from './function/dataPlane';
export { dataPlaneOf } from './function/dataPlane';
export type { FunctionPackageConfig } from './function/functionConfig';
export type { FunctionHandler, PlatformContext } from './function/handler';
export { createFunctionHandler } from './function/handler';
export type { FunctionPackage } from './function/packageFunction';
export { packageFunction } from './function/packageFunction';
export type { HttpTraceSinkOptions } from './function/traceSink';
export { createHttpTraceSink } from './function/traceSink';
export type { CloudEndpoint } from './httpPorts';
export { createHttpBlobs, createHttpInvoker, createHttpStore, invokeEventAt } from './httpPorts';
export type {
  CloudTransport,
  HttpRequest,
  HttpResponse,
  TransportRequest,
} from './httpTransport';
export {
  FROM_CLOUD_HEADER,
  httpRequest,
  httpTransport,
  jsonCall,
  ShimError,
} from './httpTransport';
export type { LocalCloudShim } from './localShim';
export { createLocalShim } from './localShim';
export type {
  CloudStats,
  DeadLetterRow,
  MaybeValue,
  MeteringRow,
  StoreOpCounts,
} from './localWire';
export {
  blobPutResponse,
  deadLetterRow,
  deleteKeysRequest,
  faultSpecSchema,
  fillSlotRequest,
  fillSlotResponse,
  functionStateSchema,
  getManyRequest,
  getManyResponse,
  getRequest,
  healthResponse,
  localRoutes,
  maybeValue,
  meteringRow,
  pendingResponse,
  putIfAbsentRequest,
  putIfAbsentResponse,
  readSlotsRequest,
  readSlotsResponse,
  sealRequest,
  statsResponse,
} from './localWire';
export { createShim } from './registry';
export type { AwsStandIns } from './standIns';
export { startAwsStandIns } from './standIns';
