export type {
  CloudHealth,
  CloudShim,
  FaultSpec,
  FunctionDeployment,
  FunctionState,
} from './cloudShim';
export { deployedFunctionName } from './cloudShim';
