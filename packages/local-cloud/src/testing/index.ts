// The local clouds' testing front door (`@jointflow/local-cloud/testing`): what chaos and soak
// runs outside this package share with its tests. Never imported by the clouds themselves.
export { chaosInputs, comparableOutput } from './chaosInputs';
