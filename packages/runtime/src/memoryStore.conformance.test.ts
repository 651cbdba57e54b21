import { MemoryKeyValueStore } from './memoryPorts';
import { describeStoreConformance } from './testing/storeConformance';

describeStoreConformance('in-memory harness', {
  setup: async () => ({ store: new MemoryKeyValueStore() }),
});

describeStoreConformance('in-memory harness with 4-slot records', {
  setup: async () => ({ store: new MemoryKeyValueStore(4) }),
});
