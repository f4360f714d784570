import { MemoryStore } from './memory.ts';
import { storeContract } from '../testsuite/suite.ts';

storeContract('memory', { create: async (opts) => new MemoryStore(opts) });
