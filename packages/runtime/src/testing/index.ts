export type { StoreConformanceOptions, StoreUnderTest } from './storeConformance';
export { describeStoreConformance } from './storeConformance';
